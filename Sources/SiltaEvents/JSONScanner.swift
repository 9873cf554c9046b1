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

/// A validating, non-recursive JSON scanner (RFC 8259) over one line, which
/// also checks the UTF-8 of every string (the only place a valid line can hold
/// non-ASCII bytes). Containers of any depth are tracked on
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
    /// Known keys read as words (``knownKey()``); off only to check that
    /// path against the full scan.
    let fastKeys: Bool

    @usableFromInline
    init(base: UnsafePointer<UInt8>, count: Int, fastKeys: Bool = true) {
        p = base
        n = count
        self.fastKeys = fastKeys
    }

    private enum State { case value, firstKeyOrEnd, key, firstValueOrEnd, afterValue }

    /// Validates the whole line. A top-level object is walked directly
    /// (key, colon, value, comma) and its known fields recorded; any other
    /// value, and every nested container, goes through ``skipValue(_:)``.
    @usableFromInline
    mutating func validate(
        fields: UnsafeMutablePointer<FieldRecord>, mentions: inout [FieldRecord], stack: UnsafeMutablePointer<UInt8>
    ) -> Outcome {
        skipWhitespace()
        guard i < n else { return .invalid }
        guard p[i] == 0x7B else {
            guard skipValue(stack) != nil else { return .invalid }
            skipWhitespace()
            return i == n ? .notObject : .invalid
        }
        let mentionsField = EventField.mentions.rawValue
        i += 1
        skipWhitespace()
        guard i < n else { return .invalid }
        if p[i] == 0x7D {
            i += 1
        } else {
            while true {
                guard i < n, p[i] == 0x22 else { return .invalid }
                var field = fastKeys ? knownKey() : Self.noFastKey
                if field == Self.noFastKey {
                    guard let (ks, ke, kesc) = scanString() else { return .invalid }
                    field = fieldIndex(ks, ke, kesc)
                }
                skipWhitespace()
                guard i < n, p[i] == 0x3A else { return .invalid }
                i += 1
                skipWhitespace()
                guard i < n else { return .invalid }
                let c = p[i]
                if c == 0x22 {
                    guard let (s, e, esc) = scanString() else { return .invalid }
                    if field >= 0 { fields[field] = FieldRecord(kind: .string, start: s, end: e, hasEscapes: esc) }
                } else if c == 0x5B && field == mentionsField {
                    // The elements of `mentions`, each recorded.
                    fields[field] = FieldRecord(kind: .array)
                    mentions.removeAll(keepingCapacity: true)
                    i += 1
                    skipWhitespace()
                    guard i < n else { return .invalid }
                    if p[i] == 0x5D {
                        i += 1
                    } else {
                        while true {
                            skipWhitespace()
                            guard i < n else { return .invalid }
                            if p[i] == 0x22 {
                                guard let (s, e, esc) = scanString() else { return .invalid }
                                mentions.append(FieldRecord(kind: .string, start: s, end: e, hasEscapes: esc))
                            } else {
                                guard let kind = skipValue(stack) else { return .invalid }
                                mentions.append(FieldRecord(kind: kind))
                            }
                            skipWhitespace()
                            guard i < n else { return .invalid }
                            if p[i] == 0x2C {
                                i += 1
                            } else if p[i] == 0x5D {
                                i += 1
                                break
                            } else {
                                return .invalid
                            }
                        }
                    }
                } else {
                    guard let kind = skipValue(stack) else { return .invalid }
                    if field >= 0 {
                        fields[field] = FieldRecord(kind: kind)
                        if field == mentionsField { mentions.removeAll(keepingCapacity: true) }
                    }
                }
                skipWhitespace()
                guard i < n else { return .invalid }
                if p[i] == 0x2C {
                    i += 1
                    skipWhitespace()
                } else if p[i] == 0x7D {
                    i += 1
                    break
                } else {
                    return .invalid
                }
            }
        }
        skipWhitespace()
        return i == n ? .object : .invalid
    }

    /// Validates exactly one value starting at `i` (after optional
    /// whitespace), of any nesting depth, without recursion: open containers
    /// are kept on `stack`, one byte each. Returns its kind, or `nil` when it
    /// is not valid JSON.
    mutating func skipValue(_ stack: UnsafeMutablePointer<UInt8>) -> ValueKind? {
        skipWhitespace()
        guard i < n else { return nil }
        let first = p[i]
        switch first {
        case 0x22: return scanString() == nil ? nil : .string
        case 0x74: return literal("true") ? .bool : nil
        case 0x66: return literal("false") ? .bool : nil
        case 0x6E: return literal("null") ? .null : nil
        case 0x2D, 0x30...0x39: return scanNumber() ? .number : nil
        case 0x7B, 0x5B: break
        default: return nil
        }
        var depth = 0
        var state = State.value
        while true {
            switch state {
            case .value:
                skipWhitespace()
                guard i < n else { return nil }
                switch p[i] {
                case 0x7B:
                    stack[depth] = Self.objectMark
                    depth += 1
                    i += 1
                    state = .firstKeyOrEnd
                case 0x5B:
                    stack[depth] = Self.arrayMark
                    depth += 1
                    i += 1
                    state = .firstValueOrEnd
                case 0x22:
                    guard scanString() != nil else { return nil }
                    state = .afterValue
                case 0x74:
                    guard literal("true") else { return nil }
                    state = .afterValue
                case 0x66:
                    guard literal("false") else { return nil }
                    state = .afterValue
                case 0x6E:
                    guard literal("null") else { return nil }
                    state = .afterValue
                case 0x2D, 0x30...0x39:
                    guard scanNumber() else { return nil }
                    state = .afterValue
                default:
                    return nil
                }
            case .firstKeyOrEnd:
                skipWhitespace()
                guard i < n else { return nil }
                if p[i] == 0x7D {
                    i += 1
                    depth -= 1
                    state = .afterValue
                } else {
                    state = .key
                }
            case .key:
                skipWhitespace()
                guard i < n, p[i] == 0x22, scanString() != nil else { return nil }
                skipWhitespace()
                guard i < n, p[i] == 0x3A else { return nil }
                i += 1
                state = .value
            case .firstValueOrEnd:
                skipWhitespace()
                guard i < n else { return nil }
                if p[i] == 0x5D {
                    i += 1
                    depth -= 1
                    state = .afterValue
                } else {
                    state = .value
                }
            case .afterValue:
                if depth == 0 { return first == 0x7B ? .object : .array }
                skipWhitespace()
                guard i < n else { return nil }
                let top = stack[depth - 1]
                switch p[i] {
                case 0x2C:
                    i += 1
                    state = top == Self.objectMark ? .key : .value
                case 0x7D:
                    guard top == Self.objectMark else { return nil }
                    i += 1
                    depth -= 1
                case 0x5D:
                    guard top == Self.arrayMark else { return nil }
                    i += 1
                    depth -= 1
                default:
                    return nil
                }
            }
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            // Every byte above the space ends it: one test for the usual case.
            if c > 0x20 { return }
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
    /// Bytes above 0x7F are checked as UTF-8 here, so that a line that scans
    /// as valid JSON needs no separate UTF-8 pass (they can only occur in strings).
    @inline(__always)
    private mutating func scanString() -> (Int, Int, Bool)? {
        i += 1
        let start = i
        var escapes = false
        while true {
            // Eight bytes at a time; the lowest flagged byte is the first quote,
            // backslash, control or non-ASCII byte (the SWAR tests never miss
            // the lowest one).
            while i + 8 <= n {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                let special =
                    Self.hasByte(w, 0x22) | Self.hasByte(w, 0x5C)
                    | ((w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080) | (w & 0x8080_8080_8080_8080)
                if special != 0 {
                    i += special.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            // Fewer than eight bytes left, or `i` is at a special byte.
            while i < n {
                let c = p[i]
                if c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80 { break }
                i += 1
            }
            guard i < n else { return nil }
            let c = p[i]
            if c == 0x22 {
                let end = i
                i += 1
                return (start, end, escapes)
            }
            if c >= 0x80 {
                guard let length = utf8Sequence(at: i) else { return nil }
                i += length
                continue
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

    /// The length of the valid UTF-8 sequence starting at `k` (lead byte above
    /// 0x7F), or `nil`: the rules of ``UTF8Validation``.
    @inline(__always)
    private func utf8Sequence(at k: Int) -> Int? {
        let b0 = p[k]
        if b0 < 0xC2 { return nil }
        if b0 < 0xE0 { return k + 1 < n && p[k + 1] & 0xC0 == 0x80 ? 2 : nil }
        if b0 < 0xF0 {
            guard k + 2 < n else { return nil }
            let b1 = p[k + 1]
            guard b1 & 0xC0 == 0x80, p[k + 2] & 0xC0 == 0x80 else { return nil }
            if b0 == 0xE0 && b1 < 0xA0 { return nil }
            if b0 == 0xED && b1 >= 0xA0 { return nil }
            return 3
        }
        if b0 < 0xF5 {
            guard k + 3 < n else { return nil }
            let b1 = p[k + 1]
            guard b1 & 0xC0 == 0x80, p[k + 2] & 0xC0 == 0x80, p[k + 3] & 0xC0 == 0x80 else { return nil }
            if b0 == 0xF0 && b1 < 0x90 { return nil }
            if b0 == 0xF4 && b1 >= 0x90 { return nil }
            return 4
        }
        return nil
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

    private static let noFastKey = -2

    /// The field of a key at `i` (its opening quote) spelt exactly as one of
    /// the known keys and closed by a quote, read as one or two words; `i`
    /// then stands past the closing quote. Such a key is a valid JSON string
    /// (printable ASCII, no escapes), so the answer is the one
    /// ``scanString()`` and ``fieldIndex(_:_:_:)`` would give. Returns
    /// ``noFastKey``, `i` unmoved, for any other key (an unknown one, one
    /// with escapes, or one within 17 bytes of the line's end): those take
    /// the full scan. A line has about eight keys; this halves the strings scanned.
    @inline(__always)
    private mutating func knownKey() -> Int {
        guard i + 17 <= n else { return Self.noFastKey }
        let w = UnsafeRawPointer(p + i + 1).loadUnaligned(as: UInt64.self)
        @inline(__always) func low(_ bytes: UInt64) -> UInt64 { w & ((1 << (8 * bytes)) - 1) }
        var field = Self.noFastKey
        var length = 0
        switch UInt8(truncatingIfNeeded: w) {
        case 0x69:
            if low(3) == 0x22_6469 { (field, length) = (EventField.id.rawValue, 3) }
        case 0x74:
            if low(3) == 0x22_7374 {
                (field, length) = (EventField.ts.rawValue, 3)
            } else if low(5) == 0x22_6570_7974 {
                (field, length) = (EventField.type.rawValue, 5)
            }
        case 0x6B:
            if low(5) == 0x22_646E_696B { (field, length) = (EventField.kind.rawValue, 5) }
        case 0x61:
            if low(6) == 0x2272_6F74_6361 { (field, length) = (EventField.actor.rawValue, 6) }
        case 0x73:
            if low(7) == 0x22_6563_7275_6F73 { (field, length) = (EventField.source.rawValue, 7) }
        case 0x63:
            if w == 0x2274_6E65_746E_6F63 {
                (field, length) = (EventField.content.rawValue, 8)
            } else if w == 0x7469_6E75_6D6D_6F63 && UnsafeRawPointer(p + i + 9).loadUnaligned(as: UInt16.self) == 0x2279 {
                (field, length) = (EventField.community.rawValue, 10)
            }
        case 0x6D:
            if w == 0x736E_6F69_746E_656D && p[i + 9] == 0x22 { (field, length) = (EventField.mentions.rawValue, 9) }
        case 0x70:
            if low(7) == 0x22_746E_6572_6170 {
                (field, length) = (EventField.parent.rawValue, 7)
            } else if w == 0x615F_746E_6572_6170
                && UnsafeRawPointer(p + i + 9).loadUnaligned(as: UInt64.self) & 0xFF_FFFF_FFFF == 0x22_726F_7463
            {
                (field, length) = (EventField.parentActor.rawValue, 13)
            }
        default:
            break
        }
        if field != Self.noFastKey { i += 1 + length }
        return field
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
