/// xoshiro256** (Blackman and Vigna, public domain), seeded through
/// SplitMix64: fast, and the same sequence on every machine for a seed.
struct Xoshiro: RandomNumberGenerator {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    /// A generator for one cell of the output, independent of every other cell.
    init(seed: UInt64, _ a: Int, _ b: Int, _ c: Int = 0) {
        var h = seed ^ 0x5851_F42D_4C95_7F2D
        for v in [a, b, c] {
            h = (h ^ UInt64(bitPattern: Int64(v))) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        self.init(seed: h)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform in 0..<n.
    @inline(__always)
    mutating func below(_ n: Int) -> Int { Int((UInt128(next()) * UInt128(n)) >> 64) }

    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }
}

/// Weighted sampling in O(1) per draw (Vose's alias method).
struct AliasTable: Sendable {
    private var probability: [Double]
    private var alias: [Int32]

    init(weights: [Double]) {
        let n = weights.count
        precondition(n > 0)
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        probability = Array(repeating: 1, count: n)
        alias = Array(repeating: 0, count: n)
        var small: [Int] = []
        var large: [Int] = []
        for (i, w) in scaled.enumerated() { if w < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.popLast() {
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] = scaled[l] + scaled[s] - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
    }

    var count: Int { probability.count }

    @inline(__always)
    func sample(_ rng: inout Xoshiro) -> Int {
        let i = rng.below(probability.count)
        return rng.unit() < probability[i] ? i : Int(alias[i])
    }
}
