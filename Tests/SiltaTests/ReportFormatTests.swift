import Foundation
import SiltaReports
import Testing

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
        let json = ReportFormat.json(table, context: ReportContext(timeZone: "Europe/Helsinki", asOf: 1_795_900_502_120))
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
        let empty = ReportFormat.json(ReportTable(report: "bridging", period: "daily", columns: ["a"]), context: ReportContext(timeZone: "UTC", asOf: nil))
        let e = try JSONSerialization.jsonObject(with: Data(empty)) as! [String: Any]
        #expect(e["as_of"] is NSNull)
        #expect((e["rows"] as! [Any]).isEmpty)
    }
}
