import Dispatch
import Foundation
import PropertyBased
import SiltaIdentities
import SiltaMetrics
import SiltaReports
import SiltaWarehouse
import Testing

/// The people report (docs/people.md): every column on a hand-worked
/// fixture, with and without an identity file; the sums that must agree
/// with engagement and bridging, as a property over generated logs;
/// pseudonyms and their key; the job's settings; the Python reference.
@Suite struct PeopleTests {
    /// Three communities, four people, three days in two weeks; each
    /// expected row below is worked out by hand from these lines.
    static let lines = [
        // 2 Nov (Mon): ann posts in intra mentioning bob (and herself: dropped).
        line("e1", "2026-11-02T09:00:00Z", "intra", actor: "ann", "post", content: "c1", mentions: ["bob", "ann"]),
        // bob replies to ann.
        line("e2", "2026-11-02T10:00:00Z", "intra", actor: "bob", "reply", content: "c2", parent: "c1"),
        // ann shares her own post into the external forum: no interaction (self).
        line("e3", "2026-11-02T11:00:00Z", "forum", kind: "external", actor: "ann", "share", content: "c3", parent: "c1"),
        // cat reacts to ann's share, and views the wiki.
        line("e4", "2026-11-02T12:00:00Z", "forum", kind: "external", actor: "cat", "react", parent: "c3"),
        line("e5", "2026-11-02T13:00:00Z", "wiki", actor: "cat", "view"),
        // 3 Nov: dan posts mentioning bob (who has no event that day), ann reacts to it.
        line("e6", "2026-11-03T08:00:00Z", "intra", actor: "dan", "post", content: "c4", mentions: ["bob"]),
        line("e7", "2026-11-03T09:00:00Z", "intra", actor: "ann", "react", parent: "c4"),
        // 10 Nov (next week): bob posts outside, ann joins intra.
        line("e8", "2026-11-10T09:00:00Z", "forum", kind: "external", actor: "bob", "post", content: "c5"),
        line("e9", "2026-11-10T10:00:00Z", "intra", actor: "ann", "join"),
    ]

    static let columns = [
        "events", "contributions", "reactions", "internal_communities", "external_communities", "internal_contributions",
        "external_contributions", "boundary_spanner", "interactions_out", "interactions_in", "first_seen", "new",
        "active_periods", "previous_active",
    ]

    /// The people rows of `lines` (raw ids), by family.
    static func rows(_ lines: [String], identities csv: String? = nil, families: [PeriodFamily] = [.day, .week]) throws -> [PeriodFamily:
        Rows]
    {
        let s = Scratch()
        s.write("logs/a.ndjson", lines.joined(separator: "\n") + "\n")
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        var path: String?
        if let csv {
            s.write("ids.csv", csv)
            path = s.sub("ids.csv")
        }
        return try reportTables(warehouse: s.sub("wh"), families: families, identities: path) { input, settings in
            var settings = settings
            settings.peopleIds = .raw
            return PeopleReport.tables(input, settings: settings)
        }
    }

    /// `expected` is the cells after `person`, in column order.
    func expectRow(_ rows: Rows, _ start: String, _ person: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let row = rows.first(where: { $0["period_start"] == start && $0["person"] == person }) else {
            Issue.record("no row for \(person) on \(start)", sourceLocation: sourceLocation)
            return
        }
        let got = Self.columns.map { row[$0]! }.joined(separator: ",")
        #expect(got == expected, "\(person) on \(start)", sourceLocation: sourceLocation)
    }

    @Test func everyColumnOnAHandWorkedDay() throws {
        let r = try Self.rows(Self.lines)
        let day = r[.day]!
        #expect(
            day.map { $0["period_start"]! + " " + $0["person"]! } == [
                "2026-11-02 ann", "2026-11-02 bob", "2026-11-02 cat", "2026-11-03 ann", "2026-11-03 dan", "2026-11-10 ann",
                "2026-11-10 bob",
            ])
        // ann: post inside, share outside (a boundary spanner); out: e1 to bob; in: e2 (bob) and e4 (cat).
        expectRow(day, "2026-11-02", "ann", "2,2,0,1,1,1,1,true,1,2,2026-11-02,true,1,false")
        // bob: one reply inside to ann; in: ann's mention.
        expectRow(day, "2026-11-02", "bob", "1,1,0,1,0,1,0,false,1,1,2026-11-02,true,1,false")
        // cat: a reaction outside and a view inside: one community each side, no contribution.
        expectRow(day, "2026-11-02", "cat", "2,0,1,1,1,0,0,false,1,0,2026-11-02,true,1,false")
        // ann the day after: a reaction to dan; active the day before.
        expectRow(day, "2026-11-03", "ann", "1,0,1,1,0,0,0,false,1,0,2026-11-02,false,2,true")
        // dan: new; in: ann's reaction. bob is mentioned but has no event: no row.
        expectRow(day, "2026-11-03", "dan", "1,1,0,1,0,1,0,false,1,1,2026-11-03,true,1,false")
        // A join is an event; 9 Nov had none, so not previous_active.
        expectRow(day, "2026-11-10", "ann", "1,0,0,1,0,0,0,false,0,0,2026-11-02,false,3,false")
        expectRow(day, "2026-11-10", "bob", "1,1,0,0,1,0,1,false,0,0,2026-11-02,false,2,false")
        #expect(day.allSatisfy { $0["complete"] == ($0["period_start"] == "2026-11-10" ? "false" : "true") })
    }

    @Test func everyColumnOnAHandWorkedWeek() throws {
        let week = try Self.rows(Self.lines)[.week]!
        #expect(week.count == 6)
        // ann's week: e1, e3, e7; out e1 and e7; in e2 and e4.
        expectRow(week, "2026-11-02", "ann", "3,2,1,1,1,1,1,true,2,2,2026-11-02,true,1,false")
        // bob's week: in from ann (e1) and from dan (e6): received on a day he had no event, counted in the week he had one.
        expectRow(week, "2026-11-02", "bob", "1,1,0,1,0,1,0,false,1,2,2026-11-02,true,1,false")
        expectRow(week, "2026-11-02", "cat", "2,0,1,1,1,0,0,false,1,0,2026-11-02,true,1,false")
        expectRow(week, "2026-11-02", "dan", "1,1,0,1,0,1,0,false,1,1,2026-11-03,true,1,false")
        expectRow(week, "2026-11-09", "ann", "1,0,0,1,0,0,0,false,0,0,2026-11-02,false,2,true")
        expectRow(week, "2026-11-09", "bob", "1,1,0,0,1,0,1,false,0,0,2026-11-02,false,2,true")
    }

    @Test func identitiesMergePeopleAndLeaveBotsOut() throws {
        // dan is ann under another id; cat is a bot.
        let r = try Self.rows(Self.lines, identities: "id,person,bot\ndan,ann,\ncat,,true\n")
        let day = r[.day]!
        #expect(!day.contains { $0["person"] == "cat" || $0["person"] == "dan" })
        // ann on 2 Nov: cat's reaction is gone from her interactions_in.
        expectRow(day, "2026-11-02", "ann", "2,2,0,1,1,1,1,true,1,1,2026-11-02,true,1,false")
        // ann on 3 Nov: dan's post is hers (to bob), and her reaction to it is to herself: dropped.
        expectRow(day, "2026-11-03", "ann", "2,1,1,1,0,1,0,false,1,0,2026-11-02,false,2,true")
        expectRow(day, "2026-11-02", "bob", "1,1,0,1,0,1,0,false,1,1,2026-11-02,true,1,false")
    }

    @Test func aPersonFirstSeenLongBeforeIsNotNewAndCountsEveryActiveMonth() throws {
        let lines = [
            line("a1", "2026-01-15T12:00:00Z", actor: "eve", "view"), line("a2", "2026-03-01T00:00:00Z", actor: "eve", "view"),
            line("a3", "2026-04-30T23:59:59Z", actor: "eve", "view"), line("a4", "2026-04-01T00:00:00Z", actor: "fay", "view"),
        ]
        let month = try Self.rows(lines, families: [.month])[.month]!
        #expect(
            month.map { "\($0["period_start"]!) \($0["person"]!) \($0["new"]!) \($0["active_periods"]!) \($0["previous_active"]!)" } == [
                "2026-01-01 eve true 1 false", "2026-03-01 eve false 2 false", "2026-04-01 eve false 3 true", "2026-04-01 fay true 1 false",
            ])
        #expect(month.allSatisfy { $0["first_seen"] == ($0["person"] == "eve" ? "2026-01-15" : "2026-04-01") })
    }

    @Test func rowsAreSortedByTheCellAsWrittenAndGuardedInCSV() throws {
        let lines = [
            line("x1", "2026-11-02T09:00:00Z", actor: "=cmd", "view"), line("x2", "2026-11-02T09:00:00Z", actor: "Zed", "view"),
            line("x3", "2026-11-02T09:00:00Z", actor: "abe", "view"), line("x4", "2026-11-02T09:00:00Z", actor: "+1", "view"),
        ]
        let s = Scratch()
        s.write("logs/a.ndjson", lines.joined(separator: "\n") + "\n")
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        let r = try runJob(
            "people", ["--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--people-ids", "raw", "--periods", "day", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOfFile: s.sub("r/people_daily.csv"), encoding: .utf8).split(separator: "\n")
        // Bytewise: '+' < '=' < 'Z' < 'a', before the guard adds its quote.
        #expect(csv.dropFirst().map { String($0.split(separator: ",")[2]) } == ["'+1", "'=cmd", "Zed", "abe"])
        let json = try readJSON(s.sub("r/people_daily.json"))
        #expect(json["people_ids"] as? String == "raw")
        #expect(json["report"] as? String == "people")
        #expect(((json["rows"] as? [[String: Any]]) ?? []).map { $0["person"] as? String } == ["+1", "=cmd", "Zed", "abe"])
    }
}

// MARK: Sums and invariants over generated logs

extension PeopleTests {
    /// An identity file for `warehouse`'s persons: every third merged with
    /// its neighbour, every nineteenth a bot.
    static func mergesAndBots(_ warehouse: String) throws -> String {
        let snapshot = try WarehouseSnapshot(root: warehouse)
        // The ids point into the snapshot's maps: it must outlive their reading.
        let persons = withExtendedLifetime(snapshot) { snapshot.persons.map { String(decoding: $0, as: UTF8.self) }.sorted() }
        var csv = "id,person,bot\n"
        for (k, p) in persons.enumerated() {
            if k % 3 == 0 {
                csv += "\(p),merged-\(k / 6),\n"
            } else if k % 19 == 5 {
                csv += "\(p),,true\n"
            }
        }
        return csv
    }

    /// Per period: `interactions_out` adds up to engagement's `interactions`,
    /// and the `boundary_spanner` rows count to bridging's `boundary_spanners`;
    /// and every row keeps the rules that need no reference.
    static func checkSums(warehouse: String, identities: String?, timeZone: String) throws -> Int {
        let families: [PeriodFamily] = [.day, .week, .month]
        func tables(_ make: @escaping (MetricsInput, ReportSettings) -> [ReportTable]) throws -> [PeriodFamily: Rows] {
            try reportTables(warehouse: warehouse, families: families, timeZone: timeZone, identities: identities, make)
        }
        let people = try tables { PeopleReport.tables($0, settings: keyed($1)) }
        let engagement = try tables { EngagementReport.tables($0, settings: $1) }
        let bridging = try tables { input, settings in BridgingReport.tables(input, settings: settings).filter { $0.report == "bridging" } }
        var checked = 0
        for family in families {
            let rows = people[family]!
            var out: [String: Int] = [:]
            var spanners: [String: Int] = [:]
            var seen = Set<String>()
            var last = ""
            for r in rows {
                let n = { (c: String) in Int(r[c]!)! }
                let key = r["period_start"]! + " " + r["person"]!
                #expect(key > last, "rows out of order or twice: \(key)")
                last = key
                #expect(r["person"]!.utf8.count == 17 && r["person"]!.hasPrefix("p"))
                out[r["period_start"]!, default: 0] += n("interactions_out")
                if r["boundary_spanner"] == "true" { spanners[r["period_start"]!, default: 0] += 1 }
                #expect(n("contributions") == n("internal_contributions") + n("external_contributions"))
                #expect(n("events") >= n("contributions") + n("reactions") && n("events") >= 1)
                #expect(n("internal_communities") + n("external_communities") >= 1)
                #expect((r["boundary_spanner"] == "true") == (n("internal_contributions") > 0 && n("external_contributions") > 0))
                #expect((r["new"] == "true") == (n("active_periods") == 1))
                if r["previous_active"] == "true" { #expect(n("active_periods") >= 2) }
                #expect(r["first_seen"]! <= r["period_start"]! || r["new"] == "true")
                seen.insert(r["person"]!)
                checked += 1
            }
            var engaged: [String: Int] = [:]
            for r in engagement[family]! { engaged[r["period_start"]!, default: 0] += Int(r["interactions"]!)! }
            for (start, n) in engaged where n > 0 { #expect(out[start] == n, "\(family) \(start): interactions") }
            for (start, n) in out { #expect(engaged[start] == n, "\(family) \(start): interactions_out") }
            for r in bridging[family]! {
                #expect(spanners[r["period_start"]!, default: 0] == Int(r["boundary_spanners"]!)!, "\(family) \(r["period_start"]!)")
            }
            #expect(!seen.isEmpty)
        }
        return checked
    }

    @Test func sumsAgreeWithEngagementAndBridgingOnGeneratedLogs() async throws {
        await propertyCheck(count: 6, input: Gen.int(in: 1...10_000)) { seed in
            let s = Scratch()
            let (_, wh) = try ConformanceTests.logs(
                s, events: 2500 + seed % 1500, days: 9 + seed % 20, communities: 3 + seed % 6, persons: 40 + seed % 120,
                seed: UInt64(seed))
            s.write("ids.csv", try Self.mergesAndBots(wh))
            let zone = seed % 2 == 0 ? "UTC" : "Europe/Helsinki"
            #expect(try Self.checkSums(warehouse: wh, identities: nil, timeZone: zone) > 0)
            #expect(try Self.checkSums(warehouse: wh, identities: s.sub("ids.csv"), timeZone: zone) > 0)
        }
    }
}

// MARK: Pseudonyms and the key

extension PeopleTests {
    /// The `person` cells of a people CSV, row by row.
    static func persons(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map {
            String($0.split(separator: ",")[2])
        }
    }

    @Test func theWarehouseKeyIsMadeOnceReadableByItsOwnerAndNeverWrittenOut() throws {
        let s = Scratch()
        s.write("logs/a.ndjson", Self.lines.joined(separator: "\n") + "\n")
        _ = try runJob("ingest", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        // Two jobs at once on a warehouse without a key agree on one.
        let (wh, reports) = (s.sub("wh"), s.sub("r"))
        let first = try Self.concurrently(2) { k in
            try runJob("people", ["--warehouse", wh, "--reports", reports + "\(k)", "--periods", "day"])
        }
        for r in first { #expect(r.status == 0, "\(r.stderr)") }
        let key = try #require(FileManager.default.contents(atPath: s.sub("wh/people.key")))
        #expect(key.count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: s.sub("wh/people.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try Self.persons(s.sub("r0/people_daily.csv")) == Self.persons(s.sub("r1/people_daily.csv")))
        #expect(first.contains { $0.stderr.contains("made now") })
        // The key's bytes are in no report and no log.
        let hex = key.map { String(format: "%02x", $0) }.joined()
        for r in first { #expect(!r.stderr.contains(hex)) }
        for (_, data) in folderContents(s.sub("r0")) {
            #expect(data.range(of: key) == nil)
            #expect(!String(decoding: data, as: UTF8.self).contains(hex))
        }
        // Each cell is p and 16 hex digits of HMAC-SHA256(key, id), as Python's hmac computes it.
        let (status, expected) = try python(
            "people_reference.py", [s.sub("logs"), s.sub("ref"), "--periods", "day", "--key", s.sub("wh/people.key")])
        #expect(status == 0, "\(expected)")
        #expect(try Self.persons(s.sub("ref/people_daily.csv")) == Self.persons(s.sub("r0/people_daily.csv")))
        // An existing key is used, not made again.
        let again = try runJob("people", ["--warehouse", s.sub("wh"), "--reports", s.sub("r2"), "--periods", "day"])
        #expect(again.status == 0 && !again.stderr.contains("made now"), "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: s.sub("wh/people.key")) == key)
    }

    @Test func pseudonymsStayAcrossNightsWithTheKeyAndChangeWithAnother() throws {
        let s = Scratch()
        s.write("logs/a.ndjson", Self.lines.prefix(5).joined(separator: "\n") + "\n")
        let first = try runJob(
            "nightly", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--periods", "day", "-q"])
        #expect(first.status == 0, "\(first.stderr)")
        let night1 = try Self.persons(s.sub("r/people_daily.csv"))
        #expect(night1.count == 3)
        // The next night brings more days: the first day's rows keep their pseudonyms.
        s.write("logs/b.ndjson", Self.lines.dropFirst(5).joined(separator: "\n") + "\n")
        let second = try runJob(
            "nightly", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--periods", "day", "-q"])
        #expect(second.status == 0, "\(second.stderr)")
        let night2 = try Self.persons(s.sub("r/people_daily.csv"))
        #expect(Array(night2.prefix(3)) == night1)
        #expect(night2.count == 7)
        // Another key: not one pseudonym alike.
        s.write("other.key", "another installation's key, 32 b")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: s.sub("other.key"))
        let other = try runJob(
            "people", ["--warehouse", s.sub("wh"), "--reports", s.sub("o"), "--periods", "day", "--people-key", s.sub("other.key")])
        #expect(other.status == 0, "\(other.stderr)")
        let night3 = try Self.persons(s.sub("o/people_daily.csv"))
        #expect(night3.count == 7 && Set(night3).isDisjoint(with: Set(night2)))
        #expect(!other.stderr.contains("can be read by other users"))
        // A key others can read works, with a warning.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: s.sub("other.key"))
        let loose = try runJob(
            "people", ["--warehouse", s.sub("wh"), "--reports", s.sub("o"), "--periods", "day", "--people-key", s.sub("other.key")])
        #expect(loose.status == 0 && loose.stderr.contains("can be read by other users"), "\(loose.stderr)")
        #expect(try Self.persons(s.sub("o/people_daily.csv")) == night3)
    }

    @Test func aWrongKeyOrSettingWritesNothing() throws {
        let s = Scratch()
        s.write("logs/a.ndjson", Self.lines.joined(separator: "\n") + "\n")
        _ = try runJob("ingest", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        let good = try runJob("people", ["--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        #expect(good.status == 0, "\(good.stderr)")
        let before = metricReports(s.sub("r"))
        #expect(before.keys.filter { $0.hasPrefix("people_") }.count == 6)
        s.write("empty.key", "")
        for path in [s.sub("missing.key"), s.sub("empty.key"), s.sub("logs")] {
            let r = try runJob("people", ["--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--people-key", path])
            #expect(r.status == 78 && r.stderr.contains(path), "\(path): \(r.stderr)")
        }
        let missing = try runJob("people", ["--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--people-key", s.sub("missing.key")])
        #expect(missing.stderr.contains("head -c 32 /dev/urandom"), "the fix is given: \(missing.stderr)")
        let bad = try runJob("people", ["--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--people-ids", "names"])
        #expect(bad.status == 64, "\(bad.stderr)")
        // A wrong warehouse makes no key.
        let nowhere = try runJob("people", ["--warehouse", s.sub("nowhere"), "--reports", s.sub("r")])
        #expect(nowhere.status == 66 && !FileManager.default.fileExists(atPath: s.sub("nowhere")), "\(nowhere.stderr)")
        #expect(metricReports(s.sub("r")) == before)
        // Raw ids need no key, and say what they are.
        try FileManager.default.removeItem(atPath: s.sub("wh/people.key"))
        let raw = try runJob("people", ["--warehouse", s.sub("wh"), "--reports", s.sub("raw"), "--people-ids", "raw"])
        #expect(raw.status == 0 && raw.stderr.contains("personal data"), "\(raw.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.sub("wh/people.key")))
        #expect(try Self.persons(s.sub("raw/people_weekly.csv")).contains("ann"))
    }

    /// Runs `body(0) ... body(n-1)` at the same time.
    static func concurrently<T: Sendable>(_ n: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let results = ResultBox<T>(count: n)
        DispatchQueue.concurrentPerform(iterations: n) { k in results.set(k, Result { try body(k) }) }
        return try results.values.map { try $0!.get() }
    }
}

/// Results of concurrent test work.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ r: Result<T, any Error>) { lock.withLock { slots[k] = r } }
    var values: [Result<T, any Error>?] { lock.withLock { slots } }
}

// MARK: The Python reference

extension PeopleTests {
    @Test(arguments: [("UTC", false, false), ("Europe/Helsinki", true, false), ("America/New_York", true, true)])
    func matchesThePythonReference(timeZone: String, keyed: Bool, identities: Bool) throws {
        let s = Scratch()
        let (logs, wh) = try ConformanceTests.logs(s, events: 6000, days: 40, communities: 7, persons: 300, seed: 31)
        var args = [logs, s.sub("reference"), "--tz", timeZone]
        var ids: String?
        if identities {
            s.write("ids.csv", try Self.mergesAndBots(wh))
            ids = s.sub("ids.csv")
            args += ["--identities", s.sub("ids.csv")]
        }
        let key: [UInt8] = (0..<32).map { UInt8(($0 * 37 + 11) % 256) }
        if keyed {
            FileManager.default.createFile(atPath: s.sub("people.key"), contents: Data(key))
            args += ["--key", s.sub("people.key")]
        }
        try writeReports(warehouse: wh, to: s.sub("silta"), families: [.day, .week, .month], timeZone: timeZone, identities: ids) {
            input, settings in
            var settings = settings
            settings.peopleIds = keyed ? .pseudonymous(key: key) : .raw
            return PeopleReport.tables(input, settings: settings)
        }
        let (status, output) = try python("people_reference.py", args)
        #expect(status == 0, "\(output)")
        for period in ["daily", "weekly", "monthly"] {
            let (ok, report) = try python(
                "compare_csv.py", [s.sub("silta/people_\(period).csv"), s.sub("reference/people_\(period).csv")])
            #expect(ok == 0, "\(report)")
            #expect(report.contains("0 differences"))
            #expect(!report.contains(": 0 rows compared"))
        }
    }
}
