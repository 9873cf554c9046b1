import SiltaSupport

/// How a log file is stored, decided by its name alone (events.md): a name
/// ending in `.ndjson.gz` is gzip, one ending in `.ndjson` is plain, any other
/// file is not a log.
package enum LogCompression: Sendable {
    case gzip
    case plain

    package static let gzipSuffix = Array(".ndjson.gz".utf8)
    package static let plainSuffix = Array(".ndjson".utf8)

    /// The compression a file name says, or `nil` when it is not a log.
    package init?(fileName: [UInt8]) {
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
package struct ReadLimits: Sendable {
    /// Longest accepted line, line end excluded (events.md: 1 MiB).
    package var maxLineBytes = 1_048_576
    /// A chunk handed to a parser is cut at the last line end after this many bytes.
    package var chunkBytes = 4 << 20
    /// How much of a rejected line is kept for the rejects file (of a line
    /// longer than ``maxLineBytes``, the part held in memory at all).
    package var oversizedPrefixBytes = 65_536
    /// A file that yields more than this many bytes (after inflating) is cut
    /// there, as damaged: a decompression bomb, or a log far larger than any
    /// real day's (64 GiB by default; make `MAX_FILE_BYTES`). An absolute
    /// bound, not a ratio: ordinary logs of repetitive text compress 100 or
    /// 200 times, and must be read in full.
    package var maxFileBytes = 64 << 30
    /// A file still being read after this many seconds is cut there, as
    /// damaged (an hour by default; make `MAX_FILE_SECONDS`).
    package var maxFileSeconds: Double = 3600
    /// A single line longer than this stops the file as damaged, like the
    /// two limits above: no log has one, and skipping it would cost time
    /// without bound.
    package var maxSkippedLineBytes = 256 << 20
    /// Bytes read from disk, or inflated, per call.
    package var blockBytes = 256 << 10

    package init() {}

    /// The capacity every chunk buffer needs under these limits.
    package var bufferCapacity: Int { max(chunkBytes, maxLineBytes + 2) + blockBytes }
}

/// What the reader hands on, in file order.
package enum FramedItem: Sendable {
    /// Whole lines. Every line ends with `\n`, except the last line of the
    /// file, which may end without one. The buffer belongs to the receiver.
    case lines(ChunkBuffer)
    /// One line longer than ``ReadLimits/maxLineBytes``, which was never held
    /// whole in memory.
    case oversized(OversizedLine)
}

/// A line too long to accept, as much of it as is kept.
package struct OversizedLine: Sendable {
    /// Its length in bytes, line end excluded.
    package var length: Int
    /// Its first bytes (at most ``ReadLimits/oversizedPrefixBytes``).
    package var prefix: [UInt8]
    /// True when it holds nothing but spaces and tabs: a blank line, skipped.
    package var isBlank: Bool
}

/// Where and why a compressed file stopped being readable.
package struct LogDamage: Sendable, Equatable, CustomStringConvertible {
    /// Offset in the compressed file at which the damage was found.
    package var offset: Int
    /// The reason, in zlib's words where zlib gave one.
    package var reason: String
    /// True when reading stopped at one of ``ReadLimits``' bounds rather than
    /// at broken bytes: the file is then not recorded as ingested, so that a
    /// raised limit reads it in full the next time.
    package var limitReached: Bool

    package init(offset: Int, reason: String, limitReached: Bool = false) {
        self.offset = offset
        self.reason = reason
        self.limitReached = limitReached
    }

    package var description: String { "\(reason) at byte \(offset)" }
}

/// What reading one file amounted to.
package struct ReadSummary: Sendable {
    /// Bytes read from the file (its size, when read to the end).
    package var compressedBytes = 0
    /// Bytes after decompression (equal to ``compressedBytes`` for plain files).
    package var uncompressedBytes = 0
    /// ``StableHash128`` of the bytes read from the file, used to notice a
    /// file whose content changed.
    package var contentHash = StableHash128(low: 0, high: 0)
    /// Set when the file was damaged; every complete line before the damage was handed on.
    package var damage: LogDamage?
    /// Seconds the read took (inflating and framing; parsing runs alongside).
    package var seconds = 0.0

    package init() {}
}
