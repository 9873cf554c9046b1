import Foundation
import SiltaImport
import SiltaSupport
import Testing

/// The importers (docs/importers.md) on the real exports in
/// Tests/Fixtures/raw (PROVENANCE.md), against the independent Python
/// references, and every rule every importer keeps.
@Suite(.serialized) struct ImporterTests {
    static let raw = Paths.fixtures.appendingPathComponent("raw").path
    static let exports: [(job: String, reference: String, input: String)] = [
        ("import-gharchive", "gharchive", raw + "/gharchive/2015-01-01-0.json.gz"),
        ("import-slack", "slack", raw + "/slack-houstondatavis"),
        ("import-stackexchange", "stackexchange", raw + "/stackexchange-conlang.meta"),
    ]

    /// Every event line of the day files in `folder`, in file then line order.
    static func lines(_ folder: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".ndjson.gz") }.sorted()
        var out: [String] = []
        for n in names {
            let bytes = try gunzip(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + n))))
            out += String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        return out
    }

    /// An event line in a canonical form (keys sorted), to compare with the reference's.
    static func canonical(_ line: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test(arguments: exports)
    func eachImporterMatchesThePythonReferenceOnARealExport(job: String, reference: String, input: String) throws {
        let s = Scratch()
        let r = try runJob(job, [input, "--out", s.sub("logs"), "--summary", s.sub("summary.json")])
        #expect(r.status == 0, "\(r.stderr)")
        let (status, output) = try python("import_reference.py", [reference, s.sub("reference.ndjson"), input])
        #expect(status == 0, "\(output)")
        let silta = try Self.lines(s.sub("logs")).map(Self.canonical)
        let expected = try String(contentsOfFile: s.sub("reference.ndjson"), encoding: .utf8).split(separator: "\n").map {
            try Self.canonical(String($0))
        }
        #expect(silta.count > 500)
        #expect(Set(silta).subtracting(expected).isEmpty, "\(job): events the reference does not make")
        #expect(Set(expected).subtracting(silta).isEmpty, "\(job): events the reference makes and Silta does not")
        // The same order: by instant, then id.
        #expect(silta == expected, "\(job): the order differs")
        // Every event is one ingest accepts.
        let ingest = try runJob("ingest", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        #expect(ingest.status == 0)
        let report = try readJSON(s.sub("r/ingest_report.json"))
        #expect(report["accepted"] as? Int == silta.count && report["rejected_total"] as? Int == 0 && report["duplicates"] as? Int == 0)
        let summary = try readJSON(s.sub("summary.json"))
        #expect(summary["events"] as? Int == silta.count)
    }

    /// Exports made by hand, in the exporters' shape (no public real one).
    static let discord = Paths.fixtures.appendingPathComponent("discord/acme-export").path
    static let mattermost = Paths.fixtures.appendingPathComponent("mattermost/export.jsonl").path
    /// Real topics (chaoss/grimoirelab-perceval's test data, GPL-3.0) and hand-made ones and likes.
    static let discourse = Paths.fixtures.appendingPathComponent("discourse").path
    static let vivaEngage = Paths.fixtures.appendingPathComponent("viva-engage/acme-network").path

    @Test(
        arguments: exports + [
            ("import-discord", "discord", discord), ("import-mattermost", "mattermost", mattermost),
            ("import-viva-engage", "viva-engage", vivaEngage),
        ])
    func anImportIsDeterministicAndASecondOneRewritesNothing(job: String, reference: String, input: String) throws {
        let s = Scratch()
        #expect(try runJob(job, [input, "--out", s.sub("a"), "-q"]).status == 0)
        #expect(try runJob(job, [input, "--out", s.sub("b"), "-q"]).status == 0)
        #expect(folderContents(s.sub("a")) == folderContents(s.sub("b")))
        let before = try FileManager.default.contentsOfDirectory(atPath: s.sub("a")).map { name in
            (name, try FileManager.default.attributesOfItem(atPath: s.sub("a/" + name))[.modificationDate] as! Date)
        }
        Thread.sleep(forTimeInterval: 0.05)
        let again = try runJob(job, [input, "--out", s.sub("a")])
        #expect(again.stderr.contains(" 0 day file(s) written"), "\(again.stderr)")
        for (name, date) in before {
            #expect(try FileManager.default.attributesOfItem(atPath: s.sub("a/" + name))[.modificationDate] as! Date == date)
        }
        // gzip header: no time, no name.
        let first = try #require(before.map(\.0).sorted().first)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: s.sub("a/" + first))))
        #expect(bytes[0] == 0x1F && bytes[1] == 0x8B && bytes[3] == 0 && bytes[4..<8].allSatisfy { $0 == 0 })
    }

    @Test func aGrownSlackExportRewritesOnlyTheDaysThatChanged() throws {
        let s = Scratch()
        let export = s.sub("acme")
        try FileManager.default.copyItem(atPath: Self.raw + "/slack-houstondatavis", toPath: export)
        #expect(try runJob("import-slack", [export, "--out", s.sub("logs"), "-q"]).status == 0)
        let before = folderContents(s.sub("logs"))
        // A new day, and one more message on an existing day.
        s.write(
            "acme/general/2016-08-01.json",
            #"[{"type":"message","user":"U061A1R2R","text":"hello <@U061A5N1G>","ts":"1470052800.000100"}]"#)
        let path = export + "/general/2015-06-05.json"
        var day = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [[String: Any]]
        day.append(["type": "message", "user": "U061A1R2R", "text": "late", "ts": "1433560000.000001"])
        try JSONSerialization.data(withJSONObject: day).write(to: URL(fileURLWithPath: path))
        let r = try runJob("import-slack", [export, "--out", s.sub("logs"), "--summary", s.sub("s.json")])
        #expect(r.status == 0)
        let summary = try readJSON(s.sub("s.json"))
        #expect(summary["files_written"] as? [String] == ["slack-2015-06-06.ndjson.gz", "slack-2016-08-01.ndjson.gz"])
        let after = folderContents(s.sub("logs"))
        #expect(after.count == before.count + 1)
        for (name, data) in before where name != "slack-2015-06-06.ndjson.gz" { #expect(after[name] == data, "\(name)") }
        let new = try Self.lines(s.sub("logs")).filter { $0.contains("\"ts\":\"2016-08-01T12:00:00Z\"") }
        #expect(new.count == 1 && new[0].contains("\"mentions\":[\"slack:U061A5N1G\"]"), "\(new)")
    }

    @Test func aZipExportIsTheFolderExport() throws {
        let s = Scratch()
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        zip.currentDirectoryURL = URL(fileURLWithPath: Self.raw)
        zip.arguments = [
            "python3", "-c", "import shutil,sys; shutil.make_archive(sys.argv[1], 'zip', '.', 'slack-houstondatavis')",
            s.sub("slack-houstondatavis"),
        ]
        try zip.run()
        zip.waitUntilExit()
        #expect(zip.terminationStatus == 0)
        #expect(try runJob("import-slack", [s.sub("slack-houstondatavis.zip"), "--out", s.sub("zip"), "-q"]).status == 0)
        #expect(try runJob("import-slack", [Self.raw + "/slack-houstondatavis", "--out", s.sub("folder"), "-q"]).status == 0)
        #expect(folderContents(s.sub("zip")) == folderContents(s.sub("folder")))
        #expect(folderContents(s.sub("zip")).count == 176)
        // A damaged zip: what can be read is imported, exit 2, the loss is named.
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: s.sub("slack-houstondatavis.zip"))))
        for k in stride(from: bytes.count / 3, to: bytes.count / 3 + 4000, by: 7) { bytes[k] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: s.sub("damaged.zip")))
        let r = try runJob("import-slack", [s.sub("damaged.zip"), "--workspace", "slack-houstondatavis", "--out", s.sub("damaged")])
        #expect(r.status == 2 || r.status == 65, "\(r.stderr)")
        if r.status == 2 {
            #expect(r.stderr.contains("read in part"))
            #expect(folderContents(s.sub("damaged")).count > 50)
        }
    }

    @Test func everySkipReasonIsCountedAndNothingIsFatal() throws {
        let s = Scratch()
        // GH Archive: a line that is not JSON, one without repo.name, an unmapped event, a branch, a closed issue.
        let gh = [
            "not json at all",
            #"{"id":"1","type":"PushEvent","created_at":"2015-01-01T00:00:00Z","actor":{"login":"A"},"payload":{"head":"abc"}}"#,
            #"{"id":"2","type":"GollumEvent","created_at":"2015-01-01T00:00:00Z","repo":{"name":"o/r"},"actor":{"login":"a"}}"#,
            #"{"id":"3","type":"CreateEvent","created_at":"2015-01-01T00:00:00Z","repo":{"name":"o/r"},"actor":{"login":"a"},"payload":{"ref_type":"branch"}}"#,
            #"{"id":"4","type":"IssuesEvent","created_at":"2015-01-01T00:00:00Z","repo":{"name":"o/r"},"actor":{"login":"a"},"payload":{"action":"closed","issue":{"number":1}}}"#,
            #"{"id":"5","type":"IssuesEvent","created_at":"2015-01-01T00:00:01Z","repo":{"name":"o/r"},"actor":{"login":"Ann"},"payload":{"action":"opened","issue":{"number":7,"body":"cc @Bob-1, @bob-1 again; not a@x, @-no, @x_y or @way-too-long-login-name-that-goes-past-39-chars; @last-"}}}"#,
            #"{"id":"6","type":"WatchEvent","created_at":"2015-01-01T00:00:02Z","repo":{"name":"Owner/r"},"actor":{"login":"c"},"payload":{}}"#,
            #"{"id":"7","type":"MemberEvent","created_at":"2015-01-01T00:00:03Z","repo":{"name":"o/r"},"actor":{"login":"c"},"payload":{"action":"added","member":{}}}"#,
        ]
        s.write("gh/2015-01-01-0.json", gh.joined(separator: "\n") + "\n")
        let r = try runJob("import-gharchive", [s.sub("gh/2015-01-01-0.json"), "--out", s.sub("logs"), "--summary", s.sub("gh.json")])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try readJSON(s.sub("gh.json"))
        let skipped = try #require(summary["skipped"] as? [String: Int])
        #expect(skipped["line that is not JSON"] == 1 && skipped["event without repo.name"] == 1)
        #expect(skipped["GollumEvent: not mapped"] == 1 && skipped["CreateEvent of a branch or tag"] == 1)
        #expect(skipped["IssuesEvent other than opened"] == 1 && skipped["join with no actor"] == 1)
        let lines = try Self.lines(s.sub("logs"))
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""actor":"gh:ann""#) && lines[0].contains(#""mentions":["gh:bob-1","gh:last"]"#), "\(lines[0])")
        #expect(lines[1].contains(#""parent_actor":"gh:owner""#))

        // Slack: a day file that is not JSON, a bot's message, an unknown subtype.
        s.write("sl/channels.json", #"[{"id":"C1","name":"general"}]"#)
        s.write("sl/general/2020-01-01.json", "[{not json")
        s.write(
            "sl/general/2020-01-02.json",
            #"[{"type":"message","subtype":"bot_message","bot_id":"B9","text":"hi","ts":"1577923200.000100"},{"type":"message","subtype":"channel_topic","user":"U1","ts":"1577923201.0"},{"type":"message","user":"U1","text":"x","ts":"1577923202.0004996"}]"#
        )
        let sl = try runJob("import-slack", [s.sub("sl"), "--out", s.sub("sl-logs"), "--summary", s.sub("sl.json")])
        #expect(sl.status == 0, "\(sl.stderr)")
        let ss = try #require(try readJSON(s.sub("sl.json"))["skipped"] as? [String: Int])
        #expect(
            ss["day file that is not a JSON array"] == 1 && ss["bot_message (without --include-bots)"] == 1
                && ss["subtype channel_topic"] == 1)
        let slLines = try Self.lines(s.sub("sl-logs"))
        #expect(
            slLines == [
                #"{"id":"sl:C1:1577923202.0004996","ts":"2020-01-02T00:00:02Z","community":"sl/general","kind":"internal","actor":"slack:U1","type":"post","content":"sl:C1:1577923202.0004996","source":"slack"}"#
            ])
        // With --include-bots the bot is an actor, and --identities-out lists it.
        let bots = try runJob(
            "import-slack", [s.sub("sl"), "--out", s.sub("sl-bots"), "--include-bots", "--identities-out", s.sub("bots.csv"), "-q"])
        #expect(bots.status == 0)
        #expect(try String(contentsOfFile: s.sub("bots.csv"), encoding: .utf8) == "id,person,bot\nbot:B9,,true\n")
    }

    @Test func aPathThatIsNoExportIsAnErrorAndWritesNothing() throws {
        let s = Scratch()
        s.write("empty/readme.txt", "nothing")
        for (job, input, code) in [
            ("import-slack", s.sub("empty"), 65), ("import-slack", s.sub("nope"), 66), ("import-stackexchange", s.sub("empty"), 65),
            ("import-stackexchange", s.sub("nope"), 66), ("import-gharchive", s.sub("nope.json.gz"), 66),
            ("import-slack", s.sub("empty/readme.txt"), 65), ("import-discord", s.sub("empty"), 65),
            ("import-discord", s.sub("nope.json"), 66), ("import-mattermost", s.sub("empty"), 65),
            ("import-mattermost", s.sub("nope.jsonl"), 66), ("import-mattermost", s.sub("empty/readme.txt"), 65),
            ("import-discourse", s.sub("empty"), 65), ("import-discourse", s.sub("nope.json"), 66),
            ("import-viva-engage", s.sub("empty"), 65), ("import-viva-engage", s.sub("nope.zip"), 66),
        ] {
            let r = try runJob(job, [input, "--out", s.sub("logs-\(code)")] + (job == "import-discourse" ? ["--forum", "f"] : []))
            #expect(r.status == Int32(code), "\(job) \(input): \(r.stderr)")
            #expect(r.stderr.contains(input))
            #expect(folderContents(s.sub("logs-\(code)")).isEmpty)
        }
        // A damaged gzip hour: every whole line before the damage, exit 2.
        let hour = Array(try Data(contentsOf: URL(fileURLWithPath: Self.raw + "/gharchive/2015-01-01-0.json.gz")))
        s.write("cut.json.gz", Array(hour[..<(hour.count / 2)]))
        let cut = try runJob("import-gharchive", [s.sub("cut.json.gz"), "--out", s.sub("cut"), "--summary", s.sub("cut.json")])
        #expect(cut.status == 2, "\(cut.stderr)")
        let damaged = try #require(try readJSON(s.sub("cut.json"))["damaged"] as? [[String: Any]])
        #expect(damaged.count == 1)
        #expect((try readJSON(s.sub("cut.json"))["events"] as? Int ?? 0) > 1000)
    }

    @Test func longIdsAreCappedWithAHashAndSlackTimesRound() {
        let long = Array(String(repeating: "é", count: 150).utf8)  // 300 bytes
        let capped = IdCap.cap(long)
        #expect(capped.count <= 200 && capped.count >= 199)
        #expect(String(validating: capped, as: UTF8.self) != nil)
        #expect(capped[capped.count - 17] == 0x7E)
        #expect(IdCap.cap(Array("short".utf8)) == Array("short".utf8))
        #expect(IdCap.cap(long + [0x41]) != capped)
        let t = ImportTime.slack(Array("1434753300.0004996".utf8))
        #expect(t.map { String(decoding: $0.ts, as: UTF8.self) } == "2015-06-19T22:35:00Z")
        #expect(ImportTime.slack(Array("1434753300.0005".utf8))?.ms == 1_434_753_300_001)
        #expect(ImportTime.slack(Array("1434753300.123".utf8)).map { String(decoding: $0.ts, as: UTF8.self) } == "2015-06-19T22:35:00.123Z")
        #expect(ImportTime.slack(Array("12x.5".utf8)) == nil)
    }

    @Test func theNightRunsTheSourcesAndAFailingImporterStopsNothingElse() throws {
        let s = Scratch()
        s.write(
            "sources.txt",
            """
            # the exports of the night
            slack \(Self.raw)/slack-houstondatavis --workspace hdv   # a comment
            stackexchange "\(Self.raw)/stackexchange-conlang.meta"

            gharchive \(s.sub("missing.json.gz"))
            """)
        let args = ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"]
        let r = try runJob("nightly", args + ["--sources", s.sub("sources.txt")])
        #expect(r.status == 66, "\(r.stderr)")
        #expect(r.stderr.contains(s.sub("missing.json.gz")))
        let summary = try readJSON(s.sub("r/run_summary.json"))
        let jobs = try #require(summary["jobs"] as? [[String: Any]])
        #expect(
            jobs.map { $0["job"] as? String } == [
                "import-slack", "import-stackexchange", "import-gharchive", "ingest", "engagement", "social-capital", "bridging",
                "people", "dashboard", "workbook",
            ])
        #expect(jobs.map { $0["exit_code"] as? Int } == [0, 0, 66, 0, 0, 0, 0, 0, 0, 0])
        #expect((jobs[0]["figures"] as? [String: Any])?["events_imported"] as? Int == 1552)
        #expect(summary["reports_complete"] as? Bool == true)
        #expect(try String(contentsOfFile: s.sub("r/silta.prom"), encoding: .utf8).contains("silta_import_failures 1"))
        let slack = try String(contentsOfFile: s.sub("r/engagement_monthly.csv"), encoding: .utf8)
        #expect(slack.contains(",internal,hdv/general,") && slack.contains(",external,stackexchange-conlang.meta,"))
        // A sources file that cannot be read runs nothing, and says where it is wrong.
        let before = folderContents(s.sub("r"))
        s.write("bad.txt", "slack \"unclosed\n")
        let bad = try runJob("nightly", args + ["--sources", s.sub("bad.txt")])
        #expect(bad.status == 78 && bad.stderr.contains("line 1"), "\(bad.stderr)")
        s.write("bad.txt", "teams /x\n")
        #expect(try runJob("nightly", args + ["--sources", s.sub("bad.txt")]).stderr.contains("is no importer"))
        #expect(folderContents(s.sub("r")) == before)
    }
}

// MARK: Discord

extension ImporterTests {
    // MARK: Helpers of the importers' tests

    /// The events `import_reference.py`'s `reference` mapping makes of
    /// `inputs`, canonical and in its order (by instant, then id).
    static func reference(_ reference: String, _ inputs: [String], in s: Scratch) throws -> [String] {
        let out = s.sub(reference + ".reference.ndjson")
        let (status, output) = try python("import_reference.py", [reference, out] + inputs)
        #expect(status == 0, "\(output)")
        return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { try canonical(String($0)) }
    }

    /// The event of `lines` whose id is `id`, as a dictionary.
    static func event(_ id: String, in lines: [String]) throws -> [String: Any] {
        let line = try #require(lines.first { $0.contains("\"id\":\"\(id)\"") }, "no event \(id)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// The ingest report of a night whose sources file is `line` (one export):
    /// the night must succeed and ingest must reject no line of the imported logs.
    static func night(of line: String, in s: Scratch) throws -> [String: Any] {
        s.write("sources.txt", line + "\n")
        let night = try runJob(
            "nightly",
            ["--logs", s.sub("night"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--sources", s.sub("sources.txt"), "-q"])
        #expect(night.status == 0, "\(night.stderr)")
        let ingest = try readJSON(s.sub("r/ingest_report.json"))
        #expect(ingest["rejected_total"] as? Int == 0, "\(ingest)")
        return ingest
    }

    /// Zips `folder`'s contents into `zip` (Python's zipfile: another zip writer than ours).
    static func zip(_ folder: String, into zip: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import os,sys,zipfile\nz=zipfile.ZipFile(sys.argv[2],'w',zipfile.ZIP_DEFLATED)\nfor r,_,fs in os.walk(sys.argv[1]):\n for f in sorted(fs): z.write(os.path.join(r,f),os.path.relpath(os.path.join(r,f),sys.argv[1]))\nz.close()",
            folder, zip,
        ]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    /// Every rule of docs/importers.md "Discord" on the hand-made export
    /// (Tests/Fixtures/discord), by hand and against the Python reference.
    @Test func discordMapsEveryRuleAndCountsEverySkip() throws {
        let s = Scratch()
        let r = try runJob(
            "import-discord",
            [Self.discord, "--out", s.sub("logs"), "--summary", s.sub("summary.json"), "--identities-out", s.sub("bots.csv")])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try Self.lines(s.sub("logs"))
        #expect(try lines.map(Self.canonical) == Self.reference("discord", [Self.discord], in: s))
        let summary = try readJSON(s.sub("summary.json"))
        #expect(summary["by_type"] as? [String: Int] == ["join": 1, "post": 3, "reply": 2, "react": 2])
        #expect(summary["duplicates"] as? Int == 0)
        #expect(
            summary["skipped"] as? [String: Int] == [
                "ChannelPinnedMessage: not mapped": 1, "ThreadCreated: not mapped": 1, "bot's message (without --include-bots)": 1,
                "bot's reaction (without --include-bots)": 1, "file that is not JSON": 1, "message without author.id": 1,
                "message without id or a valid timestamp": 1, "reaction without its users": 3,
                "JSON file without guild.name, channel.name and messages": 1,
            ])
        #expect(summary["files_written"] as? [String] == ["discord-2026-11-02.ndjson.gz", "discord-2026-11-03.ndjson.gz"])
        func event(_ id: String) throws -> [String: Any] { try Self.event(id, in: lines) }
        // A post's mentions each once (a bot's too: the identity file decides), a reply to the message it answers.
        let post = try event("discord:800000000000000002")
        #expect(post["type"] as? String == "post" && post["community"] as? String == "Acme Community/general")
        #expect(post["mentions"] as? [String] == ["discord:900000000000000002", "discord:900000000000000099"])
        let reply = try event("discord:800000000000000004")
        #expect(reply["type"] as? String == "reply" && reply["parent"] as? String == "discord:800000000000000002")
        // A reply into another channel keeps its parent; one without a reference is a post.
        #expect(try event("discord:800000000000000006")["parent"] as? String == "discord:800000000000000100")
        #expect(try event("discord:800000000000000005")["type"] as? String == "post")
        // Reactions at the message's time, by emoji id, else its name.
        let react = try event("discord:800000000000000002/react/👍/900000000000000002")
        #expect(react["ts"] as? String == post["ts"] as? String && react["parent_actor"] as? String == "discord:900000000000000001")
        #expect(try event("discord:800000000000000002/react/111111111111111111/900000000000000003")["type"] as? String == "react")
        // A thread's messages are its parent channel's; days are UTC days (00:30+02:00 is the 2nd).
        #expect(try event("discord:810000000000000002")["community"] as? String == "Acme Community/general")
        #expect(lines.firstIndex { $0.contains("800000000000000006") }! < lines.firstIndex { $0.contains("810000000000000002") }!)
        #expect(try String(contentsOfFile: s.sub("bots.csv"), encoding: .utf8) == "id,person,bot\ndiscord:900000000000000099,,true\n")

        // --include-bots keeps the bot's message and reaction; --guild names the guild.
        let bots = try runJob("import-discord", [Self.discord, "--out", s.sub("bots"), "--include-bots", "--summary", s.sub("b.json")])
        #expect(bots.status == 0, "\(bots.stderr)")
        #expect(try readJSON(s.sub("b.json"))["events"] as? Int == 10)
        let botLines = try Self.lines(s.sub("bots"))
        #expect(botLines.contains { $0.contains("\"actor\":\"discord:900000000000000099\",\"type\":\"post\"") })
        #expect(try botLines.map(Self.canonical) == Self.reference("discord-with-bots", [Self.discord], in: s))
        #expect(try runJob("import-discord", [Self.discord, "--out", s.sub("guild"), "--guild", "acme", "-q"]).status == 0)
        #expect(try Self.lines(s.sub("guild")).allSatisfy { $0.contains("\"community\":\"acme/general\"") })
    }

    /// A grown export rewrites only its changed days; a zip is the folder; a
    /// night on the logs rejects no line (damage: `damagedExportsKeepWhatCanBeReadAndSaySo`).
    @Test func discordExportsGrowZipAndRunInTheNight() throws {
        let s = Scratch()
        let export = s.sub("export")
        try FileManager.default.copyItem(atPath: Self.discord, toPath: export)
        #expect(try runJob("import-discord", [export, "--out", s.sub("logs"), "-q"]).status == 0)
        let before = folderContents(s.sub("logs"))
        s.write(
            "export/new [730000000000000001].json",
            #"{"guild":{"name":"Acme Community"},"channel":{"type":"GuildTextChat","name":"news"},"messages":[{"id":"830000000000000001","type":"Default","timestamp":"2026-11-05T12:00:00+00:00","author":{"id":"900000000000000004","isBot":false}}]}"#
        )
        let r = try runJob("import-discord", [export, "--out", s.sub("logs"), "--summary", s.sub("s.json")])
        #expect(r.status == 0)
        #expect(try readJSON(s.sub("s.json"))["files_written"] as? [String] == ["discord-2026-11-05.ndjson.gz"])
        let after = folderContents(s.sub("logs"))
        #expect(after.count == before.count + 1)
        for (name, data) in before { #expect(after[name] == data, "\(name)") }

        try Self.zip(export, into: s.sub("export.zip"))
        #expect(try runJob("import-discord", [s.sub("export.zip"), "--out", s.sub("zip"), "-q"]).status == 0)
        #expect(folderContents(s.sub("zip")) == after)

        let ingest = try Self.night(of: "discord \"\(export)\" --kind internal", in: s)
        #expect(ingest["accepted"] as? Int == 9)
        let monthly = try String(contentsOfFile: s.sub("r/engagement_monthly.csv"), encoding: .utf8)
        #expect(monthly.contains(",internal,Acme Community/general,") && monthly.contains(",internal,Acme Community/news,"))
    }
}

// MARK: Mattermost

extension ImporterTests {
    /// Every rule of docs/importers.md "Mattermost" on the hand-made bulk
    /// export (Tests/Fixtures/mattermost), by hand and against the Python reference.
    @Test func mattermostMapsEveryRuleAndCountsEverySkip() throws {
        let s = Scratch()
        let r = try runJob(
            "import-mattermost",
            [Self.mattermost, "--out", s.sub("logs"), "--summary", s.sub("summary.json"), "--identities-out", s.sub("bots.csv")])
        #expect(r.status == 0, "\(r.stderr)")
        for (flags, reference, folder) in [([String](), "mattermost", "logs"), (["--include-bots"], "mattermost-with-bots", "bots")] {
            if !flags.isEmpty {
                #expect(try runJob("import-mattermost", [Self.mattermost, "--out", s.sub(folder), "-q"] + flags).status == 0)
            }
            let expected = try Self.reference(reference, [Self.mattermost], in: s)
            #expect(try Self.lines(s.sub(folder)).map(Self.canonical) == expected, "\(reference)")
        }
        #expect(try Self.lines(s.sub("bots")).count == 12)
        let summary = try readJSON(s.sub("summary.json"))
        #expect(summary["by_type"] as? [String: Int] == ["join": 1, "leave": 1, "post": 2, "reply": 2, "react": 2])
        #expect(
            summary["skipped"] as? [String: Int] == [
                "bot's post (without --include-bots)": 1, "bot's reaction (without --include-bots)": 1,
                "bot's reply (without --include-bots)": 1, "direct_channel (a private conversation)": 1,
                "direct_post (a private conversation)": 1, "line of type thread_follow": 1, "line that is not JSON": 1,
                "post of type system_header_change": 1, "post without team or channel": 1, "post without user or a valid create_at": 1,
                "reaction to a bot's message (without --include-bots)": 1, "reply without user or a valid create_at": 1,
                "user without username": 1,
            ])
        let lines = try Self.lines(s.sub("logs"))
        func event(_ id: String) throws -> [String: Any] { try Self.event(id, in: lines) }
        // Mentions: users of the export only, lower-cased, a sentence's dot left off, each once.
        let post = try event("mm:acme/town-square/1762074000000/anna")
        #expect(post["mentions"] as? [String] == ["mm:bert", "mm:cleo.dev"] && post["kind"] as? String == "internal")
        let reply = try event("mm:acme/town-square/1762074120000/bert")
        #expect(reply["parent"] as? String == "mm:acme/town-square/1762074000000/anna" && reply["parent_actor"] as? String == "mm:anna")
        // A reaction at its own time; a reply to a bot's post keeps its parent.
        #expect(try event("mm:acme/town-square/1762074000000/anna/react/+1/bert")["ts"] as? String == "2025-11-02T09:01:00Z")
        #expect(
            try event("mm:acme/town-square/1762077720000/dana")["parent"] as? String == "mm:acme/town-square/1762077600000/helperbot")
        #expect(try event("mm:acme/core-team/1762160400000/dana")["type"] as? String == "join")
        #expect(try event("mm:acme/core-team/1762160460000/bert")["type"] as? String == "leave")
        #expect(try String(contentsOfFile: s.sub("bots.csv"), encoding: .utf8) == "id,person,bot\nmm:helperbot,,true\n")
    }

    /// The same export gzipped or zipped gives the same days; a grown
    /// export rewrites only its new day; a night on the logs rejects no line.
    @Test func mattermostExportsGzipZipGrowAndRunInTheNight() throws {
        let s = Scratch()
        let text = try Data(contentsOf: URL(fileURLWithPath: Self.mattermost))
        s.write("export.jsonl", Array(text))
        #expect(try runJob("import-mattermost", [s.sub("export.jsonl"), "--out", s.sub("logs"), "-q"]).status == 0)
        let plain = folderContents(s.sub("logs"))
        s.write("export.jsonl.gz", Gzip.compress(Array(text)))
        #expect(try runJob("import-mattermost", [s.sub("export.jsonl.gz"), "--out", s.sub("gz"), "-q"]).status == 0)
        #expect(folderContents(s.sub("gz")) == plain)
        s.write("zipped/import.jsonl", Array(text))
        try Self.zip(s.sub("zipped"), into: s.sub("export.zip"))
        #expect(try runJob("import-mattermost", [s.sub("export.zip"), "--out", s.sub("zip"), "-q"]).status == 0)
        #expect(folderContents(s.sub("zip")) == plain)

        s.write(
            "export.jsonl",
            Array(text)
                + Array(
                    #"{"type":"post","post":{"team":"acme","channel":"town-square","user":"anna","message":"a week later","create_at":1762678800000}}"#
                        .utf8)
                + [0x0A])
        let grown = try runJob("import-mattermost", [s.sub("export.jsonl"), "--out", s.sub("logs"), "--summary", s.sub("s.json")])
        #expect(grown.status == 0)
        #expect(try readJSON(s.sub("s.json"))["files_written"] as? [String] == ["mattermost-2025-11-09.ndjson.gz"])
        let after = folderContents(s.sub("logs"))
        for (name, data) in plain { #expect(after[name] == data, "\(name)") }

        let ingest = try Self.night(of: "mattermost \(s.sub("export.jsonl"))", in: s)
        #expect(ingest["accepted"] as? Int == 9)
    }
}

// MARK: Discourse

extension ImporterTests {
    /// Every rule of docs/importers.md "Discourse": on perceval's real topic
    /// files and the hand-made topic and likes (Tests/Fixtures/discourse),
    /// by hand and against the Python reference.
    @Test func discourseMapsEveryRuleAndCountsEverySkip() throws {
        let s = Scratch()
        let base = ["--forum", "mozilla"]
        let r = try runJob(
            "import-discourse",
            [Self.discourse, "--out", s.sub("logs"), "--summary", s.sub("summary.json"), "--identities-out", s.sub("bots.csv")] + base)
        #expect(r.status == 0, "\(r.stderr)")
        for (flags, reference, folder) in [([String](), "discourse", "logs"), (["--include-bots"], "discourse-with-bots", "bots")] {
            if !flags.isEmpty {
                #expect(try runJob("import-discourse", [Self.discourse, "--out", s.sub(folder), "-q"] + base + flags).status == 0)
            }
            let expected = try Self.reference(reference, [Self.discourse], in: s)
            #expect(try Self.lines(s.sub(folder)).map(Self.canonical) == expected, "\(reference)")
            #expect(expected.count > 30)
        }
        let summary = try readJSON(s.sub("summary.json"))
        // The like's type-1 and type-2 rows are one event: written once, and said.
        #expect(summary["duplicates"] as? Int == 1 && summary["events"] as? Int == 34)
        #expect(r.stderr.contains("1 event(s) the export holds twice written once"), "\(r.stderr)")
        #expect(
            summary["skipped"] as? [String: Int] == [
                "JSON file without post_stream.posts": 1, "bot's like (without --include-bots)": 1, "deleted post": 1,
                "like of a post no topic file holds": 1, "like without a post, a user or a valid created_at": 1,
                "mention of a user the files do not name": 1, "moderator or small action (post_type 3)": 1,
                "post of a Discourse bot user (without --include-bots)": 1, "post the topic's stream names but the file does not hold": 3,
                "post without id, topic_id, post_number, user_id or a valid created_at": 1, "user action other than a like": 1,
                "whisper (staff only)": 1,
            ])
        let lines = try Self.lines(s.sub("logs"))
        func event(_ id: String) throws -> [String: Any] { try Self.event(id, in: lines) }
        // A topic's first post, a reply to the post it answers, else to the first.
        let first = try event("discourse:mozilla:t42#1")
        #expect(first["type"] as? String == "post" && first["community"] as? String == "mozilla")
        #expect(first["mentions"] as? [String] == ["discourse:mozilla:102", "discourse:mozilla:103"])
        #expect(try event("discourse:mozilla:t42#2")["parent"] as? String == "discourse:mozilla:t42#1")
        #expect(try event("discourse:mozilla:t42#3")["parent"] as? String == "discourse:mozilla:t42#2")
        #expect(try event("discourse:mozilla:t1148#4")["parent"] as? String == "discourse:mozilla:t1148#3")
        // Likes at their own time; a row of type 1 and its type-2 twin are one like; a Data Explorer time is UTC.
        let like = try event("discourse:mozilla:t42#1/like/102")
        #expect(like["ts"] as? String == "2026-11-02T09:30:00Z" && like["parent_actor"] as? String == "discourse:mozilla:101")
        #expect(lines.filter { $0.contains("t42#1/like/102") }.count == 1)
        #expect(try event("discourse:mozilla:t42#2/like/103")["ts"] as? String == "2026-11-03T10:00:00Z")
        #expect(try event("discourse:mozilla:t1148#4/like/101")["ts"] as? String == "2026-11-03T10:05:00.250Z")
        #expect(
            try String(contentsOfFile: s.sub("bots.csv"), encoding: .utf8)
                == "id,person,bot\ndiscourse:mozilla:-1,,true\ndiscourse:mozilla:-2,,true\n")
        // --categories: a topic file's category; a topic known only from a posts file has none, so the forum.
        #expect(try runJob("import-discourse", [Self.discourse, "--out", s.sub("cat"), "--categories", "-q"] + base).status == 0)
        let byCategory = try Self.lines(s.sub("cat"))
        #expect(byCategory.contains { $0.contains("\"id\":\"discourse:mozilla:t42#1\"") && $0.contains("\"community\":\"mozilla/7\"") })
        #expect(byCategory.contains { $0.contains("t1148#1") && $0.contains("\"community\":\"mozilla/111\"") })
        #expect(byCategory.contains { $0.contains("t1448#1") && $0.contains("\"community\":\"mozilla/1\"") })
        #expect(byCategory.contains { $0.contains("t43#1") && $0.contains("\"community\":\"mozilla\"") })
        // --forum is required and checked.
        #expect(try runJob("import-discourse", [Self.discourse, "--out", s.sub("x")]).status == 64)
        #expect(try runJob("import-discourse", [Self.discourse, "--out", s.sub("x"), "--forum", "a:b"]).status == 64)
    }

    /// Determinism, a grown export, a zip, and a night on the logs with no rejected line.
    @Test func discourseExportsAreDeterministicGrowAndRunInTheNight() throws {
        let s = Scratch()
        let export = s.sub("export")
        try FileManager.default.copyItem(atPath: Self.discourse, toPath: export)
        let args = ["--forum", "mozilla", "-q"]
        #expect(try runJob("import-discourse", [export, "--out", s.sub("a")] + args).status == 0)
        #expect(try runJob("import-discourse", [export, "--out", s.sub("b")] + args).status == 0)
        let before = folderContents(s.sub("a"))
        #expect(before == folderContents(s.sub("b")) && before.count == 18)
        s.write("export/more.csv", "action_type,user_id,target_post_id,created_at\n1,103,5001,2026-11-09T12:00:00Z\n")
        let grown = try runJob("import-discourse", [export, "--out", s.sub("a"), "--forum", "mozilla", "--summary", s.sub("s.json")])
        #expect(grown.status == 0)
        #expect(try readJSON(s.sub("s.json"))["files_written"] as? [String] == ["discourse-2026-11-09.ndjson.gz"])
        let after = folderContents(s.sub("a"))
        for (name, data) in before { #expect(after[name] == data, "\(name)") }

        try Self.zip(export, into: s.sub("export.zip"))
        #expect(try runJob("import-discourse", [s.sub("export.zip"), "--out", s.sub("zip")] + args).status == 0)
        #expect(folderContents(s.sub("zip")) == after)

        let ingest = try Self.night(of: "discourse \(export) --forum mozilla --categories", in: s)
        #expect((ingest["accepted"] as? Int ?? 0) > 30)
    }
}

// MARK: Viva Engage

extension ImporterTests {
    /// Every rule of docs/importers.md "Viva Engage" on the hand-made network
    /// export (Tests/Fixtures/viva-engage: quoted bodies with commas, quotes
    /// and line ends), by hand and against the Python reference; its zip is
    /// the folder, a grown export rewrites only its new day, and a night on
    /// the logs rejects no line.
    @Test func vivaEngageMapsEveryRuleZipsGrowsAndRunsInTheNight() throws {
        let s = Scratch()
        let export = s.sub("acme-network")
        try FileManager.default.copyItem(atPath: Self.vivaEngage, toPath: export)
        let r = try runJob(
            "import-viva-engage",
            [export, "--out", s.sub("logs"), "--summary", s.sub("summary.json"), "--identities-out", s.sub("bots.csv")])
        #expect(r.status == 0, "\(r.stderr)")
        for (flags, reference, folder) in [([String](), "viva-engage", "logs"), (["--include-bots"], "viva-engage-with-bots", "bots")] {
            if !flags.isEmpty { #expect(try runJob("import-viva-engage", [export, "--out", s.sub(folder), "-q"] + flags).status == 0) }
            let expected = try Self.reference(reference, [export], in: s)
            #expect(try Self.lines(s.sub(folder)).map(Self.canonical) == expected, "\(reference)")
        }
        let summary = try readJSON(s.sub("summary.json"))
        #expect(summary["by_type"] as? [String: Int] == ["post": 5, "reply": 3])
        #expect(
            summary["skipped"] as? [String: Int] == [
                "deleted message": 1, "message in a private conversation": 1,
                "message of a sender that is no user (without --include-bots)": 1, "message without id, sender_id or a valid created_at": 2,
            ])
        let lines = try Self.lines(s.sub("logs"))
        func event(_ id: String) throws -> [String: Any] { try Self.event(id, in: lines) }
        let first = try event("viva:msg:2001")
        #expect(first["type"] as? String == "post" && first["community"] as? String == "acme-network/Engineering")
        #expect(first["mentions"] as? [String] == ["viva:1002", "viva:1003"] && first["ts"] as? String == "2026-11-02T09:00:00Z")
        #expect(try event("viva:msg:2003")["parent"] as? String == "viva:msg:2002")
        #expect(try event("viva:msg:2004")["parent"] as? String == "viva:msg:2001")
        #expect(try event("viva:msg:2005")["community"] as? String == "acme-network/Social (12)")
        #expect(try event("viva:msg:2007")["community"] as? String == "acme-network/All Company")
        #expect(try event("viva:msg:2011")["community"] as? String == "acme-network/Design")
        #expect(try String(contentsOfFile: s.sub("bots.csv"), encoding: .utf8) == "id,person,bot\nviva:5001,,true\n")
        #expect(!lines.joined().contains("anna@example.com") && !lines.joined().contains("Release today"))

        try Self.zip(export, into: s.sub("acme-network.zip"))
        #expect(try runJob("import-viva-engage", [s.sub("acme-network.zip"), "--out", s.sub("zip"), "-q"]).status == 0)
        #expect(folderContents(s.sub("zip")) == folderContents(s.sub("logs")))

        let before = folderContents(s.sub("logs"))
        let grown =
            try String(contentsOfFile: export + "/Messages.csv", encoding: .utf8)
            + "2014,,2014,,12,Social,,false,false,1001,user,Anna,,\"A week later\",,,,,2026-11-10 08:00:00 UTC,\n"
        s.write("acme-network/Messages.csv", grown)
        let again = try runJob("import-viva-engage", [export, "--out", s.sub("logs"), "--summary", s.sub("s.json")])
        #expect(again.status == 0)
        #expect(try readJSON(s.sub("s.json"))["files_written"] as? [String] == ["viva-engage-2026-11-10.ndjson.gz"])
        let after = folderContents(s.sub("logs"))
        for (name, data) in before { #expect(after[name] == data, "\(name)") }
        #expect(after.count == before.count + 1)

        let ingest = try Self.night(of: "viva-engage \(export) --network acme", in: s)
        #expect(ingest["accepted"] as? Int == 9)
    }
}

// MARK: Damage, for every export kind

extension ImporterTests {
    /// A damaged zip (of every new kind of export) or a cut gzip
    /// (Mattermost) keeps what could be read and says what was lost (exit
    /// 2), or is refused whole, writing nothing, when nothing of it is an
    /// export (exit 65); never a crash.
    @Test func damagedExportsKeepWhatCanBeReadAndSaySo() throws {
        let s = Scratch()
        s.write("mattermost/import.jsonl", Array(try Data(contentsOf: URL(fileURLWithPath: Self.mattermost))))
        for (job, folder, extra) in [
            ("import-viva-engage", Self.vivaEngage, [String]()), ("import-discourse", Self.discourse, ["--forum", "f"]),
            ("import-discord", Self.discord, []), ("import-mattermost", s.sub("mattermost"), []),
        ] {
            let zip = s.sub(job + ".zip")
            try Self.zip(folder, into: zip)
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: zip)))
            for k in stride(from: bytes.count / 3, to: bytes.count / 3 + 90, by: 3) { bytes[k] ^= 0x5A }
            s.write(job + "-damaged.zip", bytes)
            let r = try runJob(job, [s.sub(job + "-damaged.zip"), "--out", s.sub(job)] + extra)
            #expect(r.status == 2 || r.status == 65, "\(job): \(r.stderr)")
            if r.status == 2 { #expect(r.stderr.contains("read in part"), "\(job): \(r.stderr)") }
            #expect(folderContents(s.sub(job)).isEmpty || r.status == 2, "\(job)")
            #expect(!r.stderr.contains("Fatal error"))
        }
        let text = Array(try Data(contentsOf: URL(fileURLWithPath: Self.mattermost)))
        let gz = Gzip.compress(text)
        s.write("cut.jsonl.gz", Array(gz[..<(gz.count - 60)]))  // the last lines and the trailer lost
        let cut = try runJob("import-mattermost", [s.sub("cut.jsonl.gz"), "--out", s.sub("cut"), "--summary", s.sub("cut.json")])
        #expect(cut.status == 2, "\(cut.stderr)")
        let summary = try readJSON(s.sub("cut.json"))
        #expect((summary["damaged"] as? [[String: Any]])?.count == 1)
        #expect((summary["events"] as? Int ?? 0) > 0)
    }
}

// MARK: Golden files

/// The three real exports through a night: the converted logs and the
/// reports must be the bytes kept in Tests/Fixtures/golden (README there),
/// and those reports are what the independent Python references compute
/// from the same logs. `SILTA_UPDATE_GOLDEN=1 make test` writes them anew
/// (then read the diff).
@Suite(.serialized) struct GoldenTests {
    static let golden = Paths.fixtures.appendingPathComponent("golden").path
    static let reports = ["engagement", "social_capital", "bridging", "community_links"].flatMap { r in
        ["daily", "weekly", "monthly"].map { "\(r)_\($0).csv" }
    }

    /// The day files of `logs` as golden text: per source prefix, every
    /// line in file then line order, and a listing of the files with their line counts.
    static func goldenLogs(_ logs: String) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasSuffix(".ndjson.gz") }.sorted()
        var text: [String: [UInt8]] = [:]
        var listing = ""
        for n in names {
            let bytes = try gunzip(Array(try Data(contentsOf: URL(fileURLWithPath: logs + "/" + n))))
            let prefix = String(n.prefix { $0 != "-" })
            text[prefix, default: []] += bytes
            listing += "\(n)\t\(bytes.filter { $0 == 0x0A }.count)\n"
        }
        var out = ["logs/files.tsv": Data(listing.utf8)]
        for (prefix, bytes) in text { out["logs/\(prefix).ndjson"] = Data(bytes) }
        return out
    }

    @Test func theRealExportsGiveTheGoldenLogsAndReports() throws {
        let s = Scratch()
        let raw = ImporterTests.raw
        s.write(
            "sources.txt",
            """
            slack "\(raw)/slack-houstondatavis"
            stackexchange "\(raw)/stackexchange-conlang.meta"
            gharchive "\(raw)/gharchive/2015-01-01-0.json.gz"
            """)
        let r = try runJob(
            "nightly",
            ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--sources", s.sub("sources.txt"), "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        var made = try Self.goldenLogs(s.sub("logs"))
        for name in Self.reports { made["reports/" + name] = try Data(contentsOf: URL(fileURLWithPath: s.sub("r/" + name))) }
        #expect(made.count == 4 + Self.reports.count)

        if ProcessInfo.processInfo.environment["SILTA_UPDATE_GOLDEN"] == "1" {
            for (name, data) in made {
                let path = Self.golden + "/" + name
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try data.write(to: URL(fileURLWithPath: path))
            }
        }
        for (name, data) in made.sorted(by: { $0.key < $1.key }) {
            let kept = FileManager.default.contents(atPath: Self.golden + "/" + name)
            #expect(kept == data, "\(name) differs from Tests/Fixtures/golden/\(name) (SILTA_UPDATE_GOLDEN=1 writes it; read the diff)")
        }

        // The golden reports are the references' on the same logs.
        for (script, names) in [
            ("engagement_reference.py", ["engagement"]), ("social_reference.py", ["social_capital", "bridging", "community_links"]),
        ] {
            let (status, output) = try python(script, [s.sub("logs"), s.sub("reference")])
            #expect(status == 0, "\(output)")
            for report in names {
                for period in ["daily", "weekly", "monthly"] {
                    let (ok, text) = try python(
                        "compare_csv.py", [Self.golden + "/reports/\(report)_\(period).csv", s.sub("reference/\(report)_\(period).csv")])
                    #expect(ok == 0, "\(report)_\(period): \(text)")
                    #expect(!text.contains(": 0 rows compared"), "\(text)")
                }
            }
        }
    }
}
