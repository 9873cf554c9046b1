import SiltaSupport
import Testing

@Suite struct StableHashTests {
    /// Reference values from Python's `mmh3.hash128(data, 0, True)` (MurmurHash3 x64-128).
    @Test(arguments: [
        ("", "0000000000000000", "0000000000000000"),
        ("a", "85555565f6597889", "e6b53a48510e895a"),
        ("hello", "cbd8a7b341bd9b02", "5b1e906a48ae1d19"),
        ("0123456789abcdef", "4be06d94cf4ad1a7", "87c35b5c63a708da"),
        ("0123456789abcdef0", "eb24ae8785a5c075", "73fb68b3313128ca"),
        ("The quick brown fox jumps over the lazy dog", "e34bbc7bbc071b6c", "7a433ca9c49a9347"),
    ])
    func matchesMurmurHash3(text: String, low: String, high: String) {
        let h = StableHash128(Array(text.utf8))
        #expect(h.low == UInt64(low, radix: 16)!)
        #expect(h.high == UInt64(high, radix: 16)!)
    }

    @Test func streamingEqualsOneShotForAnySlicing() {
        var rng = SystemRandomNumberGenerator()
        for length in Array(0...48) + [100, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let whole = StableHash128(bytes)
            for _ in 0..<20 {
                var hasher = StableHasher()
                var at = 0
                while at < length {
                    let step = Int.random(in: 1...max(1, length - at), using: &rng)
                    bytes[at..<(at + step)].withUnsafeBytes { hasher.combine($0) }
                    at += step
                }
                #expect(hasher.finalize() == whole)
            }
        }
    }
}
