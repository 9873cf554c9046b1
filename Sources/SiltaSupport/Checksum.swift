import CSiltaZlib

/// CRC-32 (ISO-HDLC, the one gzip and PNG use): zlib's `crc32_z` value,
/// computed by ``silta_crc32`` (carry-less multiplication where available).
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Adds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        value = silta_crc32(value, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// The CRC-32 of `bytes`.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC-32 of `bytes`.
    public static func of(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { of($0) }
    }
}
