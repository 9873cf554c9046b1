import Foundation
import SiltaReportJobs
import SiltaReports
import Testing

@testable import SiltaWorkbook

/// The workbook (docs/workbook.md): every sheet is its CSV cell for cell,
/// read back by an independent reader (openpyxl, Tests/conformance/xlsx_check.py),
/// on a generated night and on one whose ids look like values; LibreOffice
/// opens it; the same reports give the same bytes; long reports go on in a
/// second sheet; wrong inputs are errors that leave the last workbook.
@Suite struct WorkbookTests {
    /// A night on generated logs (five weeks), the workbook written by it.
    static func night(_ s: Scratch, _ extra: [String] = []) throws {
        var c = GeneratorConfigForTests.small
        c.events = 6_000
        c.days = 35
        c.communities = 6
        _ = try generateLogs(c, out: s.sub("logs"))
        let night = try runJob("nightly", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"] + extra)
        #expect(night.status == 0, "\(night.stderr)")
    }

    /// Community ids and person ids that a spreadsheet would take for
    /// something else, a formula among them, and ones that XML cannot hold as they are.
    static let lookalikes = [
        "007", "1e5", "1/2", "2026-10-05", "12:30", "TRUE", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "'quoted",
        "Käyttäjät 社区 🚀", "_x0041_", "a\u{1}b", " lead", "trail ", "a&b<c>\"d\"", "0.50", "NaN",
    ]

    static func trickyNight(_ s: Scratch) throws {
        var lines: [String] = []
        for (k, name) in lookalikes.enumerated() {
            for d in 0..<12 {
                let person = JSONTextForTests.quote(lookalikes[(k + d) % lookalikes.count])
                let ts = "2026-11-\(String(format: "%02d", 2 + d))T10:00:00Z"
                let kind = k % 2 == 0 ? "internal" : "external"
                lines.append(
                    "{\"id\":\"e\(k)-\(d)\",\"ts\":\"\(ts)\",\"community\":\(JSONTextForTests.quote(name)),\"kind\":\"\(kind)\",\"actor\":\(person),\"type\":\"post\",\"content\":\"c\(k)-\(d)\"}"
                )
                lines.append(
                    "{\"id\":\"r\(k)-\(d)\",\"ts\":\"2026-11-\(String(format: "%02d", 2 + d))T11:00:00Z\",\"community\":\(JSONTextForTests.quote(name)),\"kind\":\"\(kind)\",\"actor\":\"p\(d % 3)\",\"type\":\"reply\",\"content\":\"d\(k)-\(d)\",\"parent\":\"c\(k)-\(d)\"}"
                )
            }
        }
        s.write("logs/a.ndjson", lines.joined(separator: "\n") + "\n")
        let night = try runJob(
            "nightly", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--people-ids", "raw", "-q"])
        #expect(night.status == 0, "\(night.stderr)")
    }

    @Test func theNightsSheetsAreItsCSVsCellForCell() throws {
        let s = Scratch()
        try Self.night(s)
        #expect(FileManager.default.fileExists(atPath: s.sub("r/silta.xlsx")))
        let kept = try FileManager.default.contentsOfDirectory(atPath: s.sub("r/history")).sorted()
        #expect(kept.count == 1 && FileManager.default.fileExists(atPath: s.sub("r/history/\(kept[0])/silta.xlsx")))
        let (status, output) = try python("xlsx_check.py", [s.sub("r"), "--highlights", "weekly"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("equal their CSVs"), "\(output)")
    }

    @Test func theSampleNightsSheetsAreItsCSVsToo() throws {
        let s = Scratch()
        let night = try runJob(
            "nightly", ["--logs", NightlyJobTests.sampleLogs, "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        #expect(night.status == 0, "\(night.stderr)")
        let (status, output) = try python("xlsx_check.py", [s.sub("r"), "--highlights", "weekly"])
        #expect(status == 0, "\(output)")
    }

    @Test func idsThatLookLikeValuesStayTextInOpenpyxlLibreOfficePandasAndDuckDB() throws {
        let s = Scratch()
        try Self.trickyNight(s)
        let (status, output) = try python("xlsx_check.py", [s.sub("r"), "--highlights", "weekly"])
        #expect(status == 0, "\(output)")
        // The docs' one-liners for programs read the same ids back.
        let docs = Paths.tests.deletingLastPathComponent().appendingPathComponent("docs/reports.md").path
        let (lines, said) = try python("oneliners_check.py", [docs, s.sub("r")])
        #expect(lines == 0, "\(said)")

        // LibreOffice opens it and converts every sheet; the ids come out as text, as they went in.
        let soffice = try #require(Self.libreOffice, "no soffice on PATH: make test-setup installs libreoffice-calc-nogui")
        let out = s.folder("lo")
        let r = try runProgram(
            soffice,
            [
                "--headless", "--norestore", "-env:UserInstallation=file://" + s.folder("lo-profile"), "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", out, s.sub("r/silta.xlsx"),
            ])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let converted = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(converted.contains("silta-Read me.csv") && converted.contains("silta-engagement_weekly.csv"), "\(converted)")
        var reader = try ReportReader(path: s.sub("r/engagement_weekly.csv"))
        var want: [String] = []
        while let row = try reader.next() { want.append(String(decoding: row[3], as: UTF8.self)) }
        let got = try Self.column(3, ofCSV: out + "/silta-engagement_weekly.csv")
        #expect(got == want)
        #expect(Set(want).isSuperset(of: ["007", "1e5", "2026-10-05", "TRUE", "=cmd|' /C calc'!A0", "a\u{1}b", "_x0041_"]))
    }

    @Test func theSameReportsGiveTheSameBytesWhateverTheWorkers() throws {
        let s = Scratch()
        try Self.night(s)
        let first = try Data(contentsOf: URL(fileURLWithPath: s.sub("r/silta.xlsx")))
        for workers in ["1", "8", "2"] {
            let r = try runJob("workbook", ["--reports", s.sub("r"), "--workers", workers, "-q"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: s.sub("r/silta.xlsx"))) == first)
        }
    }

    @Test func aReportLongerThanASheetGoesOnInTheNextOne() throws {
        let s = Scratch()
        try Self.night(s)
        let r = try runJob("workbook", ["--reports", s.sub("r"), "--sheet-rows", "40", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let (status, output) = try python("xlsx_check.py", [s.sub("r"), "--rows-per-sheet", "40"])
        #expect(status == 0, "\(output)")
        // 39 rows a sheet: engagement_daily's ~200 rows take several.
        let names = try Self.sheetNames(s.sub("r/silta.xlsx"))
        #expect(names.contains("engagement_daily (2)") && names.contains("engagement_daily (3)"), "\(names)")
        #expect(names.first == "Read me")
    }

    @Test func thePeopleReportLeftOutLeavesItsListsAndSaysSo() throws {
        let s = Scratch()
        try Self.night(s)
        let r = try runJob("workbook", ["--reports", s.sub("r"), "--workbook-people", "tables"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("people_daily.csv"), "\(r.stderr)")
        let (status, output) = try python("xlsx_check.py", [s.sub("r"), "--people", "tables", "--highlights", "weekly"])
        #expect(status == 0, "\(output)")
        // auto: over the limit (made small here), the same.
        var plan = WorkbookPlan(reports: s.sub("r"), highlights: "weekly")
        plan.peopleRowsAuto = 10
        let summary = try Workbook.write(plan)
        #expect(summary.peopleLeftOut.map(\.file) == ["people_daily.csv", "people_weekly.csv", "people_monthly.csv"])
        #expect(summary.peopleLeftOut.allSatisfy { $0.rows > 10 })
        #expect(!summary.sheets.contains { $0.name.hasPrefix("people_") })
        #expect(summary.sheets.map(\.name).suffix(4) == ["champions", "newcomers", "boundary_spanners", "most_answered"])
        plan.peopleRowsAuto = 10_000_000
        #expect(try Workbook.write(plan).peopleLeftOut.isEmpty)
    }

    @Test func wrongInputsAreErrorsThatLeaveTheLastWorkbook() throws {
        let s = Scratch()
        let empty = try runJob("workbook", ["--reports", s.folder("empty")])
        #expect(empty.status == 66, "\(empty.stderr)")
        #expect(empty.stderr.contains("run the report jobs first"))
        #expect(!FileManager.default.fileExists(atPath: s.sub("empty/silta.xlsx")))
        for bad in [["--workbook-people", "some"], ["--sheet-rows", "1"], ["--sheet-rows", "1048577"]] {
            #expect(try runJob("workbook", ["--reports", s.folder("empty")] + bad).status == 64)
        }

        try Self.night(s)
        let before = try Data(contentsOf: URL(fileURLWithPath: s.sub("r/silta.xlsx")))
        let path = s.sub("r/engagement_weekly.csv")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        // A cut report, then one with a text cell that is not UTF-8.
        try whole.dropLast(3).write(to: URL(fileURLWithPath: path))
        let cut = try runJob("workbook", ["--reports", s.sub("r")])
        #expect(cut.status == 65, "\(cut.stderr)")
        #expect(cut.stderr.contains("engagement_weekly.csv line"), "\(cut.stderr)")
        var garbled = [UInt8](whole)
        let comma = garbled.firstIndex(of: 0x0A)! + 20
        garbled.insert(contentsOf: [0xC3, 0x28], at: garbled[comma...].firstIndex(of: 0x2C)! + 1)
        try Data(garbled).write(to: URL(fileURLWithPath: path))
        let notUTF8 = try runJob("workbook", ["--reports", s.sub("r")])
        #expect(notUTF8.status == 65, "\(notUTF8.stderr)")
        #expect(notUTF8.stderr.contains("not UTF-8"), "\(notUTF8.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.sub("r/silta.xlsx"))) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.sub("r")).allSatisfy { !$0.contains(".silta-tmp-") })
    }

    @Test func aReportEditedIntoAnythingGivesAWorkbookOrAnErrorNeverATrap() throws {
        // Random bytes overwritten, inserted and cut in a real report: the
        // workbook is written (odd cells as text, counted) or the report is
        // refused with its file and line.
        let s = Scratch()
        try Self.night(s)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: s.sub("r/engagement_weekly.csv"))))
        var rng = SplitMix(seed: 18)
        let folder = s.folder("edited")
        var written = 0
        var refused = 0
        for round in 0..<150 {
            var bytes = original
            for _ in 0..<(1 + round % 6) {
                let at = Int(rng.next() % UInt64(bytes.count))
                let b = UInt8(truncatingIfNeeded: rng.next())
                switch rng.next() % 3 {
                case 0: bytes[at] = b
                case 1: bytes.insert(b, at: at)
                default: bytes.removeSubrange(at..<min(bytes.count, at + Int(rng.next() % 40)))
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/engagement_weekly.csv"))
            do {
                let summary = try Workbook.write(WorkbookPlan(reports: folder, highlights: "weekly"))
                #expect(summary.sheets.first?.name == "engagement_weekly")
                written += 1
            } catch let e as ReportReadError {
                #expect(e.file.hasSuffix("engagement_weekly.csv") && e.line >= 1)
                refused += 1
            }
        }
        #expect(written > 0 && refused > 0, "\(written) written, \(refused) refused")
    }

    @Test func cellsAreTypedByTheirColumnAndOddOnesAreTextAndCounted() throws {
        var writer = SheetWriter(
            name: "t_daily", part: "t",
            columns: [("period_start", .date), ("complete", .boolean), ("community", .text), ("n", .count), ("r", .ratio)],
            rowsPerSheet: 100, level: 1)
        try writer.add(
            ReportRow(cells: [Array("2026-10-05".utf8), Array("true".utf8), Array("007".utf8), Array("12".utf8), Array("0.5".utf8)]))
        try writer.add(ReportRow(cells: [Array("1899-12-31".utf8), Array("yes".utf8), Array("=1+1".utf8), Array("many".utf8), []]))
        let sheets = try writer.finish()
        #expect(writer.oddCells == 2 && writer.firstOdd == "column complete, line 3")
        let xml = try Self.inflate(sheets[0].member)
        // 2026-10-05 is serial 46300; counts and ratios keep the report's digits.
        #expect(xml.contains(#"<c r="A2" s="1"><v>46300</v></c><c r="B2" t="b"><v>1</v></c>"#))
        #expect(xml.contains(#"<c r="C2" t="inlineStr"><is><t>007</t></is></c><c r="D2"><v>12</v></c><c r="E2" s="2"><v>0.5</v></c>"#))
        #expect(xml.contains(#"<c r="A3" t="inlineStr"><is><t>1899-12-31</t></is></c><c r="B3" t="inlineStr"><is><t>yes</t></is></c>"#))
        #expect(xml.contains(#"<c r="D3" t="inlineStr"><is><t>many</t></is></c></row>"#))
        #expect(xml.contains(#"<autoFilter ref="A1:E3"/>"#) && xml.contains(#"state="frozen""#))
    }

    @Test func textThatXMLCannotHoldIsEscapedSoThatItReadsBack() throws {
        let cases: [[UInt8]] = [
            Array("a&b<c>d".utf8), Array("_x0041_".utf8), Array("_x00zz_ _x".utf8), [0x61, 0x01, 0x0D, 0x09, 0x0A, 0x62],
            Array("\u{FFFE}\u{FFFF}é".utf8), Array("plain".utf8),
        ]
        for bytes in cases {
            var out: [UInt8] = []
            try bytes.withUnsafeBufferPointer { try SheetXML.escape($0, to: &out) }
            #expect(!out.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A }, "\(out)")
            #expect(Self.unescape(String(decoding: out, as: UTF8.self)) == String(decoding: bytes, as: UTF8.self))
        }
        var out: [UInt8] = []
        #expect(throws: CellFault.self) { try [0x61, 0xC3, 0x28].withUnsafeBufferPointer { try SheetXML.escape($0, to: &out) } }
    }

    @Test func theColumnGuideIsCurrentWithTheDocsAndNamesEveryColumn() throws {
        let tool = Paths.tests.deletingLastPathComponent().appendingPathComponent("tools/column_guide.py").path
        let r = try runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["python3", tool, "--check"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        for report in ReportCatalog.reportJobs.flatMap(\.reports) {
            for column in report.columns {
                let entry = ColumnGuide.entry(report: report.name, column: column)
                #expect(entry != nil && !(entry?.meaning.isEmpty ?? true), "\(report.name).\(column)")
            }
        }
        #expect(ColumnGuide.entry(report: "engagement", column: "response_rate")?.type == .ratio)
        #expect(ColumnGuide.entry(report: "people", column: "period_start")?.type == .date)
        #expect(ColumnGuide.entry(report: "people", column: "events")?.meaning == "how active they were, all told")
    }
}

extension WorkbookTests {
    /// LibreOffice on PATH (`make test-setup` installs Debian's libreoffice-calc-nogui where it is missing).
    static var libreOffice: URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(dir)/soffice") {
            return URL(fileURLWithPath: "\(dir)/soffice")
        }
        return nil
    }

    /// Column `k` of every data row of a CSV (RFC 4180, as LibreOffice writes it), read by Python's csv
    /// (not ReportReader, which would undo a guard LibreOffice never wrote).
    static func column(_ k: Int, ofCSV path: String) throws -> [String] {
        let r = try runProgram(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", "-c",
                "import csv, json, sys; print(json.dumps([r[int(sys.argv[2])] for r in list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))[1:]]))",
                path, String(k),
            ])
        return try JSONDecoder().decode([String].self, from: Data(r.stdout.utf8))
    }

    /// The sheet names of a workbook, in tab order, from its workbook.xml.
    static func sheetNames(_ path: String) throws -> [String] {
        let r = try runProgram(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('xl/workbook.xml').decode())", path])
        let xml = r.stdout
        var names: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<sheet name=\"") {
            let after = rest[open.upperBound...]
            let close = after.firstIndex(of: "\"")!
            names.append(String(after[..<close]))
            rest = after[close...]
        }
        return names
    }

    /// The member's bytes, inflated (zlib, raw deflate).
    static func inflate(_ member: ZipMember) throws -> String {
        let raw = member.pieces.flatMap { $0 }
        // A gzip member around the raw stream: header, the deflate bytes, CRC and size.
        var gz: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF] + raw
        for v in [member.crc, UInt32(member.size & 0xFFFF_FFFF)] {
            gz += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        }
        return String(decoding: try gunzip(gz), as: UTF8.self)
    }

    /// Office Open XML's `_xHHHH_` escapes undone, then XML's entities: what a reader gets.
    static func unescape(_ text: String) -> String {
        var s = text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        var out = ""
        while let r = s.range(of: #"_x[0-9A-Fa-f]{4}_"#, options: .regularExpression) {
            out += s[..<r.lowerBound]
            let hex = s[s.index(r.lowerBound, offsetBy: 2)..<s.index(r.lowerBound, offsetBy: 6)]
            out.unicodeScalars.append(Unicode.Scalar(UInt32(hex, radix: 16)!)!)
            s = String(s[r.upperBound...])
        }
        return out + s
    }
}
