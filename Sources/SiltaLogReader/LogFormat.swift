import SiltaSupport

/// How a log file is stored, decided by its name alone (events.md): a name
/// ending in `.ndjson.gz` is gzip, one ending in `.ndjson` is plain, any other
/// file is not a log.
public enum LogCompression: Sendable {
    case gzip
    case plain

    public static let gzipSuffix = Array(".ndjson.gz".utf8)
    public static let plainSuffix = Array(".ndjson".utf8)

    /// The compression a file name says, or `nil` when it is not a log.
    public init?(fileName: [UInt8]) {
        if fileName.hasSuffix(Self.gzipSuffix) {
            self = .gzip
        } else if fileName.hasSuffix(Self.plainSuffix) {
            self = .plain
        } else {
            return nil
        }
    }
}

/// The bounds that keep reading safe on hostile input.
public struct ReadLimits: Sendable {
    /// Longest accepted line, line end excluded (events.md: 1 MiB).
    public var maxLineBytes = 1_048_576
    /// A chunk handed to a parser is cut at the last line end after this many bytes.
    public var chunkBytes = 4 << 20
    /// How much of a line longer than ``maxLineBytes`` is kept for the rejects file.
    public var oversizedPrefixBytes = 65_536
    /// A gzip file whose inflated line bytes exceed this many times the
    /// compressed bytes read so far (once past ``inflateRatioFloorBytes``) is
    /// treated as damaged: a decompression bomb. Real NDJSON logs compress 5
    /// to 20 times, and their unique ids and timestamps keep them far from
    /// 100. Bytes of lines too long to keep are not counted: they are skipped
    /// without being parsed, and ``maxSkippedLineBytes`` bounds them.
    public var maxInflateRatio = 100
    /// Below this many inflated line bytes the ratio is not checked, so that a
    /// few very repetitive lines never make an ordinary log look like a bomb.
    public var inflateRatioFloorBytes = 8 << 20
    /// A single line longer than this stops the file as damaged: no log has
    /// one, and skipping it would cost time without bound.
    public var maxSkippedLineBytes = 256 << 20
    /// Bytes read from disk, or inflated, per call.
    public var blockBytes = 256 << 10

    public init() {}

    /// The capacity every chunk buffer needs under these limits.
    public var bufferCapacity: Int { max(chunkBytes, maxLineBytes + 2) + blockBytes }
}

/// What the reader hands on, in file order.
public enum FramedItem: Sendable {
    /// Whole lines. Every line ends with `\n`, except the last line of the
    /// file, which may end without one. The buffer belongs to the receiver.
    case lines(ChunkBuffer)
    /// One line longer than ``ReadLimits/maxLineBytes``, which was never held
    /// whole in memory.
    case oversized(OversizedLine)
}

/// A line too long to accept, as much of it as is kept.
public struct OversizedLine: Sendable {
    /// Its length in bytes, line end excluded.
    public var length: Int
    /// Its first bytes (at most ``ReadLimits/oversizedPrefixBytes``).
    public var prefix: [UInt8]
    /// True when it holds nothing but spaces and tabs: a blank line, skipped.
    public var isBlank: Bool
}

/// Where and why a compressed file stopped being readable.
public struct LogDamage: Sendable, Equatable, CustomStringConvertible {
    /// Offset in the compressed file at which the damage was found.
    public var offset: Int
    /// The reason, in zlib's words where zlib gave one.
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at byte \(offset)" }
}

/// What reading one file amounted to.
public struct ReadSummary: Sendable {
    /// Bytes read from the file (its size, when read to the end).
    public var compressedBytes = 0
    /// Bytes after decompression (equal to ``compressedBytes`` for plain files).
    public var uncompressedBytes = 0
    /// ``StableHash128`` of the bytes read from the file, used to notice a
    /// file whose content changed.
    public var contentHash = StableHash128(low: 0, high: 0)
    /// Set when the file was damaged; every complete line before the damage was handed on.
    public var damage: LogDamage?

    public init() {}
}
