import SiltaEvents
import SiltaLogReader
import SiltaSupport
import SiltaWarehouse

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts for one file read in this run.
struct FileTally {
    var lines = 0
    var accepted = 0
    var rejected = 0
    var duplicates = 0
    /// Rejected lines by ``RejectReason`` raw value.
    var rejectedByReason = [Int](repeating: 0, count: RejectReason.allCases.count)
}

/// Merges parsed chunks, strictly in (file path, line) order, into the run:
/// interns persons, communities and content ids to warehouse ids, drops
/// duplicates (the copy read first wins: events.md "Duplicates"), appends
/// events to the run file block by block, and writes rejected lines.
///
/// Runs on one thread; the order it sees chunks in makes the warehouse the
/// same bytes whatever the number of workers.
struct Merger {
    private var persons: WideStringInterner
    private var communities: WideStringInterner
    private var contents: ContentInterner
    private var dedupe: DedupeIndex
    private let basePersons: Int
    private let baseCommunities: Int
    private let baseContents: Int
    private var block: EventBlockBuilder
    /// The rows in ``block``, counted here: asking the builder, in another
    /// module, after every event copied it whole to the stack, whose wide
    /// loads of what `append` had just stored stalled (4 % of ingest's
    /// samples, `perf annotate`).
    private var blockCount = 0
    private let blockRows: Int
    private let runPath: String
    private let generation: UInt64
    private var runWriter: RunFileWriter?
    let rejects: RejectsWriter
    private var personMap: [UInt32] = []
    private var communityMap: [UInt32] = []
    private var mentionScratch: [UInt32] = []
    /// One column of the block being written (see ``EventBlockBuilder/write(to:scratch:)``).
    private var encodeScratch: [UInt64] = []

    private(set) var stored = 0
    /// Stored events dated after ``futureAfter``, and the latest of them.
    private(set) var futureEvents = 0
    private(set) var latestFuture: Int64 = .min
    /// An instant a day after ingest started (UTC epoch milliseconds).
    var futureAfter: Int64 = .max
    private(set) var byType = [Int](repeating: 0, count: EventType.allCases.count)
    private(set) var tally = FileTally()

    init(
        existing runs: [RunFile], manifest: Manifest, location: WarehouseLocation, generation: UInt64, blockRows: Int,
        dedupeResidentKeys: Int = DedupeIndex.residentKeys
    ) {
        var persons = WideStringInterner(capacity: Int(manifest.persons) + 1024)
        var communities = WideStringInterner(capacity: Int(manifest.communities) + 64)
        var contents = ContentInterner(capacity: Int(manifest.contents) + 1024)
        for run in runs {
            if let table = run.persons {
                for i in 0..<table.count {
                    let b = table[i]
                    _ = persons.intern(b, hash: fastHash64(b))
                }
            }
            if let kinds = run.communityKinds, let names = run.communityNames {
                var key: [UInt8] = []
                for i in 0..<names.count {
                    key.removeAll(keepingCapacity: true)
                    key.append(kinds[i])
                    key.append(contentsOf: names[i])
                    key.withUnsafeBytes { _ = communities.intern($0, hash: fastHash64($0)) }
                }
            }
            if let hashes = run.contentHashes {
                for i in stride(from: 0, to: hashes.count, by: 2) {
                    _ = contents.intern(StableHash128(low: hashes[i], high: hashes[i + 1]))
                }
            }
        }
        self.persons = persons
        self.communities = communities
        self.contents = contents
        // A temporary name, so that the next ingest removes it after a crash.
        let spill =
            location.runsDirectory + "/." + RunFileLayout.fileName(generation: generation) + ".dedupe"
            + AtomicFileWriter.temporaryMarker + String(getpid())
        self.dedupe = DedupeIndex(runs: runs, spillPath: spill, residentKeys: dedupeResidentKeys)
        basePersons = persons.count
        baseCommunities = communities.count
        baseContents = contents.count
        self.blockRows = blockRows
        self.block = EventBlockBuilder(reserve: min(blockRows, 1 << 16))
        self.generation = generation
        runPath = location.runPath(generation: generation)
        rejects = RejectsWriter(path: location.rejectsPath(generation: generation))
    }

    var newPersons: Int { persons.count - basePersons }
    var newCommunities: Int { communities.count - baseCommunities }
    var newContents: Int { contents.count - baseContents }
    /// Days of de-duplication keys spilled from memory, and loaded again.
    var dedupeSpills: (spilled: Int, reloaded: Int) { (dedupe.spills, dedupe.reloads) }

    /// Starts counting a new file.
    mutating func beginFile() { tally = FileTally() }

    /// Merges one parsed chunk whose first line has number `firstLine`.
    mutating func merge(_ chunk: ParsedChunk, file: String, firstLine: Int) throws {
        let r = chunk.rejects
        for i in 0..<r.count {
            try reject(file: file, line: firstLine + Int(r.lineIndex[i]), reason: r.reason[i], raw: r.raw(i), length: Int(r.length[i]))
        }
        let n = chunk.rows.count
        tally.lines += n
        tally.accepted += n
        if n == 0 { return }

        // The tables of the whole warehouse are far larger than the caches:
        // each lookup asks for its slot `lookahead` lookups ahead, so that the
        // memory reads overlap (a third of the merger's time went waiting).
        let lookahead = 12
        let localPersons = chunk.persons.count
        for local in 0..<min(lookahead, localPersons) { persons.prefetch(hash: chunk.persons.hash(UInt32(local))) }
        personMap.removeAll(keepingCapacity: true)
        for local in 0..<UInt32(localPersons) {
            if Int(local) + lookahead < localPersons { persons.prefetch(hash: chunk.persons.hash(local + UInt32(lookahead))) }
            let id = chunk.persons.withBytes(local) { persons.intern($0, hash: chunk.persons.hash(local)).id }
            personMap.append(id)
        }
        communityMap.removeAll(keepingCapacity: true)
        for local in 0..<UInt32(chunk.communities.count) {
            let id = chunk.communities.withBytes(local) { communities.intern($0, hash: chunk.communities.hash(local)).id }
            communityMap.append(id)
        }
        let none = RunFileLayout.none
        for k in 0..<min(lookahead, n) { prefetchSlots(chunk, k) }
        // The chunk's columns and the id maps through buffer pointers, taken
        // once: reading them as arrays cost a retain and a release an event.
        let (personIds, communityIds) = (personMap, communityMap)
        try chunk.rows.withUnsafeBufferPointer { rows in
            try chunk.mentionOffsets.withUnsafeBufferPointer { offsets in
                try chunk.mentions.withUnsafeBufferPointer { mentions in
                    try personIds.withUnsafeBufferPointer { personIds in
                        try communityIds.withUnsafeBufferPointer { communityIds in
                            for i in 0..<n {
                                if i + lookahead < n { prefetchSlots(chunk, i + lookahead) }
                                let row = rows[i]
                                byType[Int(row.type)] += 1
                                guard try dedupe.insert(ts: row.ts, idHash: row.idHash) else {
                                    tally.duplicates += 1
                                    continue
                                }
                                let flags = row.flags
                                let content = flags & ParsedChunk.hasContent != 0 ? contents.intern(row.content).id : none
                                let parent = flags & ParsedChunk.hasParent != 0 ? contents.intern(row.parent).id : none
                                let parentActor = flags & ParsedChunk.hasParentActor != 0 ? personIds[Int(row.parentActor)] : none
                                mentionScratch.removeAll(keepingCapacity: true)
                                for k in Int(offsets[i])..<Int(offsets[i + 1]) { mentionScratch.append(personIds[Int(mentions[k])]) }
                                mentionScratch.withUnsafeBufferPointer { m in
                                    block.append(
                                        ts: row.ts, community: communityIds[Int(row.community)], actor: personIds[Int(row.actor)],
                                        type: row.type, content: content, parent: parent, parentActor: parentActor, mentions: m)
                                }
                                stored += 1
                                if row.ts > futureAfter {
                                    futureEvents += 1
                                    latestFuture = max(latestFuture, row.ts)
                                }
                                blockCount += 1
                                if blockCount >= blockRows { try flushBlock() }
                            }
                        }
                    }
                }
            }
        }
        if persons.count > Int(UInt32.max - 1) { throw WarehouseError.full(what: "persons") }
        if contents.count > Int(UInt32.max - 1) { throw WarehouseError.full(what: "content ids") }
    }

    /// Asks for the slots event `k` of `chunk` will look up: its
    /// de-duplication key and its content ids.
    @inline(__always)
    private func prefetchSlots(_ chunk: borrowing ParsedChunk, _ k: Int) {
        let row = chunk.rows[k]
        dedupe.prefetch(ts: row.ts, idHash: row.idHash)
        if row.flags & ParsedChunk.hasContent != 0 { contents.prefetch(row.content) }
        if row.flags & ParsedChunk.hasParent != 0 { contents.prefetch(row.parent) }
    }

    /// Records a line too long to parse.
    mutating func oversized(_ line: OversizedLine, file: String, lineNumber: Int) throws {
        if line.isBlank { return }
        try reject(file: file, line: lineNumber, reason: .lineTooLong, raw: line.prefix[...], length: line.length)
    }

    private mutating func reject(file: String, line: Int, reason: RejectReason, raw: ArraySlice<UInt8>, length: Int) throws {
        tally.lines += 1
        tally.rejected += 1
        tally.rejectedByReason[Int(reason.rawValue)] += 1
        try rejects.write(file: file, line: line, reason: reason, raw: raw, length: length)
    }

    private mutating func writer() throws -> RunFileWriter {
        if let runWriter { return runWriter }
        let w = try RunFileWriter(path: runPath, generation: generation)
        runWriter = w
        return w
    }

    private mutating func flushBlock() throws {
        guard blockCount > 0 else { return }
        try block.write(to: writer(), scratch: &encodeScratch)
        block.removeAll()
        blockCount = 0
    }

    /// Finishes the run file; returns its size, or nil when the run added nothing.
    mutating func finish() throws -> Int? {
        try flushBlock()
        guard newPersons + newCommunities + newContents + stored > 0 else { return nil }
        let w = try writer()
        var names: [[UInt8]] = []
        for id in basePersons..<persons.count { names.append(Array(persons.bytes(UInt32(id)))) }
        try w.appendSection(.persons, RunSections.persons(names))
        var list: [(kind: UInt8, name: [UInt8])] = []
        for id in baseCommunities..<communities.count {
            let key = communities.bytes(UInt32(id))
            list.append((key.first!, Array(key.dropFirst())))
        }
        try w.appendSection(.communities, RunSections.communities(list))
        try w.appendSection(.contents, RunSections.contents(contents.hashes[baseContents...]))
        try dedupe.write(to: w)
        dedupe.discard()
        try w.commit()
        return w.size
    }

    /// Drops everything written so far.
    func abandon() {
        dedupe.discard()
        runWriter?.abandon()
        rejects.abandon()
    }
}
