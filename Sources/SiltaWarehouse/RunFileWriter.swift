import SiltaSupport

/// Writes one run file: sections appended in order, then the directory and
/// trailer. The file is written under a temporary name and renamed into place
/// by ``commit()``; it is not part of the warehouse until a manifest names it.
public final class RunFileWriter {
    private let writer: AtomicFileWriter
    private var offset = 0
    private var directory: [(tag: SectionTag, crc: UInt32, offset: UInt64, length: UInt64)] = []

    public init(path: String, generation: UInt64) throws {
        writer = try AtomicFileWriter(path: path)
        var h = ByteWriter(capacity: RunFileLayout.headerBytes)
        h.append(RunFileLayout.magic)
        h.append(RunFileLayout.version)
        h.append(UInt32(0))
        h.append(generation)
        h.append(UInt64(0))
        try put(h.bytes)
    }

    /// Bytes written so far.
    public var size: Int { offset }

    private func put(_ bytes: [UInt8]) throws {
        try writer.write(bytes)
        offset += bytes.count
    }

    /// Appends one section (padded to 8 bytes).
    public func appendSection(_ tag: SectionTag, _ payload: ByteWriter) throws {
        var payload = payload
        payload.pad(to: 8)
        let crc = CRC32.of(payload.bytes)
        directory.append((tag, crc, UInt64(offset), UInt64(payload.count)))
        try put(payload.bytes)
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

    /// New content ids, in id order.
    public static func contents(_ hashes: [StableHash128]) -> ByteWriter {
        var w = ByteWriter(capacity: 8 + hashes.count * 16)
        w.append(UInt64(hashes.count))
        for h in hashes {
            w.append(h.low)
            w.append(h.high)
        }
        return w
    }

    /// De-duplication keys grouped by UTC day: `days` ascending, each with
    /// its keys (milliseconds within the day, event-id hash).
    public static func dedupe(days: [Int32], keys: [[(ms: UInt32, hash: UInt64)]]) -> ByteWriter {
        var w = ByteWriter()
        w.append(UInt64(days.count))
        w.append(contentsOf: days)
        w.pad(to: 8)
        w.append(contentsOf: keys.map { UInt32($0.count) })
        w.pad(to: 8)
        for group in keys { for k in group { w.append(k.ms) } }
        w.pad(to: 8)
        for group in keys { for k in group { w.append(k.hash) } }
        return w
    }
}
