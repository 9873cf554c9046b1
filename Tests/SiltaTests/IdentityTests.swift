import Foundation
import SiltaIdentities
import SiltaMetrics
import SiltaReportJobs
import SiltaReports
import SiltaWarehouse
import Testing

/// The identity file (docs/identities.md): every rule on hand-worked
/// fixtures, every fault of an invalid file, the invariant that a file which
/// undoes split ids and added bots gives the reports of the original logs,
/// and the Python reference with merges and bots.
@Suite struct IdentityTests {
    /// Ingests `lines` and returns the day rows of engagement, social
    /// capital and bridging, with and without the identity file `csv`.
    func dayReports(_ lines: [String], identities csv: String?) throws -> (
        engagement: Rows, social: Rows, bridging: Rows, asOf: Int64?
    ) {
        let s = Scratch()
        s.write("logs/a.ndjson", lines.joined(separator: "\n") + "\n")
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        var path: String?
        if let csv {
            s.write("ids.csv", csv)
            path = s.sub("ids.csv")
        }
        var asOf: Int64?
        func rows(_ make: @escaping (MetricsInput, ReportSettings) -> [ReportTable]) throws -> Rows {
            try reportTables(warehouse: s.sub("wh"), families: [.day], identities: path) { input, settings in
                asOf = settings.asOf
                return make(input, settings)
            }[.day]!
        }
        return (
            try rows { EngagementReport.tables($0, settings: $1) }, try rows { SocialCapitalReport.tables($0, settings: $1) },
            try rows { input, settings in BridgingReport.tables(input, settings: settings).filter { $0.report == "bridging" } },
            asOf
        )
    }

    @Test func idsAreRewrittenInActorsParentActorsAndMentions() throws {
        let lines = [
            line("e1", "2026-11-02T10:00:00Z", actor: "u1", "post", content: "c1", mentions: ["m1", "m2"]),
            line("e2", "2026-11-02T10:05:00Z", actor: "u2", "reply", content: "c2", parent: "c1"),
            line("e3", "2026-11-02T10:06:00Z", actor: "bob", "react", parent: "c1", parentActor: "u2"),
        ]
        let plain = try dayReports(lines, identities: nil)
        let p = try #require(plain.engagement.row("2026-11-02"))
        #expect(p["active_users"] == "3" && p["creators"] == "2" && p["interactions"] == "4")
        #expect(p["response_rate"] == "1" && p["median_response_s"] == "300")

        let merged = try dayReports(lines, identities: "id,person\nu1,anna\nu2,anna\nm1,mia\nm2,mia\n")
        let m = try #require(merged.engagement.row("2026-11-02"))
        // anna and bob are active; anna's reply to her own post is no interaction and no response;
        // mia, mentioned under two ids, counts once.
        #expect(m["active_users"] == "2" && m["creators"] == "1" && m["reactors"] == "1" && m["lurkers"] == "0")
        #expect(m["interactions"] == "2" && m["unresolved_parents"] == "0")
        #expect(m["response_rate"] == "0" && m["median_response_s"] == "")
        #expect(m["core_creators"] == "1" && m["creator_gini"] == "0")
        let g = try #require(merged.social.row("2026-11-02"))
        #expect(g["nodes"] == "3" && g["edges"] == "2" && g["interactions"] == "2")
    }

    static let botLines = [
        line("e1", "2026-11-02T10:00:00Z", actor: "ann", "post", content: "c1"),
        line("e2", "2026-11-02T10:01:00Z", actor: "bot1", "reply", content: "c2", parent: "c1"),
        line("e3", "2026-11-02T10:02:00Z", actor: "bot1", "post", content: "c3"),
        line("e4", "2026-11-02T10:03:00Z", actor: "bob", "reply", content: "c4", parent: "c3"),
        line("e5", "2026-11-02T10:04:00Z", actor: "carl", "react", parent: "c3"),
        line("e6", "2026-11-02T10:05:00Z", actor: "ann", "post", content: "c5", mentions: ["bot1", "slack:B2", "bob"]),
        line("e7", "2026-11-02T10:06:00Z", "x", kind: "external", actor: "teams:B2", "share", content: "c6", parent: "c1"),
        line("e8", "2026-11-02T10:07:00Z", "x", kind: "external", actor: "dana", "share", content: "c7", parent: "c1"),
        line("e9", "2026-11-03T09:00:00Z", actor: "slack:B2", "view"),
    ]
    static let botFile = "id,person,bot\nbot1,,true\nslack:B2,digest,\nteams:B2,digest,true\n"

    @Test func botsCountInNoMetricButTheirContentKeepsItsAuthor() throws {
        let plain = try dayReports(Self.botLines, identities: nil)
        let p = try #require(plain.engagement.row("2026-11-02"))
        #expect(p["events"] == "6" && p["interactions"] == "6" && p["response_rate"] == "0.666667")
        #expect(plain.engagement.row("2026-11-03") != nil)

        let r = try dayReports(Self.botLines, identities: Self.botFile)
        let e = try #require(r.engagement.row("2026-11-02"))
        #expect(e["events"] == "4" && e["posts"] == "2" && e["replies"] == "1" && e["reactions"] == "1")
        #expect(e["active_users"] == "3" && e["creators"] == "2" && e["reactors"] == "1")
        // A bot's reply is no response; a reply and a reaction to a bot's post resolve but make no interaction;
        // of ann's three mentions only bob's counts.
        #expect(e["response_rate"] == "0" && e["interactions"] == "1" && e["unresolved_parents"] == "0")
        // A day with bots' events only has no row, but the as-of instant is still the bot's last event.
        #expect(r.engagement.row("2026-11-03") == nil)
        #expect(r.asOf == RFC3339Days.instant("2026-11-03T09:00:00Z"))
        #expect(e["complete"] == "true")
        // The bot's cross-community share is no share; dana's is.
        let b = try #require(r.bridging.first { $0["period_start"] == "2026-11-02" })
        #expect(b["cross_community_shares"] == "1" && b["internal_to_external_shares"] == "1")
        let pb = try #require(plain.bridging.first { $0["period_start"] == "2026-11-02" })
        #expect(pb["cross_community_shares"] == "2")
        #expect(r.engagement.row("2026-11-02", "x")?["events"] == "1")
    }

    @Test func contentClaimTiesCompareTheRewrittenActor() throws {
        let lines = [
            line("e1", "2026-11-02T10:00:00Z", actor: "z1", "post", content: "c1"),
            line("e2", "2026-11-02T10:00:00Z", actor: "b", "post", content: "c1"),
            line("e3", "2026-11-02T10:10:00Z", actor: "b", "reply", content: "c2", parent: "c1"),
        ]
        // Without the file "b" < "z1" claims c1, and b's reply is to himself.
        #expect(try dayReports(lines, identities: nil).engagement.row("2026-11-02")?["interactions"] == "0")
        // With z1 as "a", "a" < "b" claims it.
        #expect(try dayReports(lines, identities: "id,person\nz1,a\n").engagement.row("2026-11-02")?["interactions"] == "1")
    }

    @Test func aPersonNamedAsItsOwnIdAndAnIdThatIsAPersonAreOnePerson() throws {
        // `b,b` and an empty person are allowed; "anna" in the logs, not in the file, is the person "anna".
        let lines = [
            line("e1", "2026-11-02T10:00:00Z", actor: "a", "post", content: "c1"),
            line("e2", "2026-11-02T10:01:00Z", actor: "b", "post", content: "c2"),
            line("e3", "2026-11-02T10:02:00Z", actor: "anna", "post", content: "c3"),
            line("e4", "2026-11-02T10:03:00Z", actor: "slack:anna", "post", content: "c4"),
        ]
        let r = try dayReports(lines, identities: "id,person\na,b\nb,b\nslack:anna,anna\n")
        #expect(r.engagement.row("2026-11-02")?["active_users"] == "2")
        let f = try IdentityFile.parse(Array("id,person,bot\na,b,\nb,b,true\nc,,\n".utf8), file: "f")
        #expect(f.ids == 3 && f.persons == 2 && f.bots == 1)
    }

    // MARK: Invalid files

    static let faults: [(String, Int?, String)] = [
        ("id,name\na,b\n", 1, "the header is not"),
        ("", 1, "the file is empty"),
        ("id,person\na,b,c\n", 2, "3 field(s), but the header has 2"),
        ("id,person,bot\na,b\n", 2, "2 field(s), but the header has 3"),
        ("id,person\n,b\n", 2, "the id has 0 bytes"),
        ("id,person\n" + String(repeating: "x", count: 201) + ",b\n", 2, "the id has 201 bytes"),
        ("id,person\na," + String(repeating: "y", count: 201) + "\n", 2, "the person has 201 bytes"),
        ("id,person,bot\na,b,yes\n", 2, "bot is \"yes\""),
        ("id,person,bot\na,b,True\n", 2, "bot is \"True\""),
        ("id,person\na,x\nb,y\na,z\n", 4, "also on line 2"),
        ("id,person\na,b\nb,c\n", 2, "a chain"),
        ("\u{FEFF}id,person\n", 1, "byte-order mark"),
        ("id,person\n\"a,b\n", 2, "never closed"),
        ("id,person\na\"b,c\n", 2, "a quote inside"),
        ("id,person\n\"a\"x,c\n", 2, "followed by something other"),
        ("id,person\na\rb,c\n", 2, "carriage return"),
    ]

    @Test(arguments: faults)
    func everyFaultNamesItsLine(text: String, line: Int?, fault: String) {
        #expect(throws: IdentityFileError.self) { try IdentityFile.parse(Array(text.utf8), file: "ids.csv") }
        do {
            _ = try IdentityFile.parse(Array(text.utf8), file: "ids.csv")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.fault.contains(fault), "\(error)")
            #expect(error.description.hasPrefix("the identity file ids.csv"))
        }
    }

    @Test func invalidUTF8NamesItsLine() {
        let bytes = Array("id,person\na,b\n".utf8) + [0xFF] + Array(",c\n".utf8)
        #expect(throws: IdentityFileError(file: "f", line: 3, fault: "it is not valid UTF-8")) {
            try IdentityFile.parse(bytes, file: "f")
        }
    }

    @Test func quotedFieldsCRLFAndBlankLinesAreRFC4180() throws {
        let text = "id,person,bot\r\n\r\n\"a,1\",\"b \"\"x\"\"\",\r\n\n\"two\nlines\",,\"true\"\r\n"
        let f = try IdentityFile.parse(Array(text.utf8), file: "f")
        #expect(f.ids == 2 && f.persons == 2 && f.bots == 1)
        let a = Array("a,1".utf8)
        let row = try #require(a.withUnsafeBytes { f.row(ofID: $0) })
        #expect(String(decoding: f.keyBytes(Int(f.rows[row].key)), as: UTF8.self) == "b \"x\"")
        #expect(f.rows.map(\.line) == [3, 5])
    }

    @Test func aBadFileChangesNoReportAndExits78() throws {
        let s = Scratch()
        s.write("logs/a.ndjson", Self.botLines.joined(separator: "\n") + "\n")
        _ = try runJob("ingest", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        s.write("good.csv", Self.botFile)
        let good = try runJob("engagement", ["--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--identities", s.sub("good.csv")])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.contains("left out 4 events of bots"), "\(good.stderr)")
        let before = metricReports(s.sub("r"))
        #expect(before.count == 6)
        let json = try readJSON(s.sub("r/engagement_daily.json"))
        let used = try #require(json["identities"] as? [String: Any])
        #expect(used["ids"] as? Int == 3 && used["persons"] as? Int == 2 && used["bots"] as? Int == 2)
        #expect((used["sha256"] as? String)?.count == 64)
        for (name, text) in [("chain.csv", "id,person\na,b\nb,c\n"), ("bom.csv", "\u{FEFF}id,person\n")] {
            s.write(name, text)
            let r = try runJob("engagement", ["--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--identities", s.sub(name)])
            #expect(r.status == 78, "\(r.stderr)")
            #expect(r.stderr.contains(s.sub(name)) && r.stderr.contains("line "), "\(r.stderr)")
        }
        for missing in [s.sub("nope.csv"), s.sub("logs")] {
            let r = try runJob("engagement", ["--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--identities", missing])
            #expect(r.status == 78 && r.stderr.contains(missing), "\(r.stderr)")
        }
        #expect(metricReports(s.sub("r")) == before)
    }

    @Test func aNightWithABadFileRunsNoReportJobAndSaysSo() throws {
        let s = Scratch()
        s.write("logs/a.ndjson", Self.botLines.joined(separator: "\n") + "\n")
        s.write("good.csv", Self.botFile)
        let args = ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"]
        #expect(try runJob("nightly", args + ["--identities", s.sub("good.csv")]).status == 0)
        // The night made the person map before the report jobs started together.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: s.sub("wh/identities")))?.count == 1)
        let before = metricReports(s.sub("r"))
        let summary = try readJSON(s.sub("r/run_summary.json"))
        #expect(summary["bot_events"] as? Int == 4)
        #expect((summary["identities"] as? [String: Any])?["bots"] as? Int == 2)
        s.write("bad.csv", "id,person\na,b\na,c\n")
        let r = try runJob("nightly", args + ["--identities", s.sub("bad.csv")])
        #expect(r.status == 78, "\(r.stderr)")
        #expect(metricReports(s.sub("r")) == before)
        let bad = try readJSON(s.sub("r/run_summary.json"))
        let error = (bad["identities"] as? [String: Any])?["error"] as? String
        #expect(error?.contains("line 3") == true, "\(bad)")
        let jobs = try #require(bad["jobs"] as? [[String: Any]])
        #expect(jobs.filter { ($0["note"] as? String)?.contains("identity file") == true }.count == ReportCatalog.reportJobs.count + 2)
        let prom = try String(contentsOfFile: s.sub("r/silta.prom"), encoding: .utf8)
        #expect(prom.contains("silta_identities_invalid 1"))
        #expect(prom.contains("silta_last_run_exit_code 78"))
    }

    // MARK: Invariant and reference

    /// Reports that a file undoing split ids and bots must leave unchanged.
    static func allReports(warehouse: String, to folder: String, workers: Int, identities: String?) throws {
        try writeReports(
            warehouse: warehouse, to: folder, families: [.day, .week, .month], timeZone: "Europe/Helsinki", workers: workers,
            identities: identities
        ) {
            EngagementReport.tables($0, settings: $1) + SocialCapitalReport.tables($0, settings: $1)
                + BridgingReport.tables($0, settings: $1) + PeopleReport.tables($0, settings: keyed($1))
        }
    }

    @Test func aFileThatUndoesSplitIdsAndBotsGivesTheOriginalReports() throws {
        let s = Scratch()
        let (logs, wh) = try ConformanceTests.logs(s, events: 6000, days: 10, communities: 6, persons: 200, seed: 5)
        let (status, output) = try python("identities_split.py", [logs, s.sub("split"), s.sub("ids.csv"), "--seed", "3"])
        #expect(status == 0, "\(output)")
        try ingest(logs: s.sub("split"), warehouse: s.sub("wh-split"))
        try Self.allReports(warehouse: wh, to: s.sub("original"), workers: 2, identities: nil)
        let original = metricReports(s.sub("original")).filter { $0.key.hasSuffix(".csv") }
        #expect(original.count == 15)
        // Without the file the split logs differ (else the test would prove nothing).
        try Self.allReports(warehouse: s.sub("wh-split"), to: s.sub("unmapped"), workers: 2, identities: nil)
        #expect(metricReports(s.sub("unmapped")).filter { $0.key.hasSuffix(".csv") } != original)
        for workers in [1, 2, 8] {
            try Self.allReports(
                warehouse: s.sub("wh-split"), to: s.sub("mapped-\(workers)"), workers: workers, identities: s.sub("ids.csv"))
            let mapped = metricReports(s.sub("mapped-\(workers)")).filter { $0.key.hasSuffix(".csv") }
            for (name, data) in original {
                #expect(mapped[name] == data, "\(name) with \(workers) worker(s) differs from the original logs' report")
            }
        }
    }

    @Test func mergesAndBotsMatchThePythonReference() throws {
        let s = Scratch()
        let (logs, wh) = try ConformanceTests.logs(s, events: 4000, days: 10, communities: 6, persons: 150, seed: 21)
        // Merge pairs of distinct people, and mark some real people as bots.
        let snapshot = try WarehouseSnapshot(root: wh)
        let persons = snapshot.persons.map { String(decoding: $0, as: UTF8.self) }.sorted()
        var csv = "id,person,bot\n"
        for (k, p) in persons.enumerated() {
            if k % 3 == 0 {
                csv += "\(p),merged-\(k / 6),\n"
            } else if k % 19 == 5 {
                csv += "\(p),,true\n"
            }
        }
        s.write("ids.csv", csv)
        try writeReports(
            warehouse: wh, to: s.sub("silta"), families: [.day, .week], timeZone: "UTC", identities: s.sub("ids.csv")
        ) { input, settings in
            EngagementReport.tables(input, settings: settings) + SocialCapitalReport.tables(input, settings: settings)
                + BridgingReport.tables(input, settings: settings)
        }
        for (script, reports) in [
            ("engagement_reference.py", ["engagement"]), ("social_reference.py", ["social_capital", "bridging", "community_links"]),
        ] {
            let (status, output) = try python(
                script, [logs, s.sub("reference"), "--periods", "day,week", "--identities", s.sub("ids.csv")])
            #expect(status == 0, "\(output)")
            for report in reports {
                for period in ["daily", "weekly"] {
                    let (ok, text) = try python(
                        "compare_csv.py", [s.sub("silta/\(report)_\(period).csv"), s.sub("reference/\(report)_\(period).csv")])
                    #expect(ok == 0, "\(report)_\(period): \(text)")
                    #expect(text.contains("0 differences"))
                    #expect(!text.contains(": 0 rows compared"))
                }
            }
        }
    }
}

extension IdentityTests {
    @Test func aRenderedFileReadsBack() throws {
        let rows: [(id: [UInt8], person: [UInt8], bot: Bool)] = [
            (Array("slack:B2".utf8), [], true), (Array("a,\"b\"\nc".utf8), Array("x".utf8), false),
            (Array("slack:B2".utf8), Array("later".utf8), false),
        ]
        let bytes = IdentityFile.render(rows)
        #expect(String(decoding: bytes, as: UTF8.self) == "id,person,bot\n\"a,\"\"b\"\"\nc\",x,false\nslack:B2,,true\n")
        let f = try IdentityFile.parse(bytes, file: "f")
        #expect(f.ids == 2 && f.bots == 1)
    }
}

// MARK: The map kept in the warehouse

extension IdentityTests {
    /// The warehouse's map (identities/<sha256>.map) changes no figure:
    /// made by the first job, read by the next, ignored when damaged or made
    /// for other persons, and replaced when the file changes.
    @Test func theKeptMapChangesNoFigureAndIsRemadeWhenItDoesNotFit() throws {
        let s = Scratch()
        s.write("logs/a.ndjson", Self.botLines.joined(separator: "\n") + "\n")
        _ = try runJob("ingest", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        s.write("ids.csv", Self.botFile)
        func reports(_ folder: String, file: String = "ids.csv") throws -> (log: String, files: [String: Data]) {
            let r = try runJob("engagement", ["--warehouse", s.sub("wh"), "--reports", s.sub(folder), "--identities", s.sub(file)])
            #expect(r.status == 0, "\(r.stderr)")
            return (r.stderr, metricReports(s.sub(folder)))
        }
        func maps() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: s.sub("wh/identities"))) ?? []).sorted() }

        let first = try reports("r1")
        #expect(!first.log.contains("kept from an earlier job"), "\(first.log)")
        #expect(first.log.contains("left out 4 events of bots"))
        let kept = maps()
        #expect(kept.count == 1 && kept[0].hasSuffix(".map") && kept[0].count == 64 + 4, "\(kept)")
        let second = try reports("r2")
        #expect(second.log.contains("kept from an earlier job"), "\(second.log)")
        #expect(second.files == first.files && first.files.count == 6)

        // Damaged: every single-byte change and every truncation is ignored, never trusted.
        let path = s.sub("wh/identities/" + kept[0])
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        try Data(good.prefix(good.count / 2)).write(to: URL(fileURLWithPath: path))
        let damaged = try reports("r3")
        #expect(!damaged.log.contains("kept from an earlier job") && damaged.files == first.files, "\(damaged.log)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == good, "the damaged map is made again")

        // Other persons (a later ingest adds one): the map is made again, and the figures follow the new events.
        s.write("logs/b.ndjson", line("e10", "2026-11-02T11:00:00Z", actor: "erin", "post", content: "c10") + "\n")
        _ = try runJob("ingest", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        let grown = try reports("r4")
        #expect(!grown.log.contains("kept from an earlier job"), "\(grown.log)")
        try FileManager.default.removeItem(atPath: s.sub("wh/identities"))
        #expect(try reports("r5").files == grown.files)
        #expect(grown.files != first.files)

        // Another file: its own map, and the old one is gone.
        s.write("other.csv", "id,person,bot\nbot1,,true\n")
        let other = try reports("r6", file: "other.csv")
        #expect(!other.log.contains("kept from an earlier job"))
        #expect(maps().count == 1 && maps() != kept)
    }

    @Test func aStoredMapReadsBackOnlyWhole() throws {
        let file = try IdentityFile.parse(Array(Self.botFile.utf8), file: "f")
        let names = ["ann", "bot1", "bob", "slack:B2", "digest", "teams:B2", "carl"].map { Array($0.utf8) }
        let storage = names.map { UnsafeMutableRawBufferPointer.allocate(byteCount: $0.count, alignment: 1) }
        defer { for b in storage { b.deallocate() } }
        for (b, n) in zip(storage, names) { b.copyMemory(from: n.withUnsafeBytes { $0 }) }
        let persons = storage.map { UnsafeRawBufferPointer($0) }
        let map = PersonMap(file: file, persons: persons)
        // slack:B2 and teams:B2 are one bot, numbered by the first; "digest" names that person.
        #expect(map.personOf == [0, 1, 2, 3, 3, 3, 6])
        #expect(map.isBot == [false, true, false, true, false, false, false])
        #expect(map.bytes(of: 3, persons: persons) == Array("digest".utf8))
        #expect(map.bytes(of: 0, persons: persons) == Array("ann".utf8))
        let print = PersonMapCache.fingerprint(persons)
        let bytes = map.serialized(fingerprint: print)
        let back = try #require(PersonMap(serialized: bytes, fingerprint: print, persons: persons.count))
        #expect(back.personOf == map.personOf && back.isBot == map.isBot && back.used == map.used)
        #expect(back.bytes(of: 3, persons: persons) == Array("digest".utf8))
        #expect(PersonMap(serialized: bytes, fingerprint: PersonMapCache.fingerprint(Array(persons.dropLast())), persons: 6) == nil)
        for n in 0..<bytes.count { #expect(PersonMap(serialized: Array(bytes.prefix(n)), fingerprint: print, persons: 7) == nil) }
        for k in bytes.indices {
            var flipped = bytes
            flipped[k] ^= 0x5A
            #expect(PersonMap(serialized: flipped, fingerprint: print, persons: 7) == nil, "byte \(k)")
        }
    }
}
