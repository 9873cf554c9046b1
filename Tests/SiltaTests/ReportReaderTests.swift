import Foundation
import PropertyBased
import SiltaReports
import Testing

/// Reading back the report CSVs (ReportReader): every cell as it was
/// written, the guard undone, in any piece size; a file that is not whole
/// is an error with its line.
@Suite struct ReportReaderTests {
    static let texts = [
        "=HYPERLINK(\"x\")", "+tips", "-minus", "@team", "'quoted", "\ttab", "a,b", "say \"hi\"", "two\nlines", "plain", "\r\ncr", "ünï",
    ]

    /// A table of every kind of cell.
    static func table(streamed: Bool) -> ReportTable {
        let columns = ["period_start", "complete", "community", "n", "x", "undefined"]
        let rows: [[ReportValue]] = texts.enumerated().map { k, t in
            [.date(20_000 + k), .bool(k % 2 == 0), .text(t), .integer(k * 1_000_003 - 7), .number(Double(k) / 3), .empty]
        }
        if streamed { return ReportTable(report: "t", period: "daily", columns: columns) { emit in for r in rows { try emit(r) } } }
        return ReportTable(report: "t", period: "daily", columns: columns, rows: rows)
    }

    /// What each cell must read back as: the text itself, else its CSV form.
    static func expected(_ row: [ReportValue]) -> [[UInt8]] {
        row.map { v in
            if case .text(let t) = v { return t }
            return ReportFormat.csvCell(v)
        }
    }

    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func everyCellReadsBackInAnyPieceSize(chunk: Int) throws {
        let s = Scratch()
        for streamed in [false, true] {
            let table = Self.table(streamed: streamed)
            try ReportWriter.write([table], context: ReportContext(timeZone: "UTC", asOf: nil), to: s.sub("r"))
            var reader = try ReportReader(path: s.sub("r/t_daily.csv"), chunk: chunk)
            #expect(reader.columns == table.columns)
            #expect(reader.index(of: "community") == 2)
            var got: [[[UInt8]]] = []
            while let row = try reader.next() { got.append(row) }
            #expect(got == Self.table(streamed: false).rows.map(Self.expected), "chunk \(chunk), streamed \(streamed)")
        }
    }

    @Test(
        arguments: [
            ("a,b\n1,2\n3,4", 3, "no line end"), ("a,b\n1,\"open\n", 2, "never closed"), ("a,b\n1,2,3\n", 2, "3 fields"),
            ("a,b\n1\n", 2, "1 fields"), ("", 1, "empty"), ("a,b\n1,x\"y\n", 2, "quote inside"),
            ("a,b\n\"1\"x,2\n", 2, "after a closing quote"),
            ("a,b\n\"two\nlines\",2\n3\n", 4, "1 fields"),
        ] as [(String, Int, String)])
    func aFileThatIsNotWholeIsAnErrorWithItsLine(text: String, line: Int, fault: String) throws {
        let s = Scratch()
        s.write("r.csv", text)
        do {
            var reader = try ReportReader(path: s.sub("r.csv"), chunk: 3)
            while try reader.next() != nil {}
            Issue.record("\(text.debugDescription) read without an error")
        } catch let error as ReportReadError {
            #expect(error.line == line, "\(text.debugDescription): \(error)")
            #expect(error.fault.contains(fault), "\(text.debugDescription): \(error)")
            #expect(error.description.contains(s.sub("r.csv")))
        }
    }

    @Test func anyBytesGiveRowsOrAnErrorNeverATrap() async throws {
        let s = Scratch()
        let path = s.sub("any.csv")
        // Bytes drawn mostly from the ones that matter to the grammar.
        let alphabet: [UInt8] = [0x2C, 0x22, 0x0A, 0x0D, 0x27, 0x61, 0x62, 0x30, 0x00, 0xFF]
        await propertyCheck(count: 400, input: Gen.int(in: 0...255).array(of: 0...80), Gen.int(in: 1...9)) { picks, chunk in
            let bytes = picks.map { $0 < 200 ? alphabet[$0 % alphabet.count] : UInt8($0) }
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                var reader = try ReportReader(path: path, chunk: chunk)
                var rows = 0
                while let row = try reader.next() {
                    #expect(row.count == reader.columns.count)
                    rows += 1
                }
                #expect(rows <= bytes.count)
            } catch is ReportReadError {
                // Refused with its line: fine.
            }
        }
    }

    @Test(arguments: [1, 5, 64, 1 << 20])
    func rowsOfOneFirstCellArePickedOutOfTheRest(chunk: Int) throws {
        let s = Scratch()
        var text = "period_start,person,n\n"
        var expected: [[[UInt8]]] = []
        for k in 0..<200 {
            let start = "2026-11-" + (k % 3 == 0 ? "02" : k % 3 == 1 ? "09" : "16")
            let person = k % 7 == 0 ? "\"p,\"\"\(k)\"" : "'=p\(k)"
            text += "\(start),\(person),\(k)\n"
            if start == "2026-11-09" {
                expected.append([Array(start.utf8), Array((k % 7 == 0 ? "p,\"\(k)" : "=p\(k)").utf8), Array(String(k).utf8)])
            }
        }
        s.write("p.csv", text)
        var reader = try ReportReader(path: s.sub("p.csv"), chunk: chunk)
        var got: [[[UInt8]]] = []
        while let row = try reader.next(whereFirstCellIs: Array("2026-11-09".utf8)) { got.append(row) }
        #expect(got == expected)
        // A cut last line is still found.
        s.write("cut.csv", "a,b\n2026-11-02,1\n2026-11-09,2")
        var cut = try ReportReader(path: s.sub("cut.csv"), chunk: chunk)
        #expect(throws: ReportReadError.self) { while try cut.next(whereFirstCellIs: Array("2026-11-09".utf8)) != nil {} }
    }
}
