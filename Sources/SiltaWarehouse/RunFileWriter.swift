import SiltaSupport

/// Writes one run file: sections appended in order, then the directory and
/// trailer. The file is written under a temporary name and renamed into place
/// by ``commit()``; it is not part of the warehouse until a manifest names it.
public final class RunFileWriter {
    private let writer: AtomicFileWriter
    private var offset = 0
    private var directory: [(tag: SectionTag, crc: UInt32, offset: UInt64, length: UInt64)] = []

    /// - Parameter firstGeneration: for a file merging runs, the first of
    ///   them (`nil`: the file of one run).
    public init(path: String, generation: UInt64, firstGeneration: UInt64? = nil) throws {
        writer = try AtomicFileWriter(path: path)
        writer.backgroundSyncBytes = 64 << 20
        var h = ByteWriter(capacity: RunFileLayout.headerBytes)
        h.append(RunFileLayout.magic)
        h.append(RunFileLayout.version)
        h.append(UInt32(0))  // the header checksum, set below
        h.append(generation)
        h.append(firstGeneration ?? 0)
        var header = h.bytes
        let crc = header.withUnsafeBytes { RunFileLayout.headerCRC($0) }
        withUnsafeBytes(of: crc.littleEndian) { c in
            for k in 0..<4 { header[RunFileLayout.headerCRCOffset + k] = c[k] }
        }
        try put(header)
    }

    /// Bytes written so far.
    public var size: Int { offset }

    private func put(_ bytes: [UInt8]) throws {
        try writer.write(bytes)
        offset += bytes.count
    }

    /// Appends one section (padded to 8 bytes).
    public func appendSection(_ tag: SectionTag, _ payload: ByteWriter) throws {
        beginSection(tag)
        try payload.bytes.withUnsafeBytes { try writeSection($0) }
        try endSection()
    }

    private var open: (tag: SectionTag, start: Int, crc: CRC32)?

    /// Starts a section written piece by piece with ``writeSection(_:)``.
    public func beginSection(_ tag: SectionTag) {
        precondition(open == nil, "a section is already open")
        open = (tag, offset, CRC32())
    }

    /// Appends bytes to the open section.
    public func writeSection(_ bytes: UnsafeRawBufferPointer) throws {
        open!.crc.update(bytes)
        try writer.write(bytes)
        offset += bytes.count
    }

    /// Appends the values to the open section (little-endian, as the
    /// machine stores them), then zero bytes up to a multiple of 8.
    public func writeSection<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>) throws {
        try writeSection(UnsafeRawBufferPointer(values))
        try padSection()
    }

    /// Appends the values to the open section, then zero bytes up to a multiple of 8.
    public func writeSection<T: FixedWidthInteger>(_ values: [T]) throws {
        try values.withUnsafeBufferPointer { try writeSection($0) }
    }

    /// Zero bytes up to the next multiple of 8 in the open section.
    public func padSection() throws {
        let zeros: UInt64 = 0
        let n = (8 - (offset - open!.start) % 8) % 8
        if n > 0 { try withUnsafeBytes(of: zeros) { try writeSection(UnsafeRawBufferPointer(rebasing: $0[..<n])) } }
    }

    /// Ends the open section.
    public func endSection() throws {
        try padSection()
        let s = open!
        open = nil
        directory.append((s.tag, s.crc.value, UInt64(s.start), UInt64(offset - s.start)))
    }

    /// Writes the directory and trailer, flushes and renames the file into place.
    public func commit() throws {
        var d = ByteWriter()
        d.append(UInt32(directory.count))
        d.append(UInt32(0))
        for e in directory {
            d.append(e.tag.rawValue)
            d.append(e.crc)
            d.append(e.offset)
            d.append(e.length)
        }
        let directoryOffset = UInt64(offset)
        let directoryCRC = CRC32.of(d.bytes)
        try put(d.bytes)
        var t = ByteWriter()
        t.append(directoryOffset)
        t.append(directoryCRC)
        t.append(UInt32(0))
        t.append(RunFileLayout.endMagic)
        try put(t.bytes)
        try writer.commit()
    }

    /// Drops the unfinished file.
    public func abandon() { writer.abandon() }
}

// MARK: Section payloads

extension ByteWriter {
    /// A string table: count, `count + 1` offsets, then the bytes.
    mutating func appendStringTable(_ strings: [[UInt8]]) {
        append(UInt64(strings.count))
        var at: UInt64 = 0
        append(at)
        for s in strings {
            at += UInt64(s.count)
            append(at)
        }
        for s in strings { append(s) }
        pad(to: 8)
    }
}

/// Encodes the sections of a run; each returns a payload for ``RunFileWriter/appendSection(_:_:)``.
public enum RunSections {
    /// New persons, in id order.
    public static func persons(_ names: [[UInt8]]) -> ByteWriter {
        var w = ByteWriter()
        w.appendStringTable(names)
        return w
    }

    /// New communities, in id order.
    public static func communities(_ list: [(kind: UInt8, name: [UInt8])]) -> ByteWriter {
        var w = ByteWriter()
        w.append(UInt64(list.count))
        for c in list { w.append(c.kind) }
        w.pad(to: 8)
        w.appendStringTable(list.map(\.name))
        return w
    }

    /// New content ids, in id order, as (low, high) words.
    public static func contents(_ hashes: ArraySlice<StableHash128>) -> ByteWriter {
        var w = ByteWriter(capacity: 8 + hashes.count * 16)
        w.append(UInt64(hashes.count))
        hashes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UInt64.self) { words in
                #if _endian(little)
                w.append(UnsafeRawBufferPointer(words))
                #else
                for v in words { w.append(v) }
                #endif
            }
        }
        return w
    }
}
