import SiltaSupport

/// The interaction graph of one community and period (metrics.md "Social
/// capital"): `D` directed and weighted by the number of interactions, `W` its
/// undirected version with `w_uv = weight(u->v) + weight(v->u)`, `U` is `W`
/// without weights. Nodes are dense local indices; `W` is stored as
/// compressed sparse rows with each node's neighbours sorted.
package struct InteractionGraph: Sendable {
    package let nodeCount: Int
    /// Distinct ordered pairs of `D`.
    package let directedEdges: Int
    /// Sum of the weights of `D`.
    package let interactions: Int
    /// Directed edges whose reverse edge exists.
    package let reciprocatedEdges: Int
    /// Neighbours of node `i` in `W`: `neighbors[offsets[i] ..< offsets[i + 1]]`, ascending.
    let offsets: [Int]
    let neighbors: [Int32]
    let weights: [Double]

    /// Builds the graph from interactions `(source, target)`, with local node
    /// indices below `nodeCount`; self-interactions must already be dropped.
    /// - Complexity: O(m + sum of d log d) for m interactions: counting sorts
    ///   by node, then each node's short list sorted.
    package init(interactions pairs: [(Int32, Int32)], nodeCount: Int) {
        self.nodeCount = nodeCount
        interactions = pairs.count
        // D: the targets of each source, grouped (counting sort), then each
        // group sorted and run-length encoded into weighted edges.
        var outStart = [Int](repeating: 0, count: nodeCount + 1)
        for p in pairs { outStart[Int(p.0) + 1] += 1 }
        for i in 0..<nodeCount { outStart[i + 1] += outStart[i] }
        var targets = [Int32](repeating: 0, count: pairs.count)
        var next = outStart
        for p in pairs {
            targets[next[Int(p.0)]] = p.1
            next[Int(p.0)] += 1
        }
        var edgeSource: [Int32] = []
        var edgeTarget: [Int32] = []
        var edgeWeight: [Int] = []
        edgeSource.reserveCapacity(pairs.count)
        edgeTarget.reserveCapacity(pairs.count)
        edgeWeight.reserveCapacity(pairs.count)
        targets.withUnsafeMutableBufferPointer { t in
            for u in 0..<nodeCount {
                let r = outStart[u]..<outStart[u + 1]
                if r.count > 1 {
                    var part = UnsafeMutableBufferPointer(rebasing: t[r])
                    part.sort()
                }
                for k in r {
                    if k > r.lowerBound && t[k] == t[k - 1] {
                        edgeWeight[edgeWeight.count - 1] += 1
                    } else {
                        edgeSource.append(Int32(u))
                        edgeTarget.append(t[k])
                        edgeWeight.append(1)
                    }
                }
            }
        }
        directedEdges = edgeSource.count
        // W: every directed edge in the lists of both its ends; a neighbour
        // listed twice at a node had both directions, and its weights add up.
        var degree = [Int](repeating: 0, count: nodeCount + 1)
        for e in 0..<edgeSource.count {
            degree[Int(edgeSource[e]) + 1] += 1
            degree[Int(edgeTarget[e]) + 1] += 1
        }
        for i in 0..<nodeCount { degree[i + 1] += degree[i] }
        var slots = degree
        var both = [(Int32, Int)](repeating: (0, 0), count: edgeSource.count * 2)
        for e in 0..<edgeSource.count {
            let u = Int(edgeSource[e])
            let v = Int(edgeTarget[e])
            both[slots[u]] = (Int32(v), edgeWeight[e])
            slots[u] += 1
            both[slots[v]] = (Int32(u), edgeWeight[e])
            slots[v] += 1
        }
        var offsets = [Int](repeating: 0, count: nodeCount + 1)
        var neighbors: [Int32] = []
        var weights: [Double] = []
        neighbors.reserveCapacity(both.count)
        weights.reserveCapacity(both.count)
        var reciprocated = 0
        both.withUnsafeMutableBufferPointer { b in
            for u in 0..<nodeCount {
                let r = degree[u]..<degree[u + 1]
                if r.count > 1 {
                    var part = UnsafeMutableBufferPointer(rebasing: b[r])
                    part.sort { $0.0 < $1.0 }
                }
                for k in r {
                    if k > r.lowerBound && b[k].0 == b[k - 1].0 {
                        weights[weights.count - 1] += Double(b[k].1)
                        reciprocated += 1
                    } else {
                        neighbors.append(b[k].0)
                        weights.append(Double(b[k].1))
                    }
                }
                offsets[u + 1] = neighbors.count
            }
        }
        reciprocatedEdges = reciprocated
        self.offsets = offsets
        self.neighbors = neighbors
        self.weights = weights
    }

    /// The measures of the social-capital report.
    package struct Measures: Sendable, Equatable {
        package var nodes: Int
        package var edges: Int
        package var interactions: Int
        /// `edges / (nodes * (nodes - 1))`; `nil` for one node.
        package var density: Double?
        package var reciprocity: Double
        package var transitivity: Double
        package var averageClustering: Double
        package var components: Int
        package var largestComponentShare: Double
        package var meanConstraint: Double
        package var meanEffectiveSize: Double

        /// `(reciprocity + avg_clustering) / 2`: closure, the capital of a tight group.
        package var bondingIndex: Double { (reciprocity + averageClustering) / 2 }
        /// `max(0, 1 - mean_constraint)`: brokerage, the capital of open networks.
        package var bridgingIndex: Double { max(0, 1 - meanConstraint) }
    }

    /// Computes every measure in one pass over each node's neighbourhood.
    ///
    /// For each node `i` and neighbour `j`, the common neighbours `q` of `i`
    /// and `j` give at once the triangles through the edge, the indirect term
    /// of Burt's constraint (`sum p_iq p_qj`) and the redundancy of Burt's
    /// effective size (`sum p_iq m_jq`). On a sparse graph the common
    /// neighbours are found list against list (``sparseNodeTerms``); where the
    /// neighbourhoods overlap so much that this costs more than whole rows of
    /// a matrix product (a clique: n³ divisions), the same sums are taken as
    /// dense row products (``denseNodeTerms``), term for term in the same
    /// order, so the two paths give the same bits.
    /// - Complexity: O(sum over edges of min(d_i, d_j) log max(d_i, d_j)), or
    ///   O(n · sum of degrees) with O(n²/8) bytes for the dense path (n ≤ ``denseNodeLimit``).
    /// - Parameter workers: threads for the dense path's rows (the result does not depend on it).
    package func measures(workers: Int = 1) -> Measures {
        let n = nodeCount
        var strength = [Double](repeating: 0, count: n)
        var strongest = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for k in offsets[i]..<offsets[i + 1] {
                strength[i] += weights[k]
                strongest[i] = max(strongest[i], weights[k])
            }
        }
        let terms =
            prefersDense
            ? denseNodeTerms(strength: strength, strongest: strongest, workers: workers)
            : sparseNodeTerms(strength: strength, strongest: strongest)
        var constraintSum = 0.0
        var effectiveSum = 0.0
        var clusteringSum = 0.0
        var triangleEnds = 0  // sum over nodes of 2 * triangles at the node
        var triples = 0  // sum over nodes of d (d - 1)
        for i in 0..<n {
            let di = offsets[i + 1] - offsets[i]
            let t = terms.common[i]
            constraintSum += terms.constraint[i]
            effectiveSum += terms.effective[i]
            triangleEnds += t
            triples += di * (di - 1)
            if di >= 2 { clusteringSum += Double(t) / Double(di * (di - 1)) }
        }
        let (components, largest) = componentSizes()
        return Measures(
            nodes: n, edges: directedEdges, interactions: interactions,
            density: n > 1 ? Double(directedEdges) / (Double(n) * Double(n - 1)) : nil,
            reciprocity: directedEdges > 0 ? Double(reciprocatedEdges) / Double(directedEdges) : 0,
            transitivity: triangleEnds == 0 ? 0 : Double(triangleEnds) / Double(triples),
            averageClustering: n > 0 ? clusteringSum / Double(n) : 0,
            components: components, largestComponentShare: n > 0 ? Double(largest) / Double(n) : 0,
            meanConstraint: n > 0 ? constraintSum / Double(n) : 0,
            meanEffectiveSize: n > 0 ? effectiveSum / Double(n) : 0)
    }

    /// Each node's constraint `c(i)`, effective size `e(i)` and the number of
    /// (neighbour, common neighbour) pairs (twice its triangles).
    struct NodeTerms {
        var constraint: [Double]
        var effective: [Double]
        var common: [Int]
    }

    /// The most nodes the dense path takes: its neighbour bit sets are n²/8
    /// bytes (50 MB here); larger graphs always take the walks.
    static let denseNodeLimit = 20_000

    /// True when the dense row products cost less than the common-neighbour
    /// walks: each walk step does two divisions, a dense step two multiply-adds.
    var prefersDense: Bool {
        let n = nodeCount
        guard n >= 64 && n <= Self.denseNodeLimit else { return false }
        var walks = 0
        for i in 0..<n {
            let di = offsets[i + 1] - offsets[i]
            for k in offsets[i]..<offsets[i + 1] {
                let j = Int(neighbors[k])
                walks += min(di, offsets[j + 1] - offsets[j])
            }
        }
        // Row products, plus a tile of B and M made per row block and neighbour.
        let dense = n * neighbors.count + n * n * (n / Self.denseRowBlock + 2)
        return walks > dense / 4
    }

    /// The node terms by common-neighbour walks (``forEachCommonNeighbor``).
    func sparseNodeTerms(strength: [Double], strongest: [Double]) -> NodeTerms {
        let n = nodeCount
        var out = NodeTerms(
            constraint: [Double](repeating: 0, count: n), effective: [Double](repeating: 0, count: n),
            common: [Int](repeating: 0, count: n))
        // Position + 1 of each neighbour of the current node `i` in its list (0: not a neighbour).
        var position = [Int](repeating: 0, count: n)
        for i in 0..<n {
            for k in offsets[i]..<offsets[i + 1] { position[Int(neighbors[k])] = k + 1 }
            defer { for k in offsets[i]..<offsets[i + 1] { position[Int(neighbors[k])] = 0 } }
            var constraint = 0.0
            var effective = 0.0
            var t = 0
            for k in offsets[i]..<offsets[i + 1] {
                let j = Int(neighbors[k])
                var indirect = 0.0
                var redundancy = 0.0
                var common = 0
                forEachCommonNeighbor(i, j, markedNeighborsOfI: position) { q, wiq, wjq in
                    let piq = wiq / strength[i]
                    indirect += piq * (wjq / strength[q])
                    redundancy += piq * (wjq / strongest[j])
                    common += 1
                }
                let direct = weights[k] / strength[i]
                constraint += (direct + indirect) * (direct + indirect)
                effective += 1 - redundancy
                t += common
            }
            out.constraint[i] = constraint
            out.effective[i] = effective
            out.common[i] = t
        }
        return out
    }

    /// Calls `body(q, w_iq, w_jq)` for every common neighbour `q` of `i` and `j`.
    /// When `j` has no more neighbours than `i`, its list is walked against
    /// `i`'s marked neighbours (`position`, see ``measures()``); short lists are
    /// merged; otherwise the shorter list is walked and the longer one binary-searched.
    @inline(__always)
    func forEachCommonNeighbor(_ i: Int, _ j: Int, markedNeighborsOfI position: [Int], _ body: (Int, Double, Double) -> Void) {
        let ri = offsets[i]..<offsets[i + 1]
        let rj = offsets[j]..<offsets[j + 1]
        if rj.count <= ri.count {
            for kj in rj {
                let q = Int(neighbors[kj])
                let ki = position[q]
                if ki > 0 { body(q, weights[ki - 1], weights[kj]) }
            }
            return
        }
        if ri.count + rj.count <= 32 {
            var a = ri.lowerBound
            var b = rj.lowerBound
            while a < ri.upperBound && b < rj.upperBound {
                let x = neighbors[a]
                let y = neighbors[b]
                if x < y {
                    a += 1
                } else if y < x {
                    b += 1
                } else {
                    body(Int(x), weights[a], weights[b])
                    a += 1
                    b += 1
                }
            }
            return
        }
        let (small, large, smallIsI) = ri.count <= rj.count ? (ri, rj, true) : (rj, ri, false)
        var lo = large.lowerBound
        for k in small {
            let q = neighbors[k]
            // Neighbour lists are sorted: search only what is left of the longer one.
            lo = lowerBound(lo..<large.upperBound) { neighbors[$0] < q }
            if lo == large.upperBound { return }
            if neighbors[lo] == q {
                if smallIsI { body(Int(q), weights[k], weights[lo]) } else { body(Int(q), weights[lo], weights[k]) }
            }
        }
    }

    /// Connected components of `U` (the weakly connected components of `D`)
    /// and the size of the largest.
    func componentSizes() -> (Int, Int) {
        var parent = Array(0..<nodeCount)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        for i in 0..<nodeCount {
            for k in offsets[i]..<offsets[i + 1] {
                let a = find(i)
                let b = find(Int(neighbors[k]))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var size = [Int](repeating: 0, count: nodeCount)
        for i in 0..<nodeCount { size[find(i)] += 1 }
        return (size.filter { $0 > 0 }.count, size.max() ?? 0)
    }
}
