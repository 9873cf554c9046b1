/// Little-endian binary encoding into a growing byte array: the warehouse's
/// file formats are built with it.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }

    public mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    public mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// A 32-bit length, then the bytes.
    public mutating func appendBlob(_ raw: [UInt8]) {
        append(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }

    /// Every element of `values`, each little-endian.
    public mutating func append<T: FixedWidthInteger>(contentsOf values: [T]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { append(v) }
        #endif
    }

    /// Zero bytes up to the next multiple of `alignment`.
    public mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }
}

/// Reading what ``ByteWriter`` wrote, with every read bounds-checked: a
/// truncated or damaged file raises ``ByteReader/Truncated`` instead of
/// reading past the end.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int

    public struct Truncated: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "the data ends too early" }
    }

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }

    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        guard remaining >= MemoryLayout<T>.size else { throw Truncated() }
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    public mutating func readBytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, remaining >= n else { throw Truncated() }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
        offset += n
        return slice
    }

    public mutating func readBlob() throws -> [UInt8] {
        let n = Int(try read(UInt32.self))
        return Array(try readBytes(n))
    }

    /// `count` little-endian values as an array.
    public mutating func readArray<T: FixedWidthInteger>(_: T.Type, count: Int) throws -> [T] {
        let raw = try readBytes(count * MemoryLayout<T>.size)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let dst = UnsafeMutableRawBufferPointer(buffer)
            dst.copyMemory(from: raw)
            #if !_endian(little)
            for i in 0..<count { buffer[i] = T(littleEndian: buffer[i]) }
            #endif
            initialized = count
        }
    }

    public mutating func skip(to alignment: Int) {
        while offset % alignment != 0 && offset < bytes.count { offset += 1 }
    }
}
