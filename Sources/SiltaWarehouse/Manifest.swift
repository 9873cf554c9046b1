import SiltaSupport

/// The warehouse's commit point (`WAREHOUSE/MANIFEST`): which run files exist,
/// how many ids of each kind they define, and which log files were ingested.
///
/// Replaced atomically at the end of every ingest that read something: a run
/// file the manifest does not name does not exist, and the next ingest removes
/// it. See docs/warehouse.md for the byte layout.
public struct Manifest: Sendable, Equatable {
    /// Format version this Silta writes and reads.
    public static let version: UInt32 = 1
    static let magic = Array("SILTAMAN".utf8)

    /// One committed ingest run and its file.
    public struct Run: Sendable, Equatable {
        public var generation: UInt64
        /// Size of `runs/<generation>.run` in bytes.
        public var fileSize: UInt64
        /// New events stored by the run (after de-duplication).
        public var events: UInt64
        /// Whether the run also wrote a rejects file.
        public var hasRejects: Bool

        public init(generation: UInt64, fileSize: UInt64, events: UInt64, hasRejects: Bool) {
            self.generation = generation
            self.fileSize = fileSize
            self.events = events
            self.hasRejects = hasRejects
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
        for r in runs {
            w.append(r.generation)
            w.append(r.fileSize)
            w.append(r.events)
            w.append(UInt8(r.hasRejects ? 1 : 0))
        }
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
                guard version == Self.version else {
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
                    runs.append(
                        Run(
                            generation: try r.read(), fileSize: try r.read(), events: try r.read(),
                            hasRejects: try r.read(UInt8.self) != 0))
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
