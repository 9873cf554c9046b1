import Foundation
import SiltaReports
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReportFormatTests {
    @Test(arguments: [
        (0.5, "0.5"), (1.0, "1"), (1.0 / 3, "0.333333"), (1.5015, "1.5015"), (0.0, "0"), (-0.0, "0"),
        (-0.0000004, "0"), (-0.25, "-0.25"), (2.0 / 3, "0.666667"), (123456789.0, "123456789"),
        (1e20, "100000000000000000000"), (0.0000005, "0"),  // the double is just below 5e-7
        (0.0000015, "0.000002"), (0.0000025, "0.000003"),
        (1.0000004999, "1"), (604800.0, "604800"),
    ])
    func numbers(value: Double, text: String) {
        #expect(ReportFormat.number(value) == text)
    }

    /// The fast path must give printf's digits for every double.
    @Test func numbersMatchPrintfEverywhere() {
        func printf(_ x: Double) -> String {
            var buffer = [CChar](repeating: 0, count: 512)
            let n = withVaList([x]) { vsnprintf(&buffer, 512, "%.6f", $0) }
            var text = String(decoding: buffer[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text == "-0" ? "0" : text
        }
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = []
        for _ in 0..<200_000 {
            let magnitude = Double.random(in: -9...12, using: &rng)
            values.append(Double.random(in: -1...1, using: &rng) * pow(10, magnitude))
        }
        // Near ties: k + 0.5 millionths, and ratios of small integers.
        for k in 0..<20_000 { values.append((Double(k) + 0.5) / 1_000_000) }
        for a in 0..<300 { for b in 1..<300 { values.append(Double(a) / Double(b)) } }
        for x in values { #expect(ReportFormat.number(x) == printf(x), "\(x)") }
    }

    @Test func formulaGuardThenQuoting() {
        func cell(_ s: String) -> String { String(decoding: ReportFormat.csvCell(.text(s)), as: UTF8.self) }
        #expect(cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(cell("+1") == "'+1")
        #expect(cell("-1") == "'-1")
        #expect(cell("@sum") == "'@sum")
        #expect(cell("'quoted") == "''quoted")
        #expect(cell("\tx") == "'\tx")
        #expect(cell("\rx") == "\"'\rx\"")
        #expect(cell("a,b") == "\"a,b\"")
        #expect(cell("line\nbreak") == "\"line\nbreak\"")
        #expect(cell("plain") == "plain")
        #expect(cell("x=1") == "x=1")
        // Numbers are never guarded.
        #expect(String(decoding: ReportFormat.csvCell(.number(-0.5)), as: UTF8.self) == "-0.5")
        #expect(ReportFormat.csvCell(.empty).isEmpty)
    }

    @Test func jsonTwinKeepsRawTextAndNulls() throws {
        var table = ReportTable(report: "engagement", period: "weekly", columns: ["period_start", "complete", "community", "x", "y"])
        table.rows = [[.date(20_419), .bool(true), .text("=HYPERLINK(\"x\")"), .number(0.5), .empty]]
        let json = try ReportFormat.json(table, context: ReportContext(timeZone: "Europe/Helsinki", asOf: 1_795_900_502_120))
        let object = try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any]
        #expect(object["as_of"] as? String == "2026-11-28T21:15:02.120Z")
        #expect(object["time_zone"] as? String == "Europe/Helsinki")
        #expect(object["report"] as? String == "engagement")
        #expect(object["period"] as? String == "weekly")
        #expect(object["schema_version"] as? Int == 1)
        let row = (object["rows"] as! [[String: Any]])[0]
        #expect(row["community"] as? String == "=HYPERLINK(\"x\")")
        #expect(row["period_start"] as? String == "2025-11-27")
        #expect(row["complete"] as? Bool == true)
        #expect(row["x"] as? Double == 0.5)
        #expect(row["y"] is NSNull)
        let empty = try ReportFormat.json(
            ReportTable(report: "bridging", period: "daily", columns: ["a"]), context: ReportContext(timeZone: "UTC", asOf: nil))
        let e = try JSONSerialization.jsonObject(with: Data(empty)) as! [String: Any]
        #expect(e["as_of"] is NSNull)
        #expect((e["rows"] as! [Any]).isEmpty)
    }

    /// A crashed writer's temporaries go; a live writer's stay, since the
    /// nightly job runs the report jobs at once into one folder.
    @Test func onlyDeadWritersTemporariesAreRemoved() throws {
        let s = Scratch()
        // A process that has ended: its id is free (reuse within the test is not a concern).
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let live = getppid()
        s.write("reports/.a.csv.silta-tmp-\(ended.processIdentifier)", "half\n")
        s.write("reports/.b.csv.silta-tmp-\(live)", "being written\n")
        s.write("reports/.c.csv.silta-tmp-\(getpid())", "this process's own, left by nothing running\n")
        s.write("reports/.d.csv.silta-tmp-", "no writer named\n")
        let table = ReportTable(report: "t", period: "daily", columns: ["x"], rows: [[.integer(1)]])
        try ReportWriter.write([table], context: ReportContext(timeZone: "UTC", asOf: nil), to: s.sub("reports"))
        let left = try FileManager.default.contentsOfDirectory(atPath: s.sub("reports")).sorted()
        #expect(left == [".b.csv.silta-tmp-\(live)", "t_daily.csv", "t_daily.json"])
    }
}
