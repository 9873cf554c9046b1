import Foundation
import Testing

@testable import SiltaMetrics

/// The dense path of the graph measures (issue 10.6: a 3,000-person clique
/// took 553 s) must give the sparse path's values bit for bit.
@Suite struct DenseGraphTests {
    /// A random graph: `n` nodes, each ordered pair an edge with probability
    /// `p`, weights 1...4 (repeated interactions).
    static func randomGraph(n: Int, p: Double, seed: UInt64) -> InteractionGraph {
        var rng = SplitMix(seed: seed)
        var pairs: [(Int32, Int32)] = []
        for u in 0..<n {
            for v in 0..<n where u != v && rng.unit() < p {
                for _ in 0..<(1 + Int(rng.next() % 4)) { pairs.append((Int32(u), Int32(v))) }
            }
        }
        return InteractionGraph(interactions: pairs, nodeCount: n)
    }

    @Test(arguments: [(70, 0.9), (100, 0.3), (150, 0.05), (80, 1.0)])
    func denseTermsAreTheSparseTermsBitForBit(n: Int, p: Double) {
        for seed in UInt64(1)...3 {
            let g = Self.randomGraph(n: n, p: p, seed: seed)
            var strength = [Double](repeating: 0, count: g.nodeCount)
            var strongest = [Double](repeating: 0, count: g.nodeCount)
            for i in 0..<g.nodeCount {
                for k in g.offsets[i]..<g.offsets[i + 1] {
                    strength[i] += g.weights[k]
                    strongest[i] = max(strongest[i], g.weights[k])
                }
            }
            let sparse = g.sparseNodeTerms(strength: strength, strongest: strongest)
            for workers in [1, 2, 3] {
                let dense = g.denseNodeTerms(strength: strength, strongest: strongest, workers: workers)
                #expect(dense.common == sparse.common)
                #expect(dense.constraint.map(\.bitPattern) == sparse.constraint.map(\.bitPattern))
                #expect(dense.effective.map(\.bitPattern) == sparse.effective.map(\.bitPattern))
            }
        }
    }

    @Test func aCliqueTakesTheDensePathAndAStarDoesNot() {
        var clique: [(Int32, Int32)] = []
        for u in 0..<200 { for v in 0..<200 where u != v { clique.append((Int32(u), Int32(v))) } }
        #expect(InteractionGraph(interactions: clique, nodeCount: 200).prefersDense)
        let star = (1..<500).map { (Int32(0), Int32($0)) }
        #expect(!InteractionGraph(interactions: star, nodeCount: 500).prefersDense)
        #expect(!Self.randomGraph(n: 20, p: 1, seed: 1).prefersDense, "tiny graphs stay sparse")
    }

    @Test func aCliqueHasTheValuesOfTheFormulas() {
        // K_n with weight 1 each way (w = 2): p_ij = 1/(n-1), so
        // c(i) = (n-1) (1/(n-1) + (n-2)/(n-1)²)², e(i) = (n-1) - (n-2)·1/(n-1)·1 ... per Burt.
        let n = 300
        var pairs: [(Int32, Int32)] = []
        for u in 0..<n { for v in 0..<n where u != v { pairs.append((Int32(u), Int32(v))) } }
        let m = InteractionGraph(interactions: pairs, nodeCount: n).measures(workers: 2)
        let d = Double(n - 1)
        let direct = 1 / d
        let indirect = Double(n - 2) / (d * d)
        #expect(abs(m.meanConstraint - d * (direct + indirect) * (direct + indirect)) < 1e-12)
        #expect(abs(m.meanEffectiveSize - d * (1 - Double(n - 2) / d)) < 1e-9)
        #expect(m.transitivity == 1 && m.averageClustering == 1 && m.reciprocity == 1)
    }
}

/// A small deterministic generator for test graphs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
