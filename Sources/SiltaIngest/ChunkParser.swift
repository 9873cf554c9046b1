import SiltaEvents
import SiltaLogReader
import SiltaSupport

/// The lines of a chunk that were rejected, column by column, their kept
/// bytes end to end in one array (a chunk can hold a million short bad lines).
struct RejectedLines: Sendable {
    /// 0-based index of each line within its chunk.
    var lineIndex: [UInt32] = []
    var reason: [RejectReason] = []
    /// Each line's full length, line end excluded (a chunk's lines are at
    /// most ``ReadLimits/maxLineBytes`` long; 32 bits keep a chunk of a
    /// million short bad lines small).
    var length: [UInt32] = []
    /// The kept bytes (at most ``ReadLimits/oversizedPrefixBytes`` per line), end to end.
    var bytes: [UInt8] = []
    var ends: [UInt32] = []

    var count: Int { lineIndex.count }

    mutating func append(lineIndex: Int, reason: RejectReason, line: UnsafeRawBufferPointer, keep: Int) {
        self.lineIndex.append(UInt32(lineIndex))
        self.reason.append(reason)
        length.append(UInt32(line.count))
        bytes.append(contentsOf: line.prefix(keep))
        ends.append(UInt32(bytes.count))
    }

    /// The kept bytes of rejected line `i`.
    func raw(_ i: Int) -> ArraySlice<UInt8> { bytes[(i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])] }
}

/// What a parser made of one chunk: accepted events with chunk-local ids,
/// rejected lines, and the strings those local ids stand for. The merger
/// turns local ids into warehouse ids, in file order.
struct ParsedChunk: Sendable {
    static let hasContent: UInt8 = 1
    static let hasParent: UInt8 = 2
    static let hasParentActor: UInt8 = 4

    /// One accepted event, its strings as chunk-local ids and hashes. One
    /// record per event, not a column per field: a line's ten appends were
    /// ten uniqueness checks, and the merger reads every field of a row.
    struct Row {
        var ts: Int64
        var idHash: UInt64
        var content: StableHash128
        var parent: StableHash128
        var actor: UInt32
        var community: UInt32
        var parentActor: UInt32
        var type: UInt8
        /// ``hasContent``, ``hasParent``, ``hasParentActor``.
        var flags: UInt8
    }

    /// Lines in the chunk, blank ones included.
    var lineCount = 0
    var rows: [Row] = []
    /// Row `i`'s mentions are `mentions[mentionOffsets[i] ..< mentionOffsets[i + 1]]`.
    var mentionOffsets: [UInt32] = [0]
    var mentions: [UInt32] = []
    var persons = StringInterner(capacity: 4096)
    /// Communities, each key being the kind's raw value followed by the id.
    var communities = StringInterner(capacity: 64)
    var rejects = RejectedLines()

    /// Room for about `rows` events, so that appending never reallocates.
    mutating func reserve(_ rows: Int) {
        self.rows.reserveCapacity(rows)
        mentionOffsets.reserveCapacity(rows + 1)
    }
}

/// Parses chunks of lines on a worker thread. One per worker.
final class ChunkParser {
    private var state: LineState?

    /// - Parameter limits: the longest line accepted (``ReadLimits/maxLineBytes``,
    ///   the one length rule, whether or not the framer had to follow the line
    ///   without holding it) and how much of a rejected line is kept
    ///   (``ReadLimits/oversizedPrefixBytes``).
    init(limits: ReadLimits) {
        state = LineState(keep: limits.oversizedPrefixBytes, maxLine: min(limits.maxLineBytes, LineParser.maxLineBytes))
    }

    /// What parsing a chunk works with; moved out of the class for the
    /// duration of a chunk, so that the per-line code touches only locals.
    private struct LineState {
        var keep: Int
        var maxLine: Int
        var parser = LineParser()
        var keyScratch = [UInt8](repeating: 0, count: 1 + FieldLimits.maxBytes)
        /// The line being parsed, filled in place.
        var event = ParsedEvent.empty
    }

    deinit { state?.parser.deallocate() }

    /// Parses every line of `buffer`.
    func parse(_ buffer: ChunkBuffer) -> ParsedChunk {
        var local = state!
        state = nil
        defer { state = local }
        return Self.parse(buffer, &local)
    }

    private static func parse(_ buffer: ChunkBuffer, _ st: inout LineState) -> ParsedChunk {
        var out = ParsedChunk()
        let bytes = buffer.bytes
        guard let base = bytes.baseAddress else { return out }
        out.reserve(bytes.count / 120 + 16)
        let n = bytes.count
        var start = 0
        var index = 0
        while start < n {
            let end: Int
            if let p = memchr(base + start, 0x0A, n - start) {
                end = base.distance(to: UnsafeRawPointer(p))
            } else {
                end = n
            }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<lineEnd])
            if !isBlank(line) { handle(line, index: index, &st, into: &out) }
            index += 1
            start = end + 1
        }
        out.lineCount = index
        return out
    }

    /// Blank: nothing but spaces and tabs (events.md).
    @inline(__always)
    private static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for b in line where b != 0x20 && b != 0x09 { return false }
        return true
    }

    private static func handle(_ line: UnsafeRawBufferPointer, index: Int, _ st: inout LineState, into out: inout ParsedChunk) {
        if line.count > st.maxLine {
            out.rejects.append(lineIndex: index, reason: .lineTooLong, line: line, keep: st.keep)
            return
        }
        if let reason = st.parser.parse(line, into: &st.event) {
            out.rejects.append(lineIndex: index, reason: reason, line: line, keep: st.keep)
        } else {
            let e = st.event
            let zero = StableHash128(low: 0, high: 0)
            var flags: UInt8 = 0
            if e.content != nil { flags |= ParsedChunk.hasContent }
            if e.parent != nil { flags |= ParsedChunk.hasParent }
            if e.parentActor != nil { flags |= ParsedChunk.hasParentActor }
            let row = ParsedChunk.Row(
                ts: e.ts, idHash: StableHash128(e.id).low, content: e.content.map { StableHash128($0) } ?? zero,
                parent: e.parent.map { StableHash128($0) } ?? zero, actor: person(e.actor, &out),
                community: community(e.kind, e.community, &st, &out), parentActor: e.parentActor.map { person($0, &out) } ?? 0,
                type: e.type.rawValue, flags: flags)
            out.rows.append(row)
            let first = out.mentions.count
            for m in 0..<e.mentionCount {
                let id = person(st.parser.mention(m), &out)
                // A person mentioned twice in one event counts once.
                if !out.mentions[first...].contains(id) { out.mentions.append(id) }
            }
            out.mentionOffsets.append(UInt32(out.mentions.count))
        }
    }

    @inline(__always)
    private static func person(_ bytes: UnsafeRawBufferPointer, _ out: inout ParsedChunk) -> UInt32 {
        out.persons.intern(bytes, hash: fastHash64(bytes)).id
    }

    private static func community(
        _ kind: CommunityKind, _ name: UnsafeRawBufferPointer, _ st: inout LineState, _ out: inout ParsedChunk
    ) -> UInt32 {
        st.keyScratch[0] = kind.rawValue
        return st.keyScratch.withUnsafeMutableBytes { raw in
            raw.baseAddress!.advanced(by: 1).copyMemory(from: name.baseAddress!, byteCount: name.count)
            let key = UnsafeRawBufferPointer(rebasing: raw[0..<(1 + name.count)])
            return out.communities.intern(key, hash: fastHash64(key)).id
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
