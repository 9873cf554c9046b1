import Dispatch
import SiltaSupport

/// A read-only view of a string table inside a mapped file.
public struct StringTableView: @unchecked Sendable {
    public let offsets: UnsafeBufferPointer<UInt64>
    public let bytes: UnsafeRawBufferPointer

    public var count: Int { offsets.count - 1 }

    public subscript(i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(offsets[i])..<Int(offsets[i + 1])])
    }
}

/// One block of events inside a mapped run file; see ``EventBlockBuilder``.
public struct EventBlockView: @unchecked Sendable {
    /// One community's rows in the block.
    public struct CommunityRange: Sendable {
        public var community: UInt32
        public var start: Int
        public var count: Int
    }

    public let rows: Int
    public let communities: [CommunityRange]
    public let ts: UnsafeBufferPointer<Int64>
    public let actor: UnsafeBufferPointer<UInt32>
    public let content: UnsafeBufferPointer<UInt32>
    public let parent: UnsafeBufferPointer<UInt32>
    public let parentActor: UnsafeBufferPointer<UInt32>
    public let mentionOffsets: UnsafeBufferPointer<UInt32>
    public let mentions: UnsafeBufferPointer<UInt32>
    public let type: UnsafeBufferPointer<UInt8>
}

/// The de-duplication keys of one run, by UTC day: for each day, the
/// milliseconds within the day and the event-id hashes of the run's events.
public struct DedupeView: @unchecked Sendable {
    public let days: UnsafeBufferPointer<Int32>
    let milliseconds: [UnsafeBufferPointer<UInt32>]
    let hashes: [UnsafeBufferPointer<UInt64>]

    /// The keys of `day`, if the run has any on that day.
    public func keys(of day: Int32) -> (milliseconds: UnsafeBufferPointer<UInt32>, hashes: UnsafeBufferPointer<UInt64>)? {
        let lo = lowerBound(days.indices) { days[$0] < day }
        return lo < days.count && days[lo] == day ? (milliseconds[lo], hashes[lo]) : nil
    }

    /// Keys in the run.
    public var count: Int { milliseconds.reduce(0) { $0 + $1.count } }
}

/// One committed run file, mapped read-only, its checksums verified.
public final class RunFile: @unchecked Sendable {
    public let path: String
    /// The last generation whose events the file holds.
    public let generation: UInt64
    /// The first: `generation` unless compaction merged runs into the file.
    public let firstGeneration: UInt64
    public let mapped: MappedFile
    public private(set) var persons: StringTableView?
    public private(set) var communityKinds: UnsafeBufferPointer<UInt8>?
    public private(set) var communityNames: StringTableView?
    /// New content ids as (low, high) hash words.
    public private(set) var contentHashes: UnsafeBufferPointer<UInt64>?
    public private(set) var blocks: [EventBlockView] = []
    public private(set) var dedupe: DedupeView?

    /// Maps the file of a committed run, checking it against the manifest's entry.
    public convenience init(path: String, expected run: Manifest.Run, verify: Bool = true) throws {
        try self.init(
            path: path, expectedSize: run.fileSize, expectedGeneration: run.generation,
            expectedFirstGeneration: run.firstGeneration, verify: verify)
    }

    /// Maps `path` and checks its structure, its header and every section's CRC-32.
    /// - Parameter expectedGeneration: the generation the manifest gives the
    ///   file; a header that says another is damage.
    /// - Parameter verify: false skips the CRC pass over the sections (the
    ///   structure and the header are still checked).
    public init(
        path: String, expectedSize: UInt64?, expectedGeneration: UInt64? = nil, expectedFirstGeneration: UInt64? = nil,
        verify: Bool = true
    ) throws {
        self.path = path
        do {
            mapped = try MappedFile(path: path)
        } catch let e as SystemError {
            if e.isNotFound { throw WarehouseError.damaged(path: path, reason: "missing, though the manifest names it") }
            throw WarehouseError.system(e)
        }
        let raw = mapped.bytes
        func damaged(_ why: String) -> WarehouseError { .damaged(path: path, reason: why) }
        if let expectedSize, UInt64(raw.count) != expectedSize {
            throw damaged("size \(raw.count), the manifest says \(expectedSize)")
        }
        guard raw.count >= RunFileLayout.headerBytes + RunFileLayout.trailerBytes,
            Array(raw[0..<8]) == RunFileLayout.magic,
            Array(raw[(raw.count - 8)...]) == RunFileLayout.endMagic
        else { throw damaged("not a Silta run file") }
        let version = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        let storedHeaderCRC = raw.loadUnaligned(fromByteOffset: RunFileLayout.headerCRCOffset, as: UInt32.self)
        let headerIntact = storedHeaderCRC == RunFileLayout.headerCRC(UnsafeRawBufferPointer(rebasing: raw[0..<RunFileLayout.headerBytes]))
        guard RunFileLayout.readableVersions.contains(version) else {
            // A newer Silta's file keeps an intact header; a flipped byte does not.
            if version > RunFileLayout.version && headerIntact {
                throw WarehouseError.unsupportedVersion(path: path, found: version, supported: RunFileLayout.version)
            }
            throw damaged("header checksum mismatch (format version field reads \(version))")
        }
        if version >= 2 && !headerIntact { throw damaged("header checksum mismatch") }
        generation = raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        let first = raw.loadUnaligned(fromByteOffset: RunFileLayout.firstGenerationOffset, as: UInt64.self)
        firstGeneration = first == 0 ? generation : first
        if let expectedGeneration, generation != expectedGeneration {
            throw damaged("header says generation \(generation), the manifest says \(expectedGeneration)")
        }
        if let expectedFirstGeneration, firstGeneration != expectedFirstGeneration {
            throw damaged("header says first generation \(firstGeneration), the manifest says \(expectedFirstGeneration)")
        }
        let trailer = raw.count - RunFileLayout.trailerBytes
        let dirOffset = Int(raw.loadUnaligned(fromByteOffset: trailer, as: UInt64.self))
        let dirCRC = raw.loadUnaligned(fromByteOffset: trailer + 8, as: UInt32.self)
        guard dirOffset >= RunFileLayout.headerBytes, dirOffset + 8 <= trailer else { throw damaged("bad directory offset") }
        let dirBytes = UnsafeRawBufferPointer(rebasing: raw[dirOffset..<trailer])
        guard CRC32.of(dirBytes) == dirCRC else { throw damaged("directory checksum mismatch") }
        let entries = Int(dirBytes.loadUnaligned(as: UInt32.self))
        guard 8 + entries * RunFileLayout.directoryEntryBytes == dirBytes.count else { throw damaged("bad directory") }
        var sections: [Section] = []
        for e in 0..<entries {
            let at = 8 + e * RunFileLayout.directoryEntryBytes
            let tagValue = dirBytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            let crc = dirBytes.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self)
            let offset = Int(dirBytes.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self))
            let length = Int(dirBytes.loadUnaligned(fromByteOffset: at + 16, as: UInt64.self))
            guard offset >= RunFileLayout.headerBytes, offset % 8 == 0, length >= 0, offset + length <= dirOffset,
                let tag = SectionTag(rawValue: tagValue)
            else { throw damaged("bad section \(e)") }
            sections.append(Section(tag: tag, payload: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]), crc: crc))
        }
        if verify, let bad = Self.firstChecksumMismatch(sections, in: mapped) {
            throw damaged("checksum mismatch in section \(bad)")
        }
        for (e, section) in sections.enumerated() {
            do {
                try decode(section.tag, section.payload)
            } catch is ByteReader.Truncated {
                throw damaged("section \(e) is truncated")
            }
        }
    }

    /// The index of the first section whose CRC-32 differs, checking the
    /// sections on every core at once.
    /// Each section's pages are given back once checked, so that checking a
    /// large file does not keep it all resident: every section, not only the
    /// events (the de-duplication keys, which only ingest reads, are 12 bytes
    /// an event and stayed resident in every report job: 960 MB at 80M
    /// events). What is read later maps its pages in again.
    static func firstChecksumMismatch(_ sections: [Section], in mapped: MappedFile) -> Int? {
        let bad = UnsafeMutableBufferPointer<Bool>.allocate(capacity: sections.count)
        bad.initialize(repeating: false)
        defer { bad.deallocate() }
        let out = SharedFlags(bad)
        DispatchQueue.concurrentPerform(iterations: sections.count) { k in
            // In pieces of 8 MiB, each given back once checked: one section
            // (the keys) can be a gigabyte.
            let payload = sections[k].payload
            var crc = CRC32()
            var at = 0
            while at < payload.count {
                let piece = UnsafeRawBufferPointer(rebasing: payload[at..<min(payload.count, at + (8 << 20))])
                crc.update(piece)
                mapped.release(piece)
                at += piece.count
            }
            out.flags[k] = crc.value != sections[k].crc
        }
        return bad.firstIndex(of: true)
    }

    private func stringTable(_ r: inout ByteReader) throws -> StringTableView {
        let count = Int(try r.read(UInt64.self))
        let offsets = try typed(&r, UInt64.self, count + 1)
        let total = Int(offsets[count])
        var previous: UInt64 = 0
        for o in offsets {
            guard o >= previous else { throw WarehouseError.damaged(path: path, reason: "string offsets out of order") }
            previous = o
        }
        let bytes = try r.readBytes(total)
        r.skip(to: 8)
        return StringTableView(offsets: offsets, bytes: bytes)
    }

    /// True when `block` lies in this file's mapping.
    public func contains(_ block: EventBlockView) -> Bool {
        guard let p = block.ts.baseAddress, let base = mapped.bytes.baseAddress else { return false }
        let offset = base.distance(to: UnsafeRawPointer(p))
        return offset >= 0 && offset < mapped.count
    }

    /// `count` values of `T` at the reader's (8-aligned) position, in place.
    private func typed<T>(_ r: inout ByteReader, _: T.Type, _ count: Int) throws -> UnsafeBufferPointer<T> {
        let raw = try r.readBytes(count * MemoryLayout<T>.stride)
        r.skip(to: 8)
        return raw.bindMemory(to: T.self)
    }

    private func decode(_ tag: SectionTag, _ payload: UnsafeRawBufferPointer) throws {
        var r = ByteReader(payload)
        switch tag {
        case .persons:
            persons = try stringTable(&r)
        case .communities:
            let count = Int(try r.read(UInt64.self))
            communityKinds = try typed(&r, UInt8.self, count)
            communityNames = try stringTable(&r)
            guard communityNames!.count == count, communityKinds!.allSatisfy({ $0 <= 1 }) else {
                throw WarehouseError.damaged(path: path, reason: "bad community table")
            }
        case .contents:
            let count = Int(try r.read(UInt64.self))
            contentHashes = try typed(&r, UInt64.self, count * 2)
        case .events:
            let rows = Int(try r.read(UInt32.self))
            let groups = Int(try r.read(UInt32.self))
            var ranges: [EventBlockView.CommunityRange] = []
            ranges.reserveCapacity(groups)
            var expected = 0
            for _ in 0..<groups {
                let c: UInt32 = try r.read()
                let s = Int(try r.read(UInt32.self))
                let n = Int(try r.read(UInt32.self))
                _ = try r.read(UInt32.self)
                guard s == expected else { throw WarehouseError.damaged(path: path, reason: "bad block directory") }
                expected += n
                ranges.append(.init(community: c, start: s, count: n))
            }
            guard expected == rows else { throw WarehouseError.damaged(path: path, reason: "bad block directory") }
            let ts = try typed(&r, Int64.self, rows)
            let actor = try typed(&r, UInt32.self, rows)
            let content = try typed(&r, UInt32.self, rows)
            let parent = try typed(&r, UInt32.self, rows)
            let parentActor = try typed(&r, UInt32.self, rows)
            let offsets = try typed(&r, UInt32.self, rows + 1)
            var previous: UInt32 = 0
            for o in offsets {
                guard o >= previous else { throw WarehouseError.damaged(path: path, reason: "mention offsets out of order") }
                previous = o
            }
            let mentions = try typed(&r, UInt32.self, Int(offsets[rows]))
            let type = try typed(&r, UInt8.self, rows)
            blocks.append(
                EventBlockView(
                    rows: rows, communities: ranges, ts: ts, actor: actor, content: content, parent: parent,
                    parentActor: parentActor, mentionOffsets: offsets, mentions: mentions, type: type))
        case .dedupe:
            let dayCount = Int(try r.read(UInt64.self))
            let days = try typed(&r, Int32.self, dayCount)
            let counts = try typed(&r, UInt32.self, dayCount)
            var ms: [UnsafeBufferPointer<UInt32>] = []
            var hashes: [UnsafeBufferPointer<UInt64>] = []
            var previous = Int32.min
            for (d, c) in zip(days, counts) {
                guard d > previous else { throw WarehouseError.damaged(path: path, reason: "de-duplication days out of order") }
                previous = d
                ms.append(try typed(&r, UInt32.self, Int(c)))
                hashes.append(try typed(&r, UInt64.self, Int(c)))
            }
            dedupe = DedupeView(days: days, milliseconds: ms, hashes: hashes)
        }
    }
}

/// One section of a mapped run file, as its directory entry describes it.
struct Section: @unchecked Sendable {
    var tag: SectionTag
    var payload: UnsafeRawBufferPointer
    var crc: UInt32
}

/// Flags written by `concurrentPerform` iterations, each at its own index.
struct SharedFlags: @unchecked Sendable {
    let flags: UnsafeMutableBufferPointer<Bool>
    init(_ flags: UnsafeMutableBufferPointer<Bool>) { self.flags = flags }
}
