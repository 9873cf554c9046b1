import Dispatch

extension InteractionGraph {
    /// The node terms of ``sparseNodeTerms(strength:strongest:)`` as dense row
    /// products, for graphs whose neighbourhoods overlap heavily.
    ///
    /// With `B[q][j] = w_qj / s_q` and `M[q][j] = w_jq / max_j` (zero where
    /// `q` and `j` are not neighbours), node `i`'s indirect constraint terms
    /// are the row `sum over q in N(i) of p_iq · B[q]` and its redundancies
    /// `sum over q in N(i) of p_iq · M[q]`, for every `j` at once. The terms
    /// are the walk's own (`p_iq · (w_jq / s_q)`, `p_iq · (w_jq / max_j)`),
    /// added in the same ascending order of `q`; a `q` that is not a common
    /// neighbour adds an exact zero, so the sums are the walk's, bit for bit.
    /// Common neighbours are counted by AND-ing neighbour bit sets. Rows are
    /// independent, so blocks of them are spread over `workers` threads.
    /// - Complexity: O(n · sum of degrees) time, O(n²) memory.
    func denseNodeTerms(strength: [Double], strongest: [Double], workers: Int) -> NodeTerms {
        let n = nodeCount
        let words = (n + 63) / 64
        let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * n)
        let m = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * n)
        let bits = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n * words)
        b.initialize(repeating: 0)
        m.initialize(repeating: 0)
        bits.initialize(repeating: 0)
        defer {
            b.deallocate()
            m.deallocate()
            bits.deallocate()
        }
        for q in 0..<n {
            for k in offsets[q]..<offsets[q + 1] {
                let j = Int(neighbors[k])
                let w = weights[k]  // w_qj = w_jq
                b[q * n + j] = w / strength[q]
                m[q * n + j] = w / strongest[j]
                bits[q * words + j >> 6] |= 1 << UInt64(j & 63)
            }
        }
        let constraint = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        let effective = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        let common = UnsafeMutableBufferPointer<Int>.allocate(capacity: n)
        defer {
            constraint.deallocate()
            effective.deallocate()
            common.deallocate()
        }
        let shared = DenseShared(b: b, m: m, bits: bits, constraint: constraint, effective: effective, common: common)
        // Rows go in blocks, and columns in tiles, so that each row of B and M
        // read from memory serves a whole block of rows while the block's
        // sums stay in cache.
        let blocks = (n + Self.denseRowBlock - 1) / Self.denseRowBlock
        let threads = max(1, min(workers, blocks))
        // Thread t takes blocks t, t + threads, ...: each block's outputs are its own.
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let rows = Self.denseRowBlock
            let p = UnsafeMutableBufferPointer<Double>.allocate(capacity: rows * n)
            let indirect = UnsafeMutableBufferPointer<Double>.allocate(capacity: rows * n)
            let redundancy = UnsafeMutableBufferPointer<Double>.allocate(capacity: rows * n)
            defer {
                p.deallocate()
                indirect.deallocate()
                redundancy.deallocate()
            }
            var blk = t
            while blk < blocks {
                let i0 = blk * rows
                denseBlock(
                    i0..<min(n, i0 + rows), n: n, words: words, strength: strength, shared, p: p, indirect: indirect,
                    redundancy: redundancy)
                blk += threads
            }
        }
        return NodeTerms(constraint: Array(constraint), effective: Array(effective), common: Array(common))
    }

    /// Rows per block and columns per tile of the dense path.
    static let denseRowBlock = 32
    static let denseColumnTile = 512

    /// The terms of the nodes in `block`.
    private func denseBlock(
        _ block: Range<Int>, n: Int, words: Int, strength: [Double], _ s: DenseShared, p: UnsafeMutableBufferPointer<Double>,
        indirect: UnsafeMutableBufferPointer<Double>, redundancy: UnsafeMutableBufferPointer<Double>
    ) {
        let rows = block.count
        let used = rows * n
        UnsafeMutableBufferPointer(rebasing: p[0..<used]).update(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: indirect[0..<used]).update(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: redundancy[0..<used]).update(repeating: 0)
        for (r, i) in block.enumerated() {
            for k in offsets[i]..<offsets[i + 1] { p[r * n + Int(neighbors[k])] = weights[k] / strength[i] }
        }
        guard let pb = p.baseAddress, let ib = indirect.baseAddress, let rb = redundancy.baseAddress,
            let bb = s.b.baseAddress, let mb = s.m.baseAddress
        else { return }
        var j0 = 0
        while j0 < n {
            let j1 = min(n, j0 + Self.denseColumnTile)
            // For each (i, j) the terms are added in ascending q: the walk's order.
            for q in 0..<n {
                let bq = bb + q * n
                let mq = mb + q * n
                for r in 0..<rows {
                    let piq = pb[r * n + q]
                    if piq == 0 { continue }  // q is not a neighbour of i
                    let oi = ib + r * n
                    let or = rb + r * n
                    for j in j0..<j1 {
                        oi[j] += piq * bq[j]
                        or[j] += piq * mq[j]
                    }
                }
            }
            j0 = j1
        }
        for (r, i) in block.enumerated() {
            var constraint = 0.0
            var effective = 0.0
            var t = 0
            let si = strength[i]
            let bi = i * words
            for k in offsets[i]..<offsets[i + 1] {
                let j = Int(neighbors[k])
                let direct = weights[k] / si
                let ind = ib[r * n + j]
                constraint += (direct + ind) * (direct + ind)
                effective += 1 - rb[r * n + j]
                let bj = j * words
                for w in 0..<words { t += (s.bits[bi + w] & s.bits[bj + w]).nonzeroBitCount }
            }
            s.constraint[i] = constraint
            s.effective[i] = effective
            s.common[i] = t
        }
    }
}

/// The matrices and outputs the dense rows share; each row writes only its own outputs.
private struct DenseShared: @unchecked Sendable {
    let b: UnsafeMutableBufferPointer<Double>
    let m: UnsafeMutableBufferPointer<Double>
    let bits: UnsafeMutableBufferPointer<UInt64>
    let constraint: UnsafeMutableBufferPointer<Double>
    let effective: UnsafeMutableBufferPointer<Double>
    let common: UnsafeMutableBufferPointer<Int>
}
