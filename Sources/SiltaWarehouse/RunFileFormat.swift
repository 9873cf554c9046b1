import SiltaSupport

#if !_endian(little)
#error("The warehouse format is little-endian and is read in place; port the readers before building for a big-endian machine.")
#endif

/// The sections of a run file (docs/warehouse.md). The tags are four ASCII
/// letters stored as a little-endian `UInt32`.
public enum SectionTag: UInt32, Sendable {
    /// Persons first seen in the run.
    case persons = 0x4E53_5250  // "PRSN"
    /// Communities first seen in the run.
    case communities = 0x5954_4D43  // "CMTY"
    /// Content ids first seen in the run (as 128-bit hashes).
    case contents = 0x5354_4E43  // "CNTS"
    /// A block of events, sorted by community then time.
    case events = 0x4254_5645  // "EVTB"
    /// The run's de-duplication keys, grouped by UTC day.
    case dedupe = 0x5055_4444  // "DDUP"
}

/// Constants of the run file layout.
public enum RunFileLayout {
    /// CRC-32 of a 32-byte header with its checksum field read as zero.
    public static func headerCRC(_ header: UnsafeRawBufferPointer) -> UInt32 {
        var copy = Array(header.prefix(headerBytes))
        for i in headerCRCOffset..<(headerCRCOffset + 4) { copy[i] = 0 }
        return copy.withUnsafeBytes { CRC32.of($0) }
    }

    public static let magic = Array("SILTARUN".utf8)
    public static let endMagic = Array("SILTAEND".utf8)
    /// The format written. Version 2 added the header checksum; version 1
    /// files (no checksum) are still read, their generation checked against
    /// the manifest.
    public static let version: UInt32 = 2
    /// The formats read.
    public static let readableVersions: ClosedRange<UInt32> = 1...2
    public static let headerBytes = 32
    /// Where the header's CRC-32 sits (from version 2 on): bytes 12..<16,
    /// computed over the 32 header bytes with these four set to zero.
    public static let headerCRCOffset = 12
    /// Where the header holds the first generation of a merged file (bytes
    /// 24..<32; zero in the file of one run).
    public static let firstGenerationOffset = 24
    public static let trailerBytes = 24
    public static let directoryEntryBytes = 24
    /// The value of an id column where there is no id.
    public static let none: UInt32 = .max

    /// `<generation, 8 digits>.run`
    public static func fileName(generation: UInt64) -> String { digits(generation) + ".run" }

    /// The file of `run`: `<generation>.run` for one ingest run,
    /// `<first>-<last>.run` for runs merged by compaction.
    public static func fileName(of run: Manifest.Run) -> String {
        run.firstGeneration == run.generation
            ? fileName(generation: run.generation) : digits(run.firstGeneration) + "-" + fileName(generation: run.generation)
    }

    private static func digits(_ n: UInt64) -> String {
        let d = String(n)
        return String(repeating: "0", count: max(0, 8 - d.count)) + d
    }
}
