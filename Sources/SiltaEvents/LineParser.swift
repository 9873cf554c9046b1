/// One accepted event, as slices of the line it was parsed from (or of the
/// parser's scratch space for strings that held escapes). Valid until the
/// parser's next call.
public struct ParsedEvent {
    public var id: UnsafeRawBufferPointer
    public var ts: Int64
    public var community: UnsafeRawBufferPointer
    public var kind: CommunityKind
    public var actor: UnsafeRawBufferPointer
    public var type: EventType
    /// Present on `post`, `reply` and `share` only (where it has an effect).
    public var content: UnsafeRawBufferPointer?
    /// Present on `reply`, `react`, `share`, and on `view` when given.
    public var parent: UnsafeRawBufferPointer?
    /// Present where given, on the types that have a parent.
    public var parentActor: UnsafeRawBufferPointer?
    /// Number of `mentions` elements, on `post`, `reply` and `share` only
    /// (repeats included; see ``LineParser/mention(_:)``).
    public var mentionCount: Int

    /// A placeholder to parse into.
    public static var empty: ParsedEvent {
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        return ParsedEvent(
            id: none, ts: 0, community: none, kind: .external, actor: none, type: .join, content: nil, parent: nil,
            parentActor: nil, mentionCount: 0)
    }
}

/// The outcome of parsing one line.
public enum LineOutcome {
    case accepted(ParsedEvent)
    case rejected(RejectReason)
}

/// The byte-level parser for one log line (events.md): checks length, UTF-8,
/// the full JSON grammar (RFC 8259, any nesting depth, without recursion),
/// then each field in the table's order, and yields the event or exactly one
/// reject reason.
///
/// No `String`, `Foundation` JSON or date formatter is involved; strings
/// without escapes are returned as slices of the line. One parser per thread.
public struct LineParser {
    /// Longest accepted line, line end excluded.
    public static let maxLineBytes = 1_048_576

    // Per-line state, reused between lines so that parsing allocates nothing
    // once warmed up.
    /// One record per ``EventField``.
    @usableFromInline let fields: UnsafeMutablePointer<FieldRecord>
    @usableFromInline var mentionRecords: [FieldRecord] = []
    /// The scanner's container stack: one byte per open `{` or `[`, so a
    /// line's worth suffices for any nesting.
    @usableFromInline let stack: UnsafeMutablePointer<UInt8>
    @usableFromInline var scratch: UnsafeMutableRawBufferPointer
    @usableFromInline var scratchUsed = 0
    @usableFromInline var mentionSlices: [UnsafeRawBufferPointer] = []
    /// The date of the last timestamp parsed.
    @usableFromInline var dates = RFC3339.DateCache()

    /// The shortcuts (known keys read as words, the last date remembered)
    /// in use; off, every line takes the full scan. Only the tests and the
    /// fuzzer turn them off, to check that both give the same answer.
    @usableFromInline let shortcuts: Bool

    /// A parser; `shortcuts: false` makes one that never takes the fast
    /// paths, for checking them.
    public init(shortcuts: Bool = true) {
        self.shortcuts = shortcuts
        fields = .allocate(capacity: EventField.allCases.count)
        fields.initialize(repeating: FieldRecord(), count: EventField.allCases.count)
        stack = .allocate(capacity: Self.maxLineBytes + 1)
        // Unescaping never lengthens a string, so one line's worth suffices.
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.maxLineBytes + 16, alignment: 16)
        mentionRecords.reserveCapacity(16)
        mentionSlices.reserveCapacity(16)
    }

    /// Frees the scratch space; the parser must not be used afterwards.
    public func deallocate() {
        scratch.deallocate()
        fields.deallocate()
        stack.deallocate()
    }

    /// The `i`-th mention of the last accepted event, unescaped.
    public func mention(_ i: Int) -> UnsafeRawBufferPointer { mentionSlices[i] }

    /// Parses one line, its line end already removed.
    public mutating func parse(_ line: UnsafeRawBufferPointer) -> LineOutcome {
        var event = ParsedEvent.empty
        if let reason = parse(line, into: &event) { return .rejected(reason) }
        return .accepted(event)
    }

    /// Parses one line, its line end already removed, into `event`; returns
    /// the reject reason, or nil when the line is accepted. `event` is
    /// meaningful only when accepted. The form the ingest workers use: it
    /// fills the caller's event in place instead of returning one.
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout ParsedEvent) -> RejectReason? {
        if line.count > Self.maxLineBytes { return .lineTooLong }
        for f in 0..<EventField.allCases.count { fields[f].kind = .absent }
        if !mentionRecords.isEmpty { mentionRecords.removeAll(keepingCapacity: true) }
        scratchUsed = 0
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .invalidJSON
        }
        var scanner = JSONScanner(base: base, count: line.count, fastKeys: shortcuts)
        switch scanner.validate(fields: fields, mentions: &mentionRecords, stack: stack) {
        case .invalid:
            // Invalid UTF-8 anywhere outranks invalid JSON. A line that scans as
            // JSON had all its non-ASCII bytes (inside strings) checked already.
            return UTF8Validation.isValid(line) ? .invalidJSON : .invalidUTF8
        case .notObject: return .notObject
        case .object: break
        }
        return checkFields(base, into: &event)
    }

    // MARK: Field checks, in the table's order

    @usableFromInline
    mutating func checkFields(_ line: UnsafePointer<UInt8>, into event: inout ParsedEvent) -> RejectReason? {
        var id = UnsafeRawBufferPointer(start: nil, count: 0)
        var community = id
        var actor = id
        var ts: Int64 = 0
        var kind = CommunityKind.external
        var type = EventType.join

        func required(_ f: EventField, into out: inout UnsafeRawBufferPointer) -> RejectReason? {
            switch string(f, line) {
            case .absent: return .missingField
            case .invalid(let r): return r
            case .value(let v):
                out = v
                return nil
            }
        }

        if let r = required(.id, into: &id) { return r }
        var tsText = id
        if let r = required(.ts, into: &tsText) { return r }
        guard let instant = shortcuts ? RFC3339.parse(tsText, cache: &dates) : RFC3339.parse(tsText) else {
            return .badTimestamp
        }
        ts = instant
        if let r = required(.community, into: &community) { return r }
        var kindText = id
        if let r = required(.kind, into: &kindText) { return r }
        if bytesEqual(kindText, "internal") {
            kind = .internal
        } else if bytesEqual(kindText, "external") {
            kind = .external
        } else {
            return .unknownKind
        }
        if let r = required(.actor, into: &actor) { return r }
        var typeText = id
        if let r = required(.type, into: &typeText) { return r }
        guard let t = Self.eventType(typeText) else { return .unknownType }
        type = t

        var content: UnsafeRawBufferPointer?
        switch string(.content, line) {
        case .absent: if type.createsContent { return .missingField }
        case .invalid(let r): return r
        case .value(let v): if type.createsContent { content = v }
        }
        var parent: UnsafeRawBufferPointer?
        switch string(.parent, line) {
        case .absent: if type.needsParent { return .missingField }
        case .invalid(let r): return r
        case .value(let v): if type.needsParent || type == .view { parent = v }
        }
        var parentActor: UnsafeRawBufferPointer?
        switch string(.parentActor, line) {
        case .absent: break
        case .invalid(let r): return r
        case .value(let v): if type.needsParent || type == .view { parentActor = v }
        }
        if !mentionSlices.isEmpty { mentionSlices.removeAll(keepingCapacity: true) }
        let m = fields[EventField.mentions.rawValue]
        switch m.kind {
        case .absent, .null: break
        case .array:
            for element in mentionRecords {
                switch stringValue(element, line) {
                case .absent: return .wrongType  // a null element is not a string
                case .invalid(let r): return r
                case .value(let v): mentionSlices.append(v)
                }
            }
        default: return .wrongType
        }
        if !type.takesMentions && !mentionSlices.isEmpty { mentionSlices.removeAll(keepingCapacity: true) }
        switch string(.source, line) {
        case .absent, .value: break
        case .invalid(let r): return r
        }
        event = ParsedEvent(
            id: id, ts: ts, community: community, kind: kind, actor: actor, type: type,
            content: content, parent: parent, parentActor: parentActor, mentionCount: mentionSlices.count)
        return nil
    }

    @usableFromInline
    enum StringCheck {
        case absent
        case invalid(RejectReason)
        case value(UnsafeRawBufferPointer)
    }

    @inline(__always) @usableFromInline
    mutating func string(_ f: EventField, _ line: UnsafePointer<UInt8>) -> StringCheck {
        stringValue(fields[f.rawValue], line)
    }

    /// Type, then lone surrogate, then length (events.md "Bad input").
    @usableFromInline
    mutating func stringValue(_ r: FieldRecord, _ line: UnsafePointer<UInt8>) -> StringCheck {
        switch r.kind {
        case .absent, .null: return .absent
        case .string: break
        default: return .invalid(.wrongType)
        }
        let raw = UnsafeRawBufferPointer(start: line + r.start, count: r.end - r.start)
        var value = raw
        if r.hasEscapes {
            guard let unescaped = unescape(raw) else { return .invalid(.invalidUTF8) }
            value = unescaped
        }
        if value.count < FieldLimits.minBytes || value.count > FieldLimits.maxBytes { return .invalid(.wrongType) }
        return .value(value)
    }

    /// Decodes the escapes of a string body (already validated as JSON) into
    /// scratch space; `nil` when it holds a lone surrogate.
    @usableFromInline
    mutating func unescape(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let src = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = raw.count
        let out = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + scratchUsed
        var o = 0
        var i = 0
        while i < n {
            let c = src[i]
            if c != 0x5C {
                out[o] = c
                o += 1
                i += 1
                continue
            }
            let e = src[i + 1]
            i += 2
            switch e {
            case 0x62: out[o] = 0x08
            case 0x66: out[o] = 0x0C
            case 0x6E: out[o] = 0x0A
            case 0x72: out[o] = 0x0D
            case 0x74: out[o] = 0x09
            case 0x75:
                var cp = UInt32(hex4(src + i))
                i += 4
                if cp >= 0xD800 && cp <= 0xDBFF {
                    guard i + 6 <= n, src[i] == 0x5C, src[i + 1] == 0x75 else { return nil }
                    let low = UInt32(hex4(src + i + 2))
                    guard low >= 0xDC00 && low <= 0xDFFF else { return nil }
                    i += 6
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                } else if cp >= 0xDC00 && cp <= 0xDFFF {
                    return nil
                }
                o += encodeUTF8(cp, out + o)
                continue
            default: out[o] = e  // \" \\ \/
            }
            o += 1
        }
        let result = UnsafeRawBufferPointer(start: out, count: o)
        scratchUsed += o
        return result
    }

    @inline(__always) @usableFromInline
    func hex4(_ p: UnsafePointer<UInt8>) -> UInt16 {
        var v: UInt16 = 0
        for k in 0..<4 {
            let c = p[k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            default: d = c - 0x61 + 10
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    @inline(__always) @usableFromInline
    func encodeUTF8(_ cp: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        switch cp {
        case 0..<0x80:
            out[0] = UInt8(cp)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | (cp >> 6))
            out[1] = UInt8(0x80 | (cp & 0x3F))
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | (cp >> 12))
            out[1] = UInt8(0x80 | ((cp >> 6) & 0x3F))
            out[2] = UInt8(0x80 | (cp & 0x3F))
            return 3
        default:
            out[0] = UInt8(0xF0 | (cp >> 18))
            out[1] = UInt8(0x80 | ((cp >> 12) & 0x3F))
            out[2] = UInt8(0x80 | ((cp >> 6) & 0x3F))
            out[3] = UInt8(0x80 | (cp & 0x3F))
            return 4
        }
    }

    @inline(__always) @usableFromInline
    func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: StaticString) -> Bool {
        guard a.count == b.utf8CodeUnitCount else { return false }
        return memcmp(a.baseAddress!, b.utf8Start, a.count) == 0
    }

    @usableFromInline
    static func eventType(_ t: UnsafeRawBufferPointer) -> EventType? {
        guard t.count >= 4, t.count <= 5 else { return nil }
        let p = t.baseAddress!.assumingMemoryBound(to: UInt8.self)
        func eq(_ s: StaticString) -> Bool { s.utf8CodeUnitCount == t.count && memcmp(p, s.utf8Start, t.count) == 0 }
        switch p[0] {
        case 0x6A: return eq("join") ? .join : nil
        case 0x6C: return eq("leave") ? .leave : nil
        case 0x76: return eq("view") ? .view : nil
        case 0x70: return eq("post") ? .post : nil
        case 0x72: return eq("reply") ? .reply : (eq("react") ? .react : nil)
        case 0x73: return eq("share") ? .share : nil
        default: return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
