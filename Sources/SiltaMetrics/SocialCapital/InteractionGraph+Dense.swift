import Dispatch
import SiltaSupport

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
    ///
    /// Rows go in blocks of ``denseRowBlock`` and columns in tiles of
    /// ``denseColumnTile``: a tile of `B[q]` and `M[q]` is made from `q`'s
    /// neighbour list once per block and serves every row of it, so neither
    /// matrix is ever held (the divisions cost 1/32 of the multiply-adds).
    /// Common neighbours are counted by AND-ing neighbour bit sets. Blocks
    /// are spread over `workers` threads; each writes only its own rows.
    /// - Complexity: O(n · sum of degrees) time; O(n²/8) bytes of bit sets
    ///   and O(``denseRowBlock`` · n) per thread.
    func denseNodeTerms(strength: [Double], strongest: [Double], workers: Int) -> NodeTerms {
        let n = nodeCount
        let words = (n + 63) / 64
        let bits = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n * words)
        bits.initialize(repeating: 0)
        defer { bits.deallocate() }
        for q in 0..<n {
            for k in offsets[q]..<offsets[q + 1] {
                let j = Int(neighbors[k])
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
        let shared = DenseShared(bits: bits, constraint: constraint, effective: effective, common: common)
        let blocks = (n + Self.denseRowBlock - 1) / Self.denseRowBlock
        let threads = max(1, min(workers, blocks))
        // Thread t takes blocks t, t + threads, ...: each block's outputs are its own.
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var scratch = DenseScratch(n: n)
            defer { scratch.deallocate() }
            var blk = t
            while blk < blocks {
                let i0 = blk * Self.denseRowBlock
                denseBlock(
                    i0..<min(n, i0 + Self.denseRowBlock), n: n, words: words, strength: strength, strongest: strongest, shared, &scratch)
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
        _ block: Range<Int>, n: Int, words: Int, strength: [Double], strongest: [Double], _ s: DenseShared,
        _ x: inout DenseScratch
    ) {
        let rows = block.count
        let used = rows * n
        UnsafeMutableBufferPointer(rebasing: x.p[0..<used]).update(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: x.indirect[0..<used]).update(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: x.redundancy[0..<used]).update(repeating: 0)
        x.touched.update(repeating: false)
        for (r, i) in block.enumerated() {
            for k in offsets[i]..<offsets[i + 1] {
                let q = Int(neighbors[k])
                x.p[r * n + q] = weights[k] / strength[i]
                x.touched[q] = true
            }
        }
        guard let pb = x.p.baseAddress, let ib = x.indirect.baseAddress, let rb = x.redundancy.baseAddress,
            let bt = x.bTile.baseAddress, let mt = x.mTile.baseAddress
        else { return }
        var j0 = 0
        while j0 < n {
            let j1 = min(n, j0 + Self.denseColumnTile)
            let width = j1 - j0
            // For each (i, j) the terms are added in ascending q: the walk's order.
            for q in 0..<n where x.touched[q] {
                // This tile of B[q] and M[q], from q's sorted neighbour list.
                bt.update(repeating: 0, count: width)
                mt.update(repeating: 0, count: width)
                let row = offsets[q]..<offsets[q + 1]
                var k = lowerBound(row) { neighbors[$0] < Int32(j0) }
                var any = false
                while k < row.upperBound && Int(neighbors[k]) < j1 {
                    let j = Int(neighbors[k])
                    bt[j - j0] = weights[k] / strength[q]  // w_qj / s_q
                    mt[j - j0] = weights[k] / strongest[j]  // w_jq / max_j
                    any = true
                    k += 1
                }
                if !any { continue }  // only exact zeros to add
                for r in 0..<rows {
                    let piq = pb[r * n + q]
                    if piq == 0 { continue }  // q is not a neighbour of i
                    let oi = ib + r * n + j0
                    let or = rb + r * n + j0
                    for t in 0..<width {
                        oi[t] += piq * bt[t]
                        or[t] += piq * mt[t]
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

/// One thread's buffers for the dense path.
private struct DenseScratch {
    let p: UnsafeMutableBufferPointer<Double>
    let indirect: UnsafeMutableBufferPointer<Double>
    let redundancy: UnsafeMutableBufferPointer<Double>
    let bTile: UnsafeMutableBufferPointer<Double>
    let mTile: UnsafeMutableBufferPointer<Double>
    let touched: UnsafeMutableBufferPointer<Bool>

    init(n: Int) {
        let rows = InteractionGraph.denseRowBlock
        p = .allocate(capacity: rows * n)
        indirect = .allocate(capacity: rows * n)
        redundancy = .allocate(capacity: rows * n)
        bTile = .allocate(capacity: InteractionGraph.denseColumnTile)
        mTile = .allocate(capacity: InteractionGraph.denseColumnTile)
        touched = .allocate(capacity: n)
    }

    func deallocate() {
        p.deallocate()
        indirect.deallocate()
        redundancy.deallocate()
        bTile.deallocate()
        mTile.deallocate()
        touched.deallocate()
    }
}

/// The bit sets and outputs the dense rows share; each block writes only its own outputs.
private struct DenseShared: @unchecked Sendable {
    let bits: UnsafeMutableBufferPointer<UInt64>
    let constraint: UnsafeMutableBufferPointer<Double>
    let effective: UnsafeMutableBufferPointer<Double>
    let common: UnsafeMutableBufferPointer<Int>
}
