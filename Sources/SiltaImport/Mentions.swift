/// Mentions in message text, as docs/importers.md defines them per source.
package enum Mentions {
    /// A Unicode letter, digit or `_` (the scalar that starts at `i`).
    static func isWordCharacter(_ bytes: [UInt8], at i: Int) -> Bool {
        guard i >= 0, i < bytes.count else { return false }
        guard let s = scalar(bytes, at: i) else { return false }
        if s == "_" { return true }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }

    /// The scalar whose UTF-8 starts at `i` (valid text assumed; nil otherwise).
    static func scalar(_ bytes: [UInt8], at i: Int) -> Unicode.Scalar? {
        let b0 = bytes[i]
        var v: UInt32
        var n: Int
        switch b0 {
        case 0..<0x80: return Unicode.Scalar(b0)
        case 0xC0..<0xE0: (v, n) = (UInt32(b0 & 0x1F), 1)
        case 0xE0..<0xF0: (v, n) = (UInt32(b0 & 0x0F), 2)
        case 0xF0..<0xF8: (v, n) = (UInt32(b0 & 0x07), 3)
        default: return nil
        }
        guard i + n < bytes.count else { return nil }
        for k in 1...n { v = v << 6 | UInt32(bytes[i + k] & 0x3F) }
        return Unicode.Scalar(v)
    }

    /// The scalar that ends just before `i`, as its start index.
    static func previousStart(_ bytes: [UInt8], before i: Int) -> Int? {
        var j = i - 1
        while j >= 0 && bytes[j] & 0xC0 == 0x80 { j -= 1 }
        return j >= 0 ? j : nil
    }

    static func isASCIIAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) }

    /// GitHub `@login`s: not after a word character, `@`, `/` or `.`; a login
    /// of 1 to 39 ASCII letters, digits and single inner hyphens, starting
    /// with a letter or digit, not followed by a word character or `@`;
    /// lower-cased, in first-seen order. The login is the longest run of that
    /// shape that the next character allows (what a regular expression
    /// `@([A-Za-z0-9](?:-?[A-Za-z0-9])*)(?![\w@])` matches); a run of more
    /// than 39 characters is no mention, not a shorter one.
    package static func github(_ text: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        while i < text.count {
            defer { i += 1 }
            guard text[i] == 0x40 else { continue }
            if let p = previousStart(text, before: i) {
                let c = text[p]
                if c == 0x40 || c == 0x2F || c == 0x2E || isWordCharacter(text, at: p) { continue }
            }
            // Where a login (a letter or digit, then optionally a hyphen and a
            // letter or digit, again and again) may end, longest first; the
            // first end not followed by a word character or `@` is the
            // login, and it counts when it has at most 39 characters.
            var ends: [Int] = []
            var j = i + 1
            while j < text.count {
                if isASCIIAlnum(text[j]) {
                    j += 1
                    ends.append(j)
                } else if text[j] == 0x2D && !ends.isEmpty && ends.last == j && j + 1 < text.count && isASCIIAlnum(text[j + 1]) {
                    j += 1
                } else {
                    break
                }
            }
            for end in ends.reversed() {
                if end < text.count && (text[end] == 0x40 || isWordCharacter(text, at: end)) { continue }
                if end - i - 1 <= 39 { out.append(text[(i + 1)..<end].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }) }
                break
            }
        }
        return out
    }

    /// Slack `<@U…>` and `<@W…>`, optionally `|label`: the user ids.
    package static func slack(_ text: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        while i + 3 < text.count {
            defer { i += 1 }
            guard text[i] == 0x3C, text[i + 1] == 0x40, text[i + 2] == 0x55 || text[i + 2] == 0x57 else { continue }
            var j = i + 3
            while j < text.count && isASCIIAlnum(text[j]) { j += 1 }
            guard j < text.count, j > i + 3 else { continue }
            if text[j] == 0x7C {
                var k = j + 1
                while k < text.count && text[k] != 0x3E { k += 1 }
                guard k < text.count else { continue }
            } else if text[j] != 0x3E {
                continue
            }
            out.append(Array(text[(i + 2)..<j]))
        }
        return out
    }
}

extension Mentions {
    /// Mattermost `@username`s in `text` that are users of `known`: `@` not
    /// after an ASCII letter, digit, `_`, `.` or `-`, then the longest run of
    /// those (lower-cased), less trailing `.`, `-` or `_` until it names a
    /// user (`@anna.` at a sentence's end is `anna`). `@all`, `@channel` and
    /// `@here` name no user. Each once, in first-seen order.
    package static func mattermost(_ text: [UInt8], known: Set<ByteKey>) -> [[UInt8]] {
        func isNameByte(_ c: UInt8) -> Bool { isASCIIAlnum(c) || c == 0x5F || c == 0x2E || c == 0x2D }
        var out: [[UInt8]] = []
        var i = 0
        while i < text.count {
            defer { i += 1 }
            guard text[i] == 0x40, i == 0 || !isNameByte(text[i - 1]) else { continue }
            var j = i + 1
            while j < text.count && isNameByte(text[j]) { j += 1 }
            var name = text[(i + 1)..<j].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            while !name.isEmpty && !known.contains(ByteKey(name)), let last = name.last, last == 0x2E || last == 0x2D || last == 0x5F {
                name.removeLast()
            }
            if !name.isEmpty && known.contains(ByteKey(name)) && !out.contains(name) { out.append(name) }
            i = j - 1
        }
        return out
    }
}
