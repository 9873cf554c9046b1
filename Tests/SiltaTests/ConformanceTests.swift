import Foundation
import SiltaGenerator
import SiltaIdentities
import SiltaMetrics
import SiltaReports
import SiltaWarehouse
import Testing

/// Runs a Python script from Tests/conformance and returns (status, output).
func python(_ script: String, _ arguments: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", Paths.tests.appendingPathComponent("conformance/\(script)").path] + arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Writes the tables of one report job into `folder`, as the job would.
func writeReports(
    warehouse: String, to folder: String, families: [PeriodFamily], timeZone: String, asOf: Int64? = nil, workers: Int = 2,
    identities: String? = nil, _ make: (MetricsInput, ReportSettings) -> [ReportTable]
) throws {
    let file = try identities.map { try IdentityFile.load(path: $0) }
    let input = MetricsInput(snapshot: try WarehouseSnapshot(root: warehouse), workers: workers, identities: file)
    let settings = try ReportSettings.make(input: input, families: families, timeZone: timeZone, asOf: asOf, workers: workers)
    try ReportWriter.write(make(input, settings), context: settings.context, to: folder)
}

/// Silta against independent references on generated logs.
@Suite(.serialized) struct ConformanceTests {
    /// Generated logs across the October daylight-saving change, with bad
    /// lines and duplicates, ingested.
    static func logs(
        _ s: Scratch, events: Int = 12_000, days: Int = 12, communities: Int = 8, persons: Int = 400, seed: UInt64 = 7
    ) throws -> (logs: String, warehouse: String) {
        var c = GeneratorConfig()
        c.events = events
        c.days = days
        c.firstDay = RFC3339Days.of("2026-10-20")
        c.communities = communities
        c.persons = persons
        c.seed = seed
        c.badLineRate = 0.01
        c.duplicateRate = 0.01
        _ = try LogGenerator.generate(c, out: s.sub("logs"))
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        return (s.sub("logs"), s.sub("wh"))
    }

    @Test(arguments: [("UTC", nil), ("Europe/Helsinki", "2026-10-27T00:00:00+02:00"), ("America/New_York", nil)] as [(String, String?)])
    func engagementMatchesThePythonReference(timeZone: String, asOf: String?) throws {
        let s = Scratch()
        let (logs, wh) = try Self.logs(s)
        try writeReports(
            warehouse: wh, to: s.sub("silta"), families: [.day, .week, .month], timeZone: timeZone,
            asOf: asOf.flatMap { RFC3339Days.instant($0) }
        ) { EngagementReport.tables($0, settings: $1) }
        var args = [logs, s.sub("reference"), "--tz", timeZone]
        if let asOf { args += ["--as-of", asOf] }
        let (status, output) = try python("engagement_reference.py", args)
        #expect(status == 0, "\(output)")
        for period in ["daily", "weekly", "monthly"] {
            let (ok, report) = try python(
                "compare_csv.py", [s.sub("silta/engagement_\(period).csv"), s.sub("reference/engagement_\(period).csv")])
            #expect(ok == 0, "\(report)")
            #expect(report.contains("0 differences"))
            #expect(!report.contains(": 0 rows compared"))
        }
    }

    @Test(arguments: ["UTC", "Europe/Helsinki"])
    func socialCapitalBridgingAndLinksMatchNetworkXAndTheReference(timeZone: String) throws {
        let s = Scratch()
        // A smaller data set: NetworkX's exact constraint and effective size are slow on large graphs.
        let (logs, wh) = try Self.logs(s, events: 4000, days: 10, communities: 6, persons: 150, seed: 11)
        try writeReports(warehouse: wh, to: s.sub("silta"), families: [.day, .week, .month], timeZone: timeZone) { input, settings in
            SocialCapitalReport.tables(input, settings: settings) + BridgingReport.tables(input, settings: settings)
        }
        let (status, output) = try python("social_reference.py", [logs, s.sub("reference"), "--tz", timeZone])
        #expect(status == 0, "\(output)")
        for report in ["social_capital", "bridging", "community_links"] {
            for period in ["daily", "weekly", "monthly"] {
                let (ok, text) = try python(
                    "compare_csv.py", [s.sub("silta/\(report)_\(period).csv"), s.sub("reference/\(report)_\(period).csv")])
                #expect(ok == 0, "\(text)")
                #expect(text.contains("0 differences"))
                #expect(!text.contains(": 0 rows compared"), "\(report)_\(period) is empty: the test would prove nothing")
            }
        }
    }

    @Test func reportsDoNotDependOnWorkersOrReruns() throws {
        let s = Scratch()
        let (_, wh) = try Self.logs(s)
        var outputs: [[String: Data]] = []
        for (k, workers) in [1, 2, 8, 8].enumerated() {
            try writeReports(
                warehouse: wh, to: s.sub("r\(k)"), families: [.day, .week, .month], timeZone: "Europe/Helsinki", workers: workers
            ) {
                EngagementReport.tables($0, settings: $1) + SocialCapitalReport.tables($0, settings: $1)
                    + BridgingReport.tables($0, settings: $1) + PeopleReport.tables($0, settings: keyed($1))
            }
            outputs.append(folderContents(s.sub("r\(k)")))
        }
        #expect(outputs[0].count == 30)
        for o in outputs.dropFirst() { #expect(o == outputs[0]) }
    }

    @Test func csvRoundTripsAndFormulasAreNeutralised() throws {
        let s = Scratch()
        let names = ["=HYPERLINK(\"x\")", "+tips", "-minus", "@team", "'quoted", "\ttab", "a,b", "say \"hi\"", "two\nlines", "plain"]
        var lines: [String] = []
        for (k, name) in names.enumerated() {
            lines.append(
                line(
                    "p\(k)", "2026-11-02T10:00:00Z", name, kind: k % 2 == 0 ? "internal" : "external", actor: "ann", "post",
                    content: "c\(k)"))
        }
        s.write("logs/a.ndjson", lines.joined(separator: "\n") + "\n")
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        try writeReports(warehouse: s.sub("wh"), to: s.sub("r"), families: [.day], timeZone: "UTC") {
            EngagementReport.tables($0, settings: $1)
        }
        let (status, output) = try python("csv_roundtrip.py", [s.sub("r/engagement_daily.csv"), s.sub("r/engagement_daily.json")])
        #expect(status == 0, "\(output)")
        #expect(output.contains("10 rows round-trip"))
        let csv = try String(contentsOfFile: s.sub("r/engagement_daily.csv"), encoding: .utf8)
        #expect(csv.contains(",\"'=HYPERLINK(\"\"x\"\")\","))
        #expect(csv.contains(",'+tips,"))
        #expect(!csv.contains(",=HYPERLINK"))
        let json = try String(contentsOfFile: s.sub("r/engagement_daily.json"), encoding: .utf8)
        #expect(json.contains("\"community\": \"=HYPERLINK(\\\"x\\\")\""))
    }
}

/// `settings` with people named by pseudonyms under a fixed key.
func keyed(_ settings: ReportSettings) -> ReportSettings {
    var settings = settings
    settings.peopleIds = .pseudonymous(key: Array("a fixed key for the tests".utf8))
    return settings
}

/// Dates and instants for test fixtures.
enum RFC3339Days {
    static func of(_ date: String) -> Int { Int(RFC3339Days.instant(date + "T00:00:00Z")! / 86_400_000) }
    static func instant(_ text: String) -> Int64? { SiltaEventsRFC3339.parse(text) }
}
