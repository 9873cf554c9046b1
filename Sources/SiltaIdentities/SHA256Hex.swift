import Crypto

/// SHA-256 from swift-crypto, as lowercase hex.
package enum SHA256Hex {
    package static func of(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in SHA256.hash(data: bytes) {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 32 bytes of the SHA-256 of `raw`.
    package static func digest(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bufferPointer: raw)
        return Array(hasher.finalize())
    }
}
