import Foundation
import SiltaEvents
import Testing

/// Parses one line with a fresh parser.
func outcome(_ line: [UInt8]) -> (RejectReason?, ParsedSnapshot?) {
    var parser = LineParser()
    defer { parser.deallocate() }
    return line.withUnsafeBytes { raw in
        switch parser.parse(raw) {
        case .rejected(let r): return (r, nil)
        case .accepted(let e): return (nil, ParsedSnapshot(e, parser))
        }
    }
}

func outcome(_ line: String) -> (RejectReason?, ParsedSnapshot?) { outcome(Array(line.utf8)) }

func reason(_ line: String) -> RejectReason? { outcome(line).0 }

/// An accepted event with its strings copied out of the parser.
struct ParsedSnapshot: Equatable {
    var id, community, actor: String
    var ts: Int64
    var kind: CommunityKind
    var type: EventType
    var content, parent, parentActor: String?
    var mentions: [String]

    init(_ e: ParsedEvent, _ p: LineParser) {
        func s(_ b: UnsafeRawBufferPointer) -> String { String(decoding: b, as: UTF8.self) }
        id = s(e.id)
        community = s(e.community)
        actor = s(e.actor)
        ts = e.ts
        kind = e.kind
        type = e.type
        content = e.content.map(s)
        parent = e.parent.map(s)
        parentActor = e.parentActor.map(s)
        mentions = (0..<e.mentionCount).map { s(p.mention($0)) }
    }
}

/// A valid event line with `fields` replacing or adding keys (raw JSON values) and `drop` removed.
func event(_ fields: KeyValuePairs<String, String> = [:], drop: [String] = []) -> String {
    var base: [(String, String)] = [
        ("id", "\"e1\""), ("ts", "\"2026-11-28T21:15:02.120Z\""), ("community", "\"hr\""), ("kind", "\"internal\""),
        ("actor", "\"alice\""), ("type", "\"reply\""), ("content", "\"c2\""), ("parent", "\"c1\""),
    ]
    for (k, v) in fields {
        if let i = base.firstIndex(where: { $0.0 == k }) { base[i].1 = v } else { base.append((k, v)) }
    }
    base.removeAll { drop.contains($0.0) }
    return "{" + base.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

@Suite struct LineParserTests {
    @Test func acceptsAFullEvent() {
        let (r, e) = outcome(event(["parent_actor": "\"bob\"", "mentions": "[\"carol\",\"dave\"]", "source": "\"valo\""]))
        #expect(r == nil)
        #expect(e?.id == "e1")
        #expect(e?.ts == 1_795_900_502_120)
        #expect(e?.community == "hr")
        #expect(e?.kind == .internal)
        #expect(e?.actor == "alice")
        #expect(e?.type == .reply)
        #expect(e?.content == "c2")
        #expect(e?.parent == "c1")
        #expect(e?.parentActor == "bob")
        #expect(e?.mentions == ["carol", "dave"])
    }

    // One fixture per reject reason, in the order of events.md.

    @Test func lineTooLong() {
        let long = event(["x": "\"" + String(repeating: "a", count: 1_048_576) + "\""])
        #expect(reason(long) == .lineTooLong)
        // Exactly 1 MiB is accepted.
        let base = event()
        let pad = 1_048_576 - base.utf8.count - 7  // ,"x":"" adds 7 bytes
        let exact = event(["x": "\"" + String(repeating: "a", count: pad) + "\""])
        #expect(exact.utf8.count == 1_048_576)
        #expect(reason(exact) == nil)
    }

    @Test func invalidUTF8BeatsInvalidJSON() {
        var bytes = Array("{\"id\":\"".utf8)
        bytes += [0xC3, 0x28]  // broken two-byte sequence
        #expect(outcome(bytes).0 == .invalidUTF8)
        #expect(outcome([0xFF]).0 == .invalidUTF8)
        #expect(outcome(Array(event(["x": "\"\u{E9}\""]).utf8)).0 == nil)
        // Overlong "/" and an encoded surrogate.
        #expect(outcome(Array("{\"a\":\"".utf8) + [0xC0, 0xAF] + Array("\"}".utf8)).0 == .invalidUTF8)
        #expect(outcome(Array("{\"a\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8)).0 == .invalidUTF8)
    }

    @Test(arguments: [
        "", "{", "{\"id\":1,}", "[1,2,]", "{\"a\" 1}", "{'a':1}", "{\"a\":NaN}", "{\"a\":Infinity}",
        "{\"a\":1}/*c*/", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":\"\\x\"}", "{\"a\":\"\t\"}",
        "\u{FEFF}{}", "{} {}", "{\"a\":tru}", "{\"a\":[1}]", "{\"a\":1]", "nul",
    ])
    func invalidJSON(line: String) {
        #expect(reason(line) == .invalidJSON)
    }

    @Test(arguments: ["[]", "1", "\"text\"", "null", "true", "[{\"id\":\"x\"}]", " 3.5e10 "])
    func notObject(line: String) {
        #expect(reason(line) == .notObject)
    }

    @Test func missingField() {
        for f in ["id", "ts", "community", "kind", "actor", "type"] {
            #expect(reason(event(drop: [f])) == .missingField, "\(f)")
            #expect(reason(event([f: "null"])) == .missingField, "\(f) null")
        }
        // content for post/reply/share, parent for reply/react/share.
        #expect(reason(event(["type": "\"post\""], drop: ["content"])) == .missingField)
        #expect(reason(event(["type": "\"share\""], drop: ["parent"])) == .missingField)
        #expect(reason(event(["type": "\"react\""], drop: ["parent", "content"])) == .missingField)
        #expect(reason(event(["type": "\"react\""], drop: ["content"])) == nil)
        #expect(reason(event(["type": "\"view\""], drop: ["parent", "content"])) == nil)
        #expect(reason(event(["type": "\"join\""], drop: ["parent", "content"])) == nil)
    }

    @Test func wrongType() {
        #expect(reason(event(["id": "5"])) == .wrongType)
        #expect(reason(event(["actor": "[\"a\"]"])) == .wrongType)
        #expect(reason(event(["community": "{}"])) == .wrongType)
        #expect(reason(event(["ts": "1795900502"])) == .wrongType)
        #expect(reason(event(["id": "\"\""])) == .wrongType)  // under 1 byte
        #expect(reason(event(["id": "\"" + String(repeating: "x", count: 201) + "\""])) == .wrongType)
        #expect(reason(event(["id": "\"" + String(repeating: "x", count: 200) + "\""])) == nil)
        // 200 bytes after unescaping: 100 two-byte characters written as escapes.
        #expect(reason(event(["id": "\"" + String(repeating: "\\u00e9", count: 100) + "\""])) == nil)
        #expect(reason(event(["id": "\"" + String(repeating: "\\u00e9", count: 101) + "\""])) == .wrongType)
        // Listed fields are type-checked even where they have no effect.
        #expect(reason(event(["type": "\"join\"", "content": "7"])) == .wrongType)
        #expect(reason(event(["type": "\"view\"", "mentions": "\"bob\""])) == .wrongType)
        #expect(reason(event(["source": "false"])) == .wrongType)
        #expect(reason(event(["parent_actor": "\"\""])) == .wrongType)
        #expect(reason(event(["mentions": "[\"a\",2]"])) == .wrongType)
        #expect(reason(event(["mentions": "[\"a\",null]"])) == .wrongType)
        #expect(reason(event(["mentions": "[\"\"]"])) == .wrongType)
        #expect(reason(event(["mentions": "null"])) == nil)
        #expect(reason(event(["mentions": "[]"])) == nil)
    }

    @Test func badTimestamp() {
        #expect(reason(event(["ts": "\"2026-11-28 21:15:02Z\""])) == .badTimestamp)
        #expect(reason(event(["ts": "\"yesterday\""])) == .badTimestamp)
        // Escapes are decoded first: this is a valid timestamp.
        #expect(reason(event(["ts": "\"2026-11-28\\u005421:15:02Z\""])) == nil)
    }

    @Test func unknownKindAndType() {
        #expect(reason(event(["kind": "\"Internal\""])) == .unknownKind)
        #expect(reason(event(["kind": "\"partner\""])) == .unknownKind)
        #expect(reason(event(["type": "\"like\""])) == .unknownType)
        #expect(reason(event(["type": "\"Post\""])) == .unknownType)
    }

    @Test func fieldsAreCheckedInTableOrder() {
        // id before ts before ... : the first field at fault decides.
        #expect(reason(event(["id": "1", "ts": "\"bad\""])) == .wrongType)
        #expect(reason(event(["ts": "\"bad\"", "kind": "\"x\""])) == .badTimestamp)
        #expect(reason(event(["kind": "\"x\"", "actor": "1"])) == .unknownKind)
        #expect(reason(event(["type": "\"x\"", "content": "1"])) == .unknownType)
        #expect(reason(event(["content": "1", "mentions": "[1]"])) == .wrongType)
        // Within a field: type before surrogate before length.
        #expect(reason(event(["mentions": "[\"\\ud800\",3]"])) == .invalidUTF8)
        #expect(reason(event(["mentions": "[3,\"\\ud800\"]"])) == .wrongType)
        // A lone surrogate in a field the pipeline reads, before its length.
        #expect(reason(event(["actor": "\"\\udc00\""])) == .invalidUTF8)
        #expect(reason(event(["id": "\"" + String(repeating: "x", count: 300) + "\\ud800\""])) == .invalidUTF8)
    }

    @Test func loneSurrogatesOnlyMatterInReadFields() {
        #expect(reason(event(["note": "\"\\ud800\""])) == nil)
        #expect(reason(event(["source": "\"\\ud800\""])) == .invalidUTF8)
        #expect(reason(event(["actor": "\"\\ud83d\\ude00\""])) == nil)  // a pair is fine
        #expect(reason(event(["actor": "\"\\ud83d\\u0041\""])) == .invalidUTF8)
        #expect(outcome(event(["actor": "\"\\ud83d\\ude00\""])).1?.actor == "\u{1F600}")
    }

    @Test func unknownFieldsOfEveryTypeAreIgnored() {
        for value in [
            "1", "-0.5e-3", "true", "false", "null", "\"x\"", "[]", "{}", "[1,[2,[3]],{\"a\":{\"b\":[]}}]",
            String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        ] {
            #expect(reason(event(["extra": value])) == nil, "\(value.prefix(20))")
        }
    }

    @Test func deepNestingNeverCrashes() {
        let deep = "{\"x\":" + String(repeating: "[", count: 500_000) + "}"
        #expect(reason(deep) == .invalidJSON)
        let balanced = event(["x": String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)])
        #expect(reason(balanced) == nil)
    }

    @Test func lastDuplicateKeyWins() {
        #expect(reason(event(["extra": "1"]).replacingOccurrences(of: "\"extra\":1", with: "\"id\":5")) == .wrongType)
        let line = "{\"id\":5,\"id\":\"ok\"," + event().dropFirst().replacingOccurrences(of: "\"id\":\"e1\",", with: "")
        #expect(outcome(line).1?.id == "ok")
        let nulled = event().replacingOccurrences(of: "}", with: ",\"actor\":null}")
        #expect(reason(nulled) == .missingField)
    }

    @Test func escapedKeysAndValuesAreDecoded() {
        let line = event().replacingOccurrences(of: "\"actor\":\"alice\"", with: "\"\\u0061ctor\":\"a\\/b\\\\c\\\"d\\u00e9\"")
        #expect(outcome(line).1?.actor == "a/b\\c\"d\u{E9}")
    }

    /// Known keys are read as words when 17 bytes or more follow their
    /// opening quote, and scanned byte by byte otherwise: every key, in both
    /// places, plain and escaped, and keys that differ from a known one by a
    /// byte, in length or in case, must give what the plain scan gives.
    @Test func knownKeysAreFoundWhereverTheyStandAndLookAlikesAreNot() {
        let full = event(["parent_actor": "\"bob\"", "mentions": "[\"carol\"]", "source": "\"s\""])
        let expected = outcome(full).1
        #expect(expected != nil)
        let keys = ["id", "ts", "community", "kind", "actor", "type", "content", "parent", "parent_actor", "mentions", "source"]
        let pairs: [(String, String)] = [
            ("id", "\"e1\""), ("ts", "\"2026-11-28T21:15:02.120Z\""), ("community", "\"hr\""), ("kind", "\"internal\""),
            ("actor", "\"alice\""), ("type", "\"reply\""), ("content", "\"c2\""), ("parent", "\"c1\""),
            ("parent_actor", "\"bob\""), ("mentions", "[\"carol\"]"), ("source", "\"s\""),
        ]
        func line(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        for (k, key) in keys.enumerated() {
            // The key last, with its value: under 17 bytes of the end for most.
            var last = pairs
            last.append(last.remove(at: k))
            #expect(outcome(line(last)).1 == expected, "\(key) last")
            // First, padded so that the key is read as words.
            var first = pairs
            first.insert(first.remove(at: k), at: 0)
            #expect(outcome(line(first)).1 == expected, "\(key) first")
            // Escaped: the same field.
            var escaped = pairs
            escaped[k].0 = "\\u00" + String(key.utf8.first!, radix: 16) + key.dropFirst()
            #expect(outcome(line(escaped)).1 == expected, "\(key) escaped")
            // Look-alikes are unknown keys: the field goes missing (optional
            // fields are ignored, so the event loses them).
            for lookAlike in [key + "x", String(key.dropLast()), key.uppercased(), key + " ", "x" + key] {
                var other = pairs
                other[k].0 = lookAlike
                var without = pairs
                without.remove(at: k)
                let got = outcome(line(other))
                let want = outcome(line(without))
                #expect(got.0 == want.0 && got.1 == want.1, "\(key) as \(lookAlike)")
            }
        }
    }

    /// The parser with its shortcuts (known keys read as words, the last
    /// date remembered) and without them give the same answer on every line:
    /// valid events with fields reordered, keys and timestamps changed a byte
    /// at a time, bytes flipped anywhere, each pair of parsers kept across
    /// the lines as the workers keep theirs. (`fuzz-line-parser` checks the
    /// same on what libFuzzer makes.)
    @Test func theShortcutsGiveTheAnswersOfTheFullScan() {
        var rng = SplitMix(seed: 19)
        var fast = LineParser()
        var exact = LineParser(shortcuts: false)
        defer {
            fast.deallocate()
            exact.deallocate()
        }
        let days = ["2026-11-28", "2026-11-29", "2024-02-29", "2023-02-29"]
        var accepted = 0
        for _ in 0..<20_000 {
            var pairs: [(String, String)] = [
                ("id", "\"e\(rng.next() % 100)\""), ("ts", "\"\(days[Int(rng.next() % 4)])T21:15:0\(rng.next() % 10).120Z\""),
                ("community", "\"hr\""), ("kind", "\"internal\""), ("actor", "\"alice\""), ("type", "\"reply\""),
                ("content", "\"c2\""), ("parent", "\"c1\""), ("parent_actor", "\"bob\""), ("mentions", "[\"carol\"]"),
                ("source", "\"s\""),
            ]
            if rng.next() % 2 == 0 { pairs.shuffle(using: &rng) }
            if rng.next() % 3 == 0 { pairs.removeLast(Int(rng.next() % 4)) }
            if rng.next() % 3 == 0 {
                // A key changed by one byte, cut, lengthened or escaped.
                let k = Int(rng.next() % UInt64(pairs.count))
                var key = Array(pairs[k].0.utf8)
                switch rng.next() % 4 {
                case 0: key[Int(rng.next() % UInt64(key.count))] = UInt8(32 + rng.next() % 95)
                case 1: key.removeLast()
                case 2: key.append(UInt8(32 + rng.next() % 95))
                default: key = Array(("\\u00" + String(key[0], radix: 16)).utf8) + key.dropFirst()
                }
                pairs[k].0 = String(decoding: key, as: UTF8.self)
            }
            var line = Array(("{" + pairs.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}").utf8)
            if rng.next() % 4 == 0 { line[Int(rng.next() % UInt64(line.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            let a = line.withUnsafeBytes { raw -> (RejectReason?, ParsedSnapshot?) in
                switch fast.parse(raw) {
                case .rejected(let r): return (r, nil)
                case .accepted(let e): return (nil, ParsedSnapshot(e, fast))
                }
            }
            let b = line.withUnsafeBytes { raw -> (RejectReason?, ParsedSnapshot?) in
                switch exact.parse(raw) {
                case .rejected(let r): return (r, nil)
                case .accepted(let e): return (nil, ParsedSnapshot(e, exact))
                }
            }
            #expect(a.0 == b.0 && a.1 == b.1, "\(String(decoding: line, as: UTF8.self))")
            if a.1 != nil { accepted += 1 }
        }
        #expect(accepted > 5_000)
    }

    @Test func effectsFollowTheType() {
        // content only on post/reply/share; mentions only on post/reply/share; parent on view kept.
        let view = outcome(event(["type": "\"view\"", "mentions": "[\"x\"]"], drop: ["content"])).1
        #expect(view?.content == nil)
        #expect(view?.mentions == [])
        #expect(view?.parent == "c1")
        let join = outcome(event(["type": "\"join\""])).1
        #expect(join?.content == nil)
        #expect(join?.parent == nil)
    }
}

/// The input lines the README and docs/input.md show are accepted lines.
@Suite struct DocumentedInputTests {
    @Test(arguments: ["README.md", "docs/input.md"])
    func theExampleLinesAreAccepted(file: String) throws {
        let text = try String(contentsOf: Paths.repository.appendingPathComponent(file), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("{\"id\":") }
        #expect(lines.count >= 2)
        var parser = LineParser()
        defer { parser.deallocate() }
        for line in lines {
            let outcome = Array(line.utf8).withUnsafeBytes { parser.parse($0) }
            if case .rejected(let reason) = outcome { Issue.record("\(file): \(reason.name): \(line)") }
        }
    }
}

extension SplitMix: RandomNumberGenerator {}
