import SiltaSupport

/// The interaction graph of one community and period (metrics.md "Social
/// capital"): `D` directed and weighted by the number of interactions, `W` its
/// undirected version with `w_uv = weight(u->v) + weight(v->u)`, `U` is `W`
/// without weights. Nodes are dense local indices; `W` is stored as
/// compressed sparse rows with each node's neighbours sorted.
public struct InteractionGraph: Sendable {
    public let nodeCount: Int
    /// Distinct ordered pairs of `D`.
    public let directedEdges: Int
    /// Sum of the weights of `D`.
    public let interactions: Int
    /// Directed edges whose reverse edge exists.
    public let reciprocatedEdges: Int
    /// Neighbours of node `i` in `W`: `neighbors[offsets[i] ..< offsets[i + 1]]`, ascending.
    let offsets: [Int]
    let neighbors: [Int32]
    let weights: [Double]

    /// Builds the graph from interactions `(source, target)`, with local node
    /// indices below `nodeCount`; self-interactions must already be dropped.
    /// - Complexity: O(m log m) for m interactions.
    public init(interactions pairs: [(Int32, Int32)], nodeCount: Int) {
        self.nodeCount = nodeCount
        interactions = pairs.count
        // D: distinct ordered pairs with their weights.
        let sorted = pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var directed: [(Int32, Int32, Int)] = []
        for p in sorted {
            if let last = directed.last, last.0 == p.0, last.1 == p.1 {
                directed[directed.count - 1].2 += 1
            } else {
                directed.append((p.0, p.1, 1))
            }
        }
        directedEdges = directed.count
        // W: unordered pairs, each with its total weight and how many directions it has.
        var undirected = directed.map { d -> (Int32, Int32, Int) in d.0 < d.1 ? (d.0, d.1, d.2) : (d.1, d.0, d.2) }
        undirected.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var pairsW: [(Int32, Int32, Int)] = []
        var reciprocated = 0
        for u in undirected {
            if let last = pairsW.last, last.0 == u.0, last.1 == u.1 {
                pairsW[pairsW.count - 1].2 += u.2
                reciprocated += 2
            } else {
                pairsW.append(u)
            }
        }
        reciprocatedEdges = reciprocated
        var degree = [Int](repeating: 0, count: nodeCount + 1)
        for e in pairsW {
            degree[Int(e.0) + 1] += 1
            degree[Int(e.1) + 1] += 1
        }
        for i in 0..<nodeCount { degree[i + 1] += degree[i] }
        var next = degree
        var neighbors = [Int32](repeating: 0, count: pairsW.count * 2)
        var weights = [Double](repeating: 0, count: pairsW.count * 2)
        // Pairs are sorted by (low, high): filling in that order leaves every
        // list sorted except for the "high" side, which is sorted below.
        for e in pairsW {
            neighbors[next[Int(e.0)]] = e.1
            weights[next[Int(e.0)]] = Double(e.2)
            next[Int(e.0)] += 1
            neighbors[next[Int(e.1)]] = e.0
            weights[next[Int(e.1)]] = Double(e.2)
            next[Int(e.1)] += 1
        }
        for i in 0..<nodeCount {
            let r = degree[i]..<degree[i + 1]
            if r.count > 1 {
                let sortedList = r.map { (neighbors[$0], weights[$0]) }.sorted { $0.0 < $1.0 }
                for (k, v) in zip(r, sortedList) {
                    neighbors[k] = v.0
                    weights[k] = v.1
                }
            }
        }
        offsets = degree
        self.neighbors = neighbors
        self.weights = weights
    }

    /// The measures of the social-capital report.
    public struct Measures: Sendable, Equatable {
        public var nodes: Int
        public var edges: Int
        public var interactions: Int
        /// `edges / (nodes * (nodes - 1))`; `nil` for one node.
        public var density: Double?
        public var reciprocity: Double
        public var transitivity: Double
        public var averageClustering: Double
        public var components: Int
        public var largestComponentShare: Double
        public var meanConstraint: Double
        public var meanEffectiveSize: Double

        /// `(reciprocity + avg_clustering) / 2`: closure, the capital of a tight group.
        public var bondingIndex: Double { (reciprocity + averageClustering) / 2 }
        /// `max(0, 1 - mean_constraint)`: brokerage, the capital of open networks.
        public var bridgingIndex: Double { max(0, 1 - meanConstraint) }
    }

    /// Computes every measure in one pass over each node's neighbourhood.
    ///
    /// For each node `i` and neighbour `j`, the common neighbours `q` of `i`
    /// and `j` give at once the triangles through the edge, the indirect term
    /// of Burt's constraint (`sum p_iq p_qj`) and the redundancy of Burt's
    /// effective size (`sum p_iq m_jq`). Common neighbours are found by
    /// walking the shorter list and binary-searching the longer.
    /// - Complexity: O(sum over edges of min(d_i, d_j) log max(d_i, d_j)).
    public func measures() -> Measures {
        let n = nodeCount
        var strength = [Double](repeating: 0, count: n)
        var strongest = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for k in offsets[i]..<offsets[i + 1] {
                strength[i] += weights[k]
                strongest[i] = max(strongest[i], weights[k])
            }
        }
        var constraintSum = 0.0
        var effectiveSum = 0.0
        var clusteringSum = 0.0
        var triangleEnds = 0  // sum over nodes of 2 * triangles at the node
        var triples = 0  // sum over nodes of d (d - 1)
        for i in 0..<n {
            let di = offsets[i + 1] - offsets[i]
            var constraint = 0.0
            var effective = 0.0
            var t = 0
            for k in offsets[i]..<offsets[i + 1] {
                let j = Int(neighbors[k])
                var indirect = 0.0
                var redundancy = 0.0
                var common = 0
                forEachCommonNeighbor(i, j) { q, wiq, wjq in
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
            constraintSum += constraint
            effectiveSum += effective
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

    /// Calls `body(q, w_iq, w_jq)` for every common neighbour `q` of `i` and `j`.
    @inline(__always)
    func forEachCommonNeighbor(_ i: Int, _ j: Int, _ body: (Int, Double, Double) -> Void) {
        let ri = offsets[i]..<offsets[i + 1]
        let rj = offsets[j]..<offsets[j + 1]
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
