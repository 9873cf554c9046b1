import Foundation
import SiltaMetrics
import Testing

/// docs/security.md, as tests on the built jobs.
@Suite(.serialized) struct SecurityTests {
    static let reportJobs = ["engagement", "social-capital", "bridging"]

    /// Ingests `lines` and runs every report job into `s/reports`.
    static func runAll(_ s: Scratch, _ lines: [String]) throws {
        s.write("logs/a.ndjson", lines.joined(separator: "\n") + "\n")
        let ingest = try runJob("ingest", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("reports")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        for job in reportJobs {
            let r = try runJob(job, ["--warehouse", s.sub("wh"), "--reports", s.sub("reports")])
            #expect(r.status == 0, "\(job): \(r.stderr)")
        }
    }

    static let expectedReportFiles: Set<String> = {
        var names: Set<String> = ["ingest_report.json"]
        for r in ["engagement", "social_capital", "bridging", "community_links"] {
            for p in ["daily", "weekly", "monthly"] { names.formUnion(["\(r)_\(p).csv", "\(r)_\(p).json"]) }
        }
        return names
    }()

    @Test func hostileIdsAreOnlyData() throws {
        let s = Scratch()
        let hostile = [
            "../../etc/passwd", "a/b/c", "/absolute", "nul\u{0}inside", "=cmd|' /C calc'!A0", "+1+1", "-1-1", "@SUM(A1)",
            "'already", "\ttab", "\rreturn", "comma,quote\"", "line\nbreak",
        ]
        var lines: [String] = []
        for (k, name) in hostile.enumerated() {
            lines.append(
                line(
                    "p\(k)", "2026-11-02T10:00:00Z", name, kind: k % 2 == 0 ? "internal" : "external", actor: "ann", "post",
                    content: "c\(k)"))
            lines.append(
                line(
                    "r\(k)", "2026-11-02T11:00:00Z", name, kind: k % 2 == 0 ? "internal" : "external", actor: "bob", "share",
                    content: "s\(k)", parent: "c\((k + 1) % hostile.count)"))
        }
        try Self.runAll(s, lines)
        // Only the fixed report names exist, nothing was created beside them or above them.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: s.sub("reports"))) == Self.expectedReportFiles)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: s.path)) == ["logs", "wh", "reports"])
        #expect(!FileManager.default.fileExists(atPath: "/etc/passwd.csv"))
        // Every CSV guards the formula-like ids, and every JSON keeps them as they are.
        for name in Self.expectedReportFiles where name.hasSuffix(".csv") {
            let csv = try String(contentsOfFile: s.sub("reports/" + name), encoding: .utf8)
            for bad in ["=cmd", "+1+1", "-1-1", "@SUM", "'already"] {
                #expect(!csv.contains("," + bad) && !csv.contains("\"" + bad), "\(name) has an unguarded \(bad)")
            }
        }
        let (status, output) = try python(
            "csv_roundtrip.py", [s.sub("reports/engagement_daily.csv"), s.sub("reports/engagement_daily.json")])
        #expect(status == 0, "\(output)")
        let (status2, output2) = try python(
            "csv_roundtrip.py", [s.sub("reports/community_links_daily.csv"), s.sub("reports/community_links_daily.json")])
        #expect(status2 == 0, "\(output2)")
        let json = try readJSON(s.sub("reports/engagement_daily.json"))
        let names = Set((json["rows"] as! [[String: Any]]).map { $0["community"] as! String })
        #expect(names == Set(hostile))
    }

    @Test func reportsCarryNoRawLineContent() throws {
        let s = Scratch()
        let marker = "SECRET-MARKER-7f3a"
        try Self.runAll(
            s,
            [
                event(["note": "\"\(marker)\""]),
                "{\"broken\": \"\(marker)\"",
                event(["id": "\"x2\"", "kind": "\"\(marker)\""]),
            ])
        for name in Self.expectedReportFiles {
            let text = try String(contentsOfFile: s.sub("reports/" + name), encoding: .utf8)
            #expect(!text.contains(marker), "\(name) holds raw log content")
        }
        // The rejected lines are kept for the operator, in the warehouse.
        let rejects = try FileManager.default.contentsOfDirectory(atPath: s.sub("wh/rejects"))
        let kept = try rejects.map { try String(contentsOfFile: s.sub("wh/rejects/" + $0), encoding: .utf8) }.joined()
        #expect(kept.contains(marker))
    }

    @Test func plantedLinksAreReplacedNotFollowed() throws {
        let s = Scratch()
        let outside = s.folder("outside")
        let target = outside + "/precious.txt"
        try "do not touch".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: s.sub("reports"), withIntermediateDirectories: true)
        for name in Self.expectedReportFiles {
            try FileManager.default.createSymbolicLink(atPath: s.sub("reports/" + name), withDestinationPath: target)
        }
        try Self.runAll(s, [event()])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "do not touch")
        for name in Self.expectedReportFiles {
            let attributes = try FileManager.default.attributesOfItem(atPath: s.sub("reports/" + name))
            #expect(attributes[.type] as? FileAttributeType == .typeRegular, "\(name) is still a link")
        }
        // A link planted as the warehouse manifest is replaced at the next commit, never written through.
        try FileManager.default.removeItem(atPath: s.sub("wh/MANIFEST"))
        try FileManager.default.createSymbolicLink(atPath: s.sub("wh/MANIFEST"), withDestinationPath: target)
        let relink = try runJob("ingest", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("reports")])
        #expect(relink.status != 0)  // the link is not a manifest: the warehouse is reported damaged
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "do not touch")
        // A link planted as the lock makes the run stop rather than follow it.
        let s2 = Scratch()
        try FileManager.default.createDirectory(atPath: s2.sub("wh"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: s2.sub("wh/LOCK"), withDestinationPath: target)
        s2.write("logs/a.ndjson", event() + "\n")
        let lock = try runJob("ingest", ["--logs", s2.sub("logs"), "--warehouse", s2.sub("wh"), "--reports", s2.sub("reports")])
        #expect(lock.status != 0)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "do not touch")
    }
}
