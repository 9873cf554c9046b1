/// Little-endian binary encoding into a growing byte array: the warehouse's
/// file formats are built with it.
package struct ByteWriter: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    package var count: Int { bytes.count }

    package mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    package mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// A 32-bit length, then the bytes.
    package mutating func appendBlob(_ raw: [UInt8]) {
        append(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }

    /// Every element of `values`, each little-endian.
    package mutating func append<T: FixedWidthInteger>(contentsOf values: [T]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { append(v) }
        #endif
    }

    /// Zero bytes up to the next multiple of `alignment`.
    package mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }
}

/// Reading what ``ByteWriter`` wrote, with every read bounds-checked: a
/// truncated or damaged file raises ``ByteReader/Truncated`` instead of
/// reading past the end.
package struct ByteReader {
    package let bytes: UnsafeRawBufferPointer
    package private(set) var offset: Int

    package struct Truncated: Error, CustomStringConvertible {
        package var description: String { "the data ends too early" }
    }

    package init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    package var remaining: Int { bytes.count - offset }

    package mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        guard remaining >= MemoryLayout<T>.size else { throw Truncated() }
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    package mutating func readBytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, remaining >= n else { throw Truncated() }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
        offset += n
        return slice
    }

    package mutating func readBlob() throws -> [UInt8] {
        let n = Int(try read(UInt32.self))
        return Array(try readBytes(n))
    }

    /// `count` little-endian values as an array.
    package mutating func readArray<T: FixedWidthInteger>(_: T.Type, count: Int) throws -> [T] {
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

    package mutating func skip(to alignment: Int) {
        while offset % alignment != 0 && offset < bytes.count { offset += 1 }
    }
}
