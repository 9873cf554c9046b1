import SiltaSupport

/// The warehouse's commit point (`WAREHOUSE/MANIFEST`): which run files exist,
/// how many ids of each kind they define, and which log files were ingested.
///
/// Replaced atomically at the end of every ingest that read something: a run
/// file the manifest does not name does not exist, and the next ingest removes
/// it. See docs/warehouse.md for the byte layout.
public struct Manifest: Sendable, Equatable {
    /// Format version this Silta writes. Version 2 added merged runs (a
    /// first generation, a count of merged runs and the generations with
    /// rejects, per run).
    public static let version: UInt32 = 2
    /// The formats read: a version 1 manifest is read and written anew as 2.
    public static let readableVersions: ClosedRange<UInt32> = 1...2
    static let magic = Array("SILTAMAN".utf8)

    /// One committed run file: the events of one ingest run, or of
    /// consecutive runs that compaction merged (``RunCompaction``).
    public struct Run: Sendable, Equatable {
        /// The last generation whose events the file holds (its header's).
        public var generation: UInt64
        /// The first such generation: `generation` for the file of one run.
        public var firstGeneration: UInt64
        /// How many ingest runs' files were merged into this one (1: none).
        public var mergedRuns: UInt64
        /// Size of the run file (``WarehouseLocation/runPath(of:)``) in bytes.
        public var fileSize: UInt64
        /// Events stored by the runs (after de-duplication).
        public var events: UInt64
        /// The generations of the runs that wrote a rejects file, ascending.
        /// Rejects files are never merged: each stays under its own generation.
        public var rejectGenerations: [UInt64]

        /// Whether any of the runs wrote a rejects file.
        public var hasRejects: Bool { !rejectGenerations.isEmpty }

        /// The file of one ingest run.
        public init(generation: UInt64, fileSize: UInt64, events: UInt64, hasRejects: Bool) {
            self.init(
                generation: generation, firstGeneration: generation, mergedRuns: 1, fileSize: fileSize, events: events,
                rejectGenerations: hasRejects ? [generation] : [])
        }

        public init(
            generation: UInt64, firstGeneration: UInt64, mergedRuns: UInt64, fileSize: UInt64, events: UInt64,
            rejectGenerations: [UInt64]
        ) {
            self.generation = generation
            self.firstGeneration = firstGeneration
            self.mergedRuns = mergedRuns
            self.fileSize = fileSize
            self.events = events
            self.rejectGenerations = rejectGenerations
        }

        /// True when `other`'s generations lie within this run's.
        public func covers(_ other: Run) -> Bool {
            firstGeneration <= other.firstGeneration && other.generation <= generation
        }

        /// Appends the run in the current format (also used by the kept
        /// reports' state, which records the runs it saw).
        public func encode(into w: inout ByteWriter) {
            w.append(generation)
            w.append(firstGeneration)
            w.append(mergedRuns)
            w.append(fileSize)
            w.append(events)
            w.append(UInt32(rejectGenerations.count))
            for g in rejectGenerations { w.append(g) }
        }

        /// Reads a run written by ``encode(into:)`` (`format` 2) or by
        /// format 1 (generation, size, events, a rejects flag).
        public init(reading r: inout ByteReader, format: UInt32) throws {
            if format == 1 {
                self.init(
                    generation: try r.read(), fileSize: try r.read(), events: try r.read(), hasRejects: try r.read(UInt8.self) != 0)
                return
            }
            let generation: UInt64 = try r.read()
            let firstGeneration: UInt64 = try r.read()
            let mergedRuns: UInt64 = try r.read()
            let fileSize: UInt64 = try r.read()
            let events: UInt64 = try r.read()
            let n = Int(try r.read(UInt32.self))
            guard n <= r.remaining / 8 else { throw ByteReader.Truncated() }
            var rejects: [UInt64] = []
            for _ in 0..<n { rejects.append(try r.read()) }
            self.init(
                generation: generation, firstGeneration: firstGeneration, mergedRuns: mergedRuns, fileSize: fileSize, events: events,
                rejectGenerations: rejects)
        }
    }

    /// One ingested log file, keyed by its path relative to the logs folder.
    public struct IngestedFile: Sendable, Equatable {
        public var path: [UInt8]
        public var size: UInt64
        public var contentHash: StableHash128
        /// The run that last read it.
        public var generation: UInt64
        public var lines: UInt64
        public var accepted: UInt64
        public var rejected: UInt64
        /// Empty when the file was read to its end; otherwise where and why reading stopped.
        public var damage: String

        public init(
            path: [UInt8], size: UInt64, contentHash: StableHash128, generation: UInt64,
            lines: UInt64, accepted: UInt64, rejected: UInt64, damage: String
        ) {
            self.path = path
            self.size = size
            self.contentHash = contentHash
            self.generation = generation
            self.lines = lines
            self.accepted = accepted
            self.rejected = rejected
            self.damage = damage
        }
    }

    /// The generation of the last committed run (0: nothing ingested yet).
    public var generation: UInt64 = 0
    public var runs: [Run] = []
    public var persons: UInt64 = 0
    public var communities: UInt64 = 0
    public var contents: UInt64 = 0
    public var events: UInt64 = 0
    /// Sorted bytewise by path.
    public var files: [IngestedFile] = []

    public init() {}

    /// The entry for `path`, if that file was ingested.
    public func file(at path: [UInt8]) -> IngestedFile? {
        let lo = lowerBound(files.indices) { files[$0].path.lexicographicallyPrecedes(path) }
        return lo < files.count && files[lo].path == path ? files[lo] : nil
    }

    /// Adds or replaces the entries for `updated`, keeping the list sorted.
    public mutating func record(_ updated: [IngestedFile]) {
        var byPath: [[UInt8]: IngestedFile] = [:]
        for f in files { byPath[f.path] = f }
        for f in updated { byPath[f.path] = f }
        files = byPath.values.sorted { $0.path.lexicographicallyPrecedes($1.path) }
    }

    // MARK: Encoding

    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.append(Self.magic)
        w.append(Self.version)
        w.append(UInt32(0))
        w.append(generation)
        w.append(persons)
        w.append(communities)
        w.append(contents)
        w.append(events)
        w.append(UInt32(runs.count))
        for r in runs { r.encode(into: &w) }
        w.append(UInt32(files.count))
        for f in files {
            w.appendBlob(f.path)
            w.append(f.size)
            w.append(f.contentHash.low)
            w.append(f.contentHash.high)
            w.append(f.generation)
            w.append(f.lines)
            w.append(f.accepted)
            w.append(f.rejected)
            w.appendBlob(Array(f.damage.utf8))
        }
        let crc = CRC32.of(w.bytes)
        w.append(crc)
        return w.bytes
    }

    public init(decoding bytes: [UInt8], path: String) throws {
        guard bytes.count >= 12 else { throw WarehouseError.damaged(path: path, reason: "too short") }
        let body = bytes.count - 4
        let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: body, as: UInt32.self) }
        guard Array(bytes[0..<8]) == Self.magic else { throw WarehouseError.damaged(path: path, reason: "not a Silta manifest") }
        let crc = bytes.withUnsafeBytes { CRC32.of(UnsafeRawBufferPointer(rebasing: $0[..<body])) }
        guard UInt32(littleEndian: stored) == crc else { throw WarehouseError.damaged(path: path, reason: "checksum mismatch") }
        do {
            try bytes.withUnsafeBytes { raw in
                var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<body]), offset: 8)
                let version = try r.read(UInt32.self)
                guard Self.readableVersions.contains(version) else {
                    throw WarehouseError.unsupportedVersion(path: path, found: version, supported: Self.version)
                }
                _ = try r.read(UInt32.self)
                generation = try r.read()
                persons = try r.read()
                communities = try r.read()
                contents = try r.read()
                events = try r.read()
                let runCount = Int(try r.read(UInt32.self))
                for _ in 0..<runCount {
                    let run = try Run(reading: &r, format: version)
                    // Runs ascend and never overlap: each generation's events are in one file.
                    guard run.firstGeneration <= run.generation, run.mergedRuns >= 1,
                        run.mergedRuns <= run.generation - run.firstGeneration + 1,
                        runs.last.map({ $0.generation < run.firstGeneration }) ?? true,
                        run.rejectGenerations.allSatisfy({ run.firstGeneration <= $0 && $0 <= run.generation })
                    else { throw WarehouseError.damaged(path: path, reason: "run list out of order") }
                    runs.append(run)
                }
                let fileCount = Int(try r.read(UInt32.self))
                files.reserveCapacity(fileCount)
                for _ in 0..<fileCount {
                    let p = try r.readBlob()
                    let size: UInt64 = try r.read()
                    let low: UInt64 = try r.read()
                    let high: UInt64 = try r.read()
                    files.append(
                        IngestedFile(
                            path: p, size: size, contentHash: StableHash128(low: low, high: high),
                            generation: try r.read(), lines: try r.read(), accepted: try r.read(),
                            rejected: try r.read(), damage: String(decoding: try r.readBlob(), as: UTF8.self)))
                }
                guard r.remaining == 0 else { throw WarehouseError.damaged(path: path, reason: "trailing bytes") }
            }
        } catch is ByteReader.Truncated {
            throw WarehouseError.damaged(path: path, reason: "truncated")
        }
    }
}
