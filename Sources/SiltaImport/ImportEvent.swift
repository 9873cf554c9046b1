import Crypto
import SiltaEvents
import SiltaSupport

/// One event an importer writes: the fields of docs/input.md, ids only.
package struct ImportEvent: Sendable {
    package enum Kind: String, Sendable { case `internal`, external }

    package var id: [UInt8]
    /// The instant, for sorting and the day file.
    package var ms: Int64
    /// `ts` as written.
    package var ts: [UInt8]
    package var community: [UInt8]
    package var kind: Kind
    package var actor: [UInt8]
    package var type: EventType
    package var content: [UInt8]?
    package var parent: [UInt8]?
    package var parentActor: [UInt8]?
    package var mentions: [[UInt8]] = []
    package var source: [UInt8]

    package init(
        id: [UInt8], ms: Int64, ts: [UInt8], community: [UInt8], kind: Kind, actor: [UInt8], type: EventType, source: [UInt8]
    ) {
        self.id = IdCap.cap(id)
        self.ms = ms
        self.ts = ts
        self.community = IdCap.cap(community)
        self.kind = kind
        self.actor = IdCap.cap(actor)
        self.type = type
        self.source = IdCap.cap(source)
    }

    /// Sets the content, parent, parent actor and mentions, each id capped;
    /// mentions only on a type that takes them, each once, in first-seen order.
    package mutating func set(content: [UInt8]? = nil, parent: [UInt8]? = nil, parentActor: [UInt8]? = nil, mentions: [[UInt8]] = []) {
        self.content = content.map(IdCap.cap)
        self.parent = parent.map(IdCap.cap)
        self.parentActor = parentActor.map(IdCap.cap)
        guard type.takesMentions else { return }
        var kept: [[UInt8]] = []
        if mentions.count <= 16 {
            for m in mentions.lazy.map(IdCap.cap) where !m.isEmpty && !kept.contains(m) { kept.append(m) }
        } else {
            var seen = Set<ByteKey>()
            for m in mentions.lazy.map(IdCap.cap) where !m.isEmpty && seen.insert(ByteKey(m)).inserted { kept.append(m) }
        }
        self.mentions = kept
    }

    /// Why input.md would refuse it, or nil: an actor, a content for `post`,
    /// `reply` and `share`, a parent for `reply`, `react` and `share`.
    package var missing: String? {
        if actor.isEmpty { return "no actor" }
        if type.createsContent && (content ?? []).isEmpty { return "no content" }
        if type.needsParent && (parent ?? []).isEmpty { return "no parent" }
        return nil
    }

    /// The event as one NDJSON line, fields in a fixed order.
    package func line(into out: inout [UInt8]) {
        func field(_ key: StaticString, _ value: [UInt8]) {
            out.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            JSONText.appendQuoted(value, to: &out)
        }
        field("{\"id\":", id)
        field(",\"ts\":", ts)
        field(",\"community\":", community)
        field(",\"kind\":", Array(kind.rawValue.utf8))
        field(",\"actor\":", actor)
        field(",\"type\":", Array(type.name.utf8))
        if let content { field(",\"content\":", content) }
        if let parent { field(",\"parent\":", parent) }
        if let parentActor { field(",\"parent_actor\":", parentActor) }
        if !mentions.isEmpty {
            out.append(contentsOf: ",\"mentions\":[".utf8)
            for (k, m) in mentions.enumerated() {
                if k > 0 { out.append(0x2C) }
                JSONText.appendQuoted(m, to: &out)
            }
            out.append(0x5D)
        }
        field(",\"source\":", source)
        out.append(contentsOf: "}\n".utf8)
    }
}

/// Ids within 1..200 bytes (docs/importers.md): a longer id keeps its first
/// 183 bytes, cut at a character boundary, then `~` and the first 16 hex
/// digits of the SHA-1 of the whole id.
package enum IdCap {
    package static func cap(_ id: [UInt8]) -> [UInt8] {
        guard id.count > 200 else { return id }
        var cut = 183
        while cut > 0 && id[cut] & 0xC0 == 0x80 { cut -= 1 }
        let digest = Insecure.SHA1.hash(data: id)
        let hex = Array("0123456789abcdef".utf8)
        var out = Array(id[..<cut]) + [0x7E]
        for b in digest.prefix(8) {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
        return out
    }
}

/// `ts` texts the importers write.
package enum ImportTime {
    /// A Slack `ts` ("1434753300.000002": seconds and a fraction) as an
    /// instant rounded to the nearest millisecond, written in UTC with
    /// milliseconds only when they are not zero.
    package static func slack(_ text: [UInt8]) -> (ms: Int64, ts: [UInt8])? {
        guard let dot = text.firstIndex(of: 0x2E) ?? Optional(text.count), dot > 0, dot <= 12 else { return nil }
        var seconds: Int64 = 0
        for c in text[..<dot] {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            seconds = seconds * 10 + Int64(c - 0x30)
        }
        var ms = seconds * 1000
        if dot < text.count {
            let fraction = text[(dot + 1)...]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            // Round the fraction to milliseconds, half up, exactly in integers.
            let digits = Array(fraction) + [UInt8](repeating: 0x30, count: 9 - fraction.count)
            let nanos = digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
            ms += (nanos + 500_000) / 1_000_000
        }
        guard ms >= RFC3339.minimumMilliseconds && ms <= RFC3339.maximumMilliseconds else { return nil }
        return (ms, Array(RFC3339.format(milliseconds: ms, omittingZeroMilliseconds: true).utf8))
    }

    /// A time as exports write it: RFC 3339 (kept as written), or
    /// `YYYY-MM-DD HH:MM:SS[.fff]`, optionally with ` UTC`, taken as UTC and
    /// written as RFC 3339 (Discourse's Data Explorer, Viva Engage).
    package static func utc(_ text: [UInt8]) -> (ms: Int64, ts: [UInt8])? {
        if let t = ImportTime.text(text) { return t }
        var s = text
        if s.count > 4 && s.suffix(4).elementsEqual(" UTC".utf8) { s.removeLast(4) }
        guard s.count >= 19, s[10] == 0x20 else { return nil }
        s[10] = 0x54
        guard let ms = (s + [0x5A]).withUnsafeBytes({ RFC3339.parse($0) }) else { return nil }
        return (ms, Array(RFC3339.format(milliseconds: ms, omittingZeroMilliseconds: true).utf8))
    }

    /// A date-time text kept as written, when input.md accepts it.
    package static func text(_ text: [UInt8]) -> (ms: Int64, ts: [UInt8])? {
        guard let ms = text.withUnsafeBytes({ RFC3339.parse($0) }) else { return nil }
        return (ms, text)
    }
}
