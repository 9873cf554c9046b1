/// What a JSON value was, as far as field checks care.
@usableFromInline
enum ValueKind: UInt8 {
    case absent, null, string, number, bool, object, array
}

/// Where a known field's value sits in the line. For strings, `start..<end`
/// is the body between the quotes, still escaped when `hasEscapes`.
@usableFromInline
struct FieldRecord {
    @usableFromInline var kind: ValueKind = .absent
    @usableFromInline var start = 0
    @usableFromInline var end = 0
    @usableFromInline var hasEscapes = false

    @usableFromInline init() {}

    @usableFromInline init(kind: ValueKind, start: Int = 0, end: Int = 0, hasEscapes: Bool = false) {
        self.kind = kind
        self.start = start
        self.end = end
        self.hasEscapes = hasEscapes
    }
}

/// A validating, non-recursive JSON scanner (RFC 8259) over one line whose
/// UTF-8 is already known to be valid. Containers of any depth are tracked on
/// an explicit stack, so nesting is bounded by the line, not by the thread's
/// stack. While validating it records, for the top-level object, where each
/// known field's last occurrence is, and the elements of `mentions`.
@usableFromInline
struct JSONScanner {
    @usableFromInline enum Outcome { case invalid, notObject, object }

    private static let objectMark: UInt8 = 1
    private static let arrayMark: UInt8 = 2

    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0

    @usableFromInline
    init(base: UnsafePointer<UInt8>, count: Int) {
        p = base
        n = count
    }

    private enum State { case value, firstKeyOrEnd, key, firstValueOrEnd, afterValue }

    @usableFromInline
    mutating func validate(
        fields: UnsafeMutablePointer<FieldRecord>, mentions: inout [FieldRecord], stack: UnsafeMutablePointer<UInt8>
    ) -> Outcome {
        var depth = 0
        skipWhitespace()
        guard i < n else { return .invalid }
        let topIsObject = p[i] == 0x7B
        var state = State.value
        var currentField = -1
        var inMentions = false
        let mentionsField = EventField.mentions.rawValue

        @inline(__always) func record(_ r: FieldRecord, depth: Int) {
            if depth == 1 && topIsObject {
                if currentField >= 0 {
                    fields[currentField] = r
                    if currentField == mentionsField { mentions.removeAll(keepingCapacity: true) }
                }
            } else if depth == 2 && inMentions {
                mentions.append(r)
            }
        }

        while true {
            switch state {
            case .value:
                skipWhitespace()
                guard i < n else { return .invalid }
                switch p[i] {
                case 0x7B:  // {
                    record(FieldRecord(kind: .object), depth: depth)
                    stack[depth] = Self.objectMark
                    depth += 1
                    i += 1
                    state = .firstKeyOrEnd
                case 0x5B:  // [
                    record(FieldRecord(kind: .array), depth: depth)
                    if depth == 1 && topIsObject && currentField == mentionsField { inMentions = true }
                    stack[depth] = Self.arrayMark
                    depth += 1
                    i += 1
                    state = .firstValueOrEnd
                case 0x22:  // "
                    guard let (s, e, esc) = scanString() else { return .invalid }
                    record(FieldRecord(kind: .string, start: s, end: e, hasEscapes: esc), depth: depth)
                    state = .afterValue
                case 0x74:  // t
                    guard literal("true") else { return .invalid }
                    record(FieldRecord(kind: .bool), depth: depth)
                    state = .afterValue
                case 0x66:  // f
                    guard literal("false") else { return .invalid }
                    record(FieldRecord(kind: .bool), depth: depth)
                    state = .afterValue
                case 0x6E:  // n
                    guard literal("null") else { return .invalid }
                    record(FieldRecord(kind: .null), depth: depth)
                    state = .afterValue
                case 0x2D, 0x30...0x39:
                    guard scanNumber() else { return .invalid }
                    record(FieldRecord(kind: .number), depth: depth)
                    state = .afterValue
                default:
                    return .invalid
                }
            case .firstKeyOrEnd:
                skipWhitespace()
                guard i < n else { return .invalid }
                if p[i] == 0x7D {
                    i += 1
                    depth -= 1
                    state = .afterValue
                } else {
                    state = .key
                }
            case .key:
                skipWhitespace()
                guard i < n, p[i] == 0x22, let (s, e, esc) = scanString() else { return .invalid }
                if depth == 1 && topIsObject { currentField = fieldIndex(s, e, esc) }
                skipWhitespace()
                guard i < n, p[i] == 0x3A else { return .invalid }
                i += 1
                state = .value
            case .firstValueOrEnd:
                skipWhitespace()
                guard i < n else { return .invalid }
                if p[i] == 0x5D {
                    i += 1
                    if depth == 2 { inMentions = false }
                    depth -= 1
                    state = .afterValue
                } else {
                    state = .value
                }
            case .afterValue:
                skipWhitespace()
                guard depth > 0 else {
                    guard i == n else { return .invalid }
                    return topIsObject ? .object : .notObject
                }
                let top = stack[depth - 1]
                guard i < n else { return .invalid }
                switch p[i] {
                case 0x2C:  // ,
                    i += 1
                    state = top == Self.objectMark ? .key : .value
                case 0x7D:  // }
                    guard top == Self.objectMark else { return .invalid }
                    i += 1
                    depth -= 1
                case 0x5D:  // ]
                    guard top == Self.arrayMark else { return .invalid }
                    i += 1
                    if depth == 2 { inMentions = false }
                    depth -= 1
                default:
                    return .invalid
                }
            }
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    @inline(__always)
    private mutating func literal(_ word: StaticString) -> Bool {
        let k = word.utf8CodeUnitCount
        guard i + k <= n else { return false }
        let w = word.utf8Start
        for j in 0..<k where p[i + j] != w[j] { return false }
        i += k
        return true
    }

    @inline(__always)
    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }

    /// Scans a string whose opening quote is at `i`; returns its body's range
    /// and whether it holds escapes, or `nil` when it is not a valid string.
    @inline(__always)
    private mutating func scanString() -> (Int, Int, Bool)? {
        i += 1
        let start = i
        var escapes = false
        while true {
            // Eight bytes at a time; the lowest flagged byte is the first quote,
            // backslash or control byte (the SWAR tests never miss the lowest one).
            while i + 8 <= n {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                let special = Self.hasByte(w, 0x22) | Self.hasByte(w, 0x5C) | ((w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080)
                if special != 0 {
                    i += special.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            // Fewer than eight bytes left, or `i` is at a special byte.
            while i < n {
                let c = p[i]
                if c == 0x22 || c == 0x5C || c < 0x20 { break }
                i += 1
            }
            guard i < n else { return nil }
            let c = p[i]
            if c == 0x22 {
                let end = i
                i += 1
                return (start, end, escapes)
            }
            if c < 0x20 { return nil }
            // A backslash.
            escapes = true
            guard i + 1 < n else { return nil }
            switch p[i + 1] {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                i += 2
            case 0x75:
                guard i + 5 < n, Self.isHex(p[i + 2]), Self.isHex(p[i + 3]), Self.isHex(p[i + 4]), Self.isHex(p[i + 5])
                else { return nil }
                i += 6
            default:
                return nil
            }
        }
    }

    /// Nonzero when some byte of `w` equals `b` (the classic SWAR zero-byte test).
    @inline(__always)
    private static func hasByte(_ w: UInt64, _ b: UInt8) -> UInt64 {
        let x = w ^ (0x0101_0101_0101_0101 &* UInt64(b))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private mutating func scanNumber() -> Bool {
        if p[i] == 0x2D { i += 1 }
        guard i < n else { return false }
        if p[i] == 0x30 {
            i += 1
        } else if Self.isDigit(p[i]) {
            while i < n && Self.isDigit(p[i]) { i += 1 }
        } else {
            return false
        }
        if i < n && p[i] == 0x2E {
            i += 1
            guard i < n, Self.isDigit(p[i]) else { return false }
            while i < n && Self.isDigit(p[i]) { i += 1 }
        }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            if i < n && (p[i] == 0x2B || p[i] == 0x2D) { i += 1 }
            guard i < n, Self.isDigit(p[i]) else { return false }
            while i < n && Self.isDigit(p[i]) { i += 1 }
        }
        return true
    }

    /// The known field a key names, or -1. Keys holding escapes are decoded
    /// first (`"\u0069d"` is `id`).
    private func fieldIndex(_ s: Int, _ e: Int, _ escapes: Bool) -> Int {
        if !escapes { return Self.field(p + s, e - s) }
        // Decode into a small buffer; no known key is longer than 12 bytes.
        var buf: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &buf) { raw -> Int in
            let out = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var o = 0
            var j = s
            while j < e {
                if o >= 16 { return -1 }
                var c = p[j]
                if c == 0x5C {
                    let x = p[j + 1]
                    if x == 0x75 {
                        var v: UInt32 = 0
                        for k in 2..<6 {
                            let h = p[j + k]
                            let d: UInt32 = h <= 0x39 ? UInt32(h - 0x30) : UInt32((h | 0x20) - 0x61 + 10)
                            v = v << 4 | d
                        }
                        if v >= 0x80 { return -1 }  // every known key is ASCII
                        c = UInt8(v)
                        j += 6
                    } else {
                        switch x {
                        case 0x62: c = 0x08
                        case 0x66: c = 0x0C
                        case 0x6E: c = 0x0A
                        case 0x72: c = 0x0D
                        case 0x74: c = 0x09
                        default: c = x
                        }
                        j += 2
                    }
                } else {
                    j += 1
                }
                out[o] = c
                o += 1
            }
            return Self.field(UnsafePointer(out), o)
        }
    }

    // The first (up to) eight bytes of each known key as a little-endian word.
    private static var wID: UInt64 { 0x6469 }  // "id"
    private static var wTS: UInt64 { 0x7374 }  // "ts"
    private static var wKind: UInt64 { 0x646E696B }  // "kind"
    private static var wType: UInt64 { 0x65707974 }  // "type"
    private static var wActor: UInt64 { 0x726F746361 }  // "actor"
    private static var wParent: UInt64 { 0x746E65726170 }  // "parent"
    private static var wSource: UInt64 { 0x656372756F73 }  // "source"
    private static var wContent: UInt64 { 0x746E65746E6F63 }  // "content"
    private static var wMentions: UInt64 { 0x736E6F69746E656D }  // "mentions"
    private static var wCommunity: UInt64 { 0x74696E756D6D6F63 }  // "communit"
    private static var wParentActor: UInt64 { 0x615F746E65726170 }  // "parent_a"

    /// The field a key's bytes name: the key is read as one or two words and
    /// compared with the known keys' words.
    private static func field(_ k: UnsafePointer<UInt8>, _ len: Int) -> Int {
        guard len >= 2 && len <= 12 else { return -1 }
        var w0: UInt64 = 0
        for j in 0..<min(8, len) { w0 |= UInt64(k[j]) << (8 * UInt64(j)) }
        switch len {
        case 2:
            if w0 == wID { return EventField.id.rawValue }
            if w0 == wTS { return EventField.ts.rawValue }
        case 4:
            if w0 == wKind { return EventField.kind.rawValue }
            if w0 == wType { return EventField.type.rawValue }
        case 5:
            if w0 == wActor { return EventField.actor.rawValue }
        case 6:
            if w0 == wParent { return EventField.parent.rawValue }
            if w0 == wSource { return EventField.source.rawValue }
        case 7:
            if w0 == wContent { return EventField.content.rawValue }
        case 8:
            if w0 == wMentions { return EventField.mentions.rawValue }
        case 9:
            if w0 == wCommunity && k[8] == 0x79 { return EventField.community.rawValue }
        case 12:
            if w0 == wParentActor && k[8] == 0x63 && k[9] == 0x74 && k[10] == 0x6F && k[11] == 0x72 {
                return EventField.parentActor.rawValue
            }
        default:
            break
        }
        return -1
    }
}
