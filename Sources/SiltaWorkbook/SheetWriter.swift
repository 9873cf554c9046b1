import SiltaEvents
import SiltaReportJobs
import SiltaReports

/// A report cell the workbook cannot hold as it is.
package struct CellFault: Error, CustomStringConvertible, Sendable {
    package let fault: String
    package var description: String { fault }
}

/// The cell styles of styles.xml (``WorkbookParts/styles``), by index.
enum CellStyle: Int {
    case plain = 0
    case date = 1
    case percent = 2
    case header = 3
    case wrapped = 4
    case title = 5
}

/// The XML of worksheet cells, written straight into bytes: one row of a
/// report is a few hundred bytes, and a sheet can be a million rows.
enum SheetXML {
    /// Excel's last row: a sheet holds its header and 1,048,575 rows.
    static let maxRows = 1_048_576
    /// 1899-12-30, the day before the spreadsheet serial day 1 (1900-01-01
    /// is serial 1 with Excel's 1900 leap-year fault, so serials count from
    /// here for every date from 1900-03-01 on), in days since 1970-01-01.
    static let serialEpoch = -25_569
    /// The first date whose serial means the same day in every spreadsheet: 1900-03-01 is 61.
    static let firstSerial = 61

    /// The column letters of column `k` (0 → `A`, 26 → `AA`).
    static func letters(_ k: Int) -> [UInt8] {
        var n = k + 1
        var out: [UInt8] = []
        while n > 0 {
            let r = (n - 1) % 26
            out.insert(UInt8(65 + r), at: 0)
            n = (n - 1) / 26
        }
        return out
    }

    /// Appends the bytes of a literal (no reference counting, unlike an array constant).
    @inline(__always)
    static func put(_ text: StaticString, _ out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// Appends the letters of column `k` (0 → `A`).
    @inline(__always)
    static func putLetters(_ k: Int, _ out: inout [UInt8]) {
        if k < 26 {
            out.append(UInt8(65 + k))
        } else {
            out.append(contentsOf: letters(k))
        }
    }

    /// The decimal digits of `n` (≥ 0).
    @inline(__always)
    static func append(_ n: Int, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var v = max(n, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - count] = UInt8(48 + v % 10)
                v /= 10
                count += 1
            } while v > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(24 - count)...]))
        }
    }

    static let rowOpen: StaticString = #"<row r=""#
    static let rowOpenEnd: StaticString = #"">"#
    static let rowClose: StaticString = "</row>"
    static let cellOpen: StaticString = #"<c r=""#
    static let styleOpen: StaticString = #"" s=""#
    static let typeOpen: StaticString = #"" t=""#
    static let valueOpen: StaticString = "<v>"
    static let valueClose: StaticString = "</v></c>"
    static let inline: StaticString = "inlineStr"
    static let textOpen: StaticString = "<is><t>"
    static let spacedTextOpen: StaticString = #"<is><t xml:space="preserve">"#
    static let textClose: StaticString = "</t></is></c>"

    /// `<c r="REF"[ s="S"][ t="T"]>`.
    @inline(__always)
    static func open(_ column: Int, _ row: Int, style: CellStyle, type: StaticString?, to out: inout [UInt8]) {
        put(cellOpen, &out)
        putLetters(column, &out)
        append(row, to: &out)
        if style != .plain {
            put(styleOpen, &out)
            append(style.rawValue, to: &out)
        }
        if let type {
            put(typeOpen, &out)
            put(type, &out)
        }
        out.append(0x22)
        out.append(0x3E)
    }

    /// A text cell holding `bytes` exactly (docs/workbook.md "Cells").
    static func text(
        _ bytes: UnsafeBufferPointer<UInt8>, _ column: Int, _ row: Int, style: CellStyle = .plain, to out: inout [UInt8]
    ) throws {
        open(column, row, style: style, type: inline, to: &out)
        let spaced = bytes.first.map(isSpace) == true || bytes.last.map(isSpace) == true
        put(spaced ? spacedTextOpen : textOpen, &out)
        try escape(bytes, to: &out)
        put(textClose, &out)
    }

    /// A text cell of `bytes`.
    static func text(_ bytes: [UInt8], _ column: Int, _ row: Int, style: CellStyle = .plain, to out: inout [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try text($0, column, row, style: style, to: &out) }
    }

    /// A number cell: `digits` as the report has them.
    @inline(__always)
    static func number(
        _ digits: UnsafeBufferPointer<UInt8>, _ column: Int, _ row: Int, style: CellStyle = .plain, to out: inout [UInt8]
    ) {
        open(column, row, style: style, type: nil, to: &out)
        put(valueOpen, &out)
        out.append(contentsOf: digits)
        put(valueClose, &out)
    }

    /// A number cell of the decimal digits of `n`.
    static func number(_ n: Int, _ column: Int, _ row: Int, style: CellStyle = .plain, to out: inout [UInt8]) {
        open(column, row, style: style, type: nil, to: &out)
        put(valueOpen, &out)
        append(n, to: &out)
        put(valueClose, &out)
    }

    static let booleanType: StaticString = "b"
    static let trueValue: StaticString = "<v>1</v></c>"
    static let falseValue: StaticString = "<v>0</v></c>"

    static func boolean(_ value: Bool, _ column: Int, _ row: Int, to out: inout [UInt8]) {
        open(column, row, style: .plain, type: booleanType, to: &out)
        put(value ? trueValue : falseValue, &out)
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A }

    /// `bytes` (UTF-8) as XML text: `&`, `<` and `>` as entities; what XML
    /// cannot hold (control characters, U+FFFE and U+FFFF) and a carriage
    /// return as Office Open XML's `_xHHHH_`, and a `_` that would start
    /// such an escape as `_x005F_`, so that a reader that undoes the
    /// escapes gets the bytes back. Not UTF-8: an error.
    static func escape(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) throws {
        var plain = true
        for b in bytes where b < 0x20 || b == 0x26 || b == 0x3C || b == 0x3E || b == 0x5F || b >= 0x80 {
            plain = false
            break
        }
        if plain {
            out.append(contentsOf: bytes)
            return
        }
        if bytes.contains(where: { $0 >= 0x80 }), String(validating: bytes, as: UTF8.self) == nil {
            throw CellFault(fault: "a text cell is not UTF-8")
        }
        func hex(_ v: Int) {
            let digits = Array("0123456789ABCDEF".utf8)
            out.append(contentsOf: "_x".utf8)
            for shift in [12, 8, 4, 0] { out.append(digits[(v >> shift) & 0xF]) }
            out.append(0x5F)
        }
        var k = 0
        while k < bytes.count {
            let b = bytes[k]
            switch b {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x09, 0x0A: out.append(b)
            case 0..<0x20: hex(Int(b))
            case 0x5F where startsEscape(bytes, k): hex(0x5F)
            case 0xEF where k + 2 < bytes.count && bytes[k + 1] == 0xBF && (bytes[k + 2] == 0xBE || bytes[k + 2] == 0xBF):
                hex(bytes[k + 2] == 0xBE ? 0xFFFE : 0xFFFF)
                k += 2
            default: out.append(b)
            }
            k += 1
        }
    }

    /// Whether `bytes[k...]` begins `_xHHHH_`.
    static func startsEscape(_ bytes: UnsafeBufferPointer<UInt8>, _ k: Int) -> Bool {
        guard k + 6 < bytes.count, bytes[k + 1] == 0x78, bytes[k + 6] == 0x5F else { return false }
        for j in k + 2...k + 5 {
            let c = bytes[j]
            let digit = c >= 0x30 && c <= 0x39
            let letter = (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
            if !digit && !letter { return false }
        }
        return true
    }

    /// Whether `bytes` is a number as Silta writes one: `-?D+(.D+)?`.
    static func isNumber(_ bytes: UnsafeBufferPointer<UInt8>, whole: Bool) -> Bool {
        var k = bytes.first == 0x2D ? 1 : 0
        let start = k
        while k < bytes.count, bytes[k] >= 0x30, bytes[k] <= 0x39 { k += 1 }
        guard k > start, k - start <= 20 else { return false }
        if k == bytes.count { return true }
        guard !whole, bytes[k] == 0x2E else { return false }
        k += 1
        let fraction = k
        while k < bytes.count, bytes[k] >= 0x30, bytes[k] <= 0x39 { k += 1 }
        return k > fraction && k == bytes.count
    }

    /// The spreadsheet serial of a `YYYY-MM-DD` cell, when it is one from 1900-03-01 on.
    static func serial(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
            let days = RFC3339.parseDate(String(decoding: bytes, as: UTF8.self))
        else { return nil }
        let serial = days - serialEpoch
        return serial >= firstSerial ? serial : nil
    }
}

/// One worksheet of the workbook, written: its name, its zip member and
/// its size.
package struct Sheet: Sendable {
    /// The name on its tab.
    package let name: String
    package let member: ZipMember
    /// Data rows (the header not counted).
    package let rows: Int
    package let columns: Int

    /// Its header and rows as a range, `A1:Q40` (with `$` before each part, `$A$1:$Q$40`, when `absolute`).
    func range(absolute: Bool = false) -> String {
        let last = String(decoding: SheetXML.letters(max(columns, 1) - 1), as: UTF8.self)
        let d = absolute ? "$" : ""
        return "\(d)A\(d)1:\(d)\(last)\(d)\(rows + 1)"
    }
}

/// Writes a table (a report CSV's rows, or one of the people lists) as
/// worksheets: the header row frozen and filtered, typed cells, column
/// widths from the header and the first rows, and a table longer than a
/// sheet continued in `name (2)`, `name (3)`, …
package struct SheetWriter {
    private let name: String
    private let stem: String
    private let columns: [(name: String, type: ColumnType)]
    private let types: [ColumnType]
    private let rowsPerSheet: Int
    private let level: Int32
    private var member: ZipMember?
    private var sheets: [Sheet] = []
    private var row = 0
    private var held: [ReportRow] = []
    private var widths: [Int]?
    /// Cells written as text because they were not what their column holds
    /// (a report edited by hand), and where the first was (its column and sheet row).
    package private(set) var oddCells = 0
    package private(set) var firstOdd: String?
    /// Rows read to set the column widths.
    static let sampleRows = 1000

    /// - Parameters:
    ///   - name: the first sheet's name (`engagement_weekly`), ASCII, at most 26 characters;
    ///   - part: the stem of its parts' file names in the archive;
    ///   - rowsPerSheet: rows per sheet, the header included (Excel's 1,048,576 at most).
    package init(name: String, part: String, columns: [(name: String, type: ColumnType)], rowsPerSheet: Int, level: Int32) {
        self.name = name
        stem = part
        self.columns = columns
        types = columns.map(\.type)
        self.rowsPerSheet = min(max(rowsPerSheet, 2), SheetXML.maxRows)
        self.level = level
    }

    /// Adds one row, a cell per column.
    /// - Throws: ``CellFault`` when a cell is not UTF-8 (a workbook cannot hold it).
    package mutating func add(_ cells: ReportRow) throws {
        if cells.bytes.contains(where: { $0 >= 0x80 }) {
            for k in 0..<cells.count where String(validating: cells[k], as: UTF8.self) == nil {
                throw CellFault(fault: "a text cell is not UTF-8")
            }
        }
        if widths == nil {
            held.append(cells)
            if held.count >= Self.sampleRows { try release() }
            return
        }
        try write(cells)
    }

    /// Ends the last sheet; the sheets written, in order (at least one, the header alone for a table without rows).
    package mutating func finish() throws -> [Sheet] {
        if widths == nil { try release() }
        if member == nil { start() }
        end()
        return sheets
    }

    /// Sets the widths from what is held, then writes it.
    private mutating func release() throws {
        var w = columns.map { $0.name.utf8.count + 4 }
        for cells in held {
            for (k, cell) in cells.cells.enumerated() where k < w.count {
                let shown: Int
                switch types[k] {
                case .date: shown = 10
                case .boolean: shown = 5
                case .ratio: shown = 8
                case .text: shown = cell.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
                case .count, .number: shown = cell.count
                }
                w[k] = max(w[k], shown + 2)
            }
        }
        widths = w.map { min(max($0, 8), 60) }
        let rows = held
        held = []
        for cells in rows { try write(cells) }
    }

    private mutating func write(_ cells: ReportRow) throws {
        if member == nil || row == rowsPerSheet {
            if member != nil { end() }
            start()
        }
        row += 1
        let r = row
        var fault: (any Error)?
        var odd = 0
        var oddColumn: Int?
        let types = types
        member!.withPending { out in
            SheetXML.put(SheetXML.rowOpen, &out)
            SheetXML.append(r, to: &out)
            SheetXML.put(SheetXML.rowOpenEnd, &out)
            cells.bytes.withUnsafeBufferPointer { all in
                do {
                    for k in 0..<min(cells.count, types.count) {
                        let range = cells.range(k)
                        if range.isEmpty { continue }
                        let cell = UnsafeBufferPointer(rebasing: all[range])
                        let column = k
                        switch types[k] {
                        case .count where SheetXML.isNumber(cell, whole: true): SheetXML.number(cell, column, r, to: &out)
                        case .number where SheetXML.isNumber(cell, whole: false): SheetXML.number(cell, column, r, to: &out)
                        case .ratio where SheetXML.isNumber(cell, whole: false):
                            SheetXML.number(cell, column, r, style: .percent, to: &out)
                        case .boolean where cell.elementsEqual(Self.trueBytes) || cell.elementsEqual(Self.falseBytes):
                            SheetXML.boolean(cell.elementsEqual(Self.trueBytes), column, r, to: &out)
                        case .date:
                            if let serial = SheetXML.serial(cell) {
                                SheetXML.number(serial, column, r, style: .date, to: &out)
                            } else {
                                // Before 1900-03-01 spreadsheets disagree on dates: the text, as the report has it.
                                if cell.count != 10 || RFC3339.parseDate(String(decoding: cell, as: UTF8.self)) == nil {
                                    odd += 1
                                    oddColumn = oddColumn ?? k
                                }
                                try SheetXML.text(cell, column, r, to: &out)
                            }
                        case .text: try SheetXML.text(cell, column, r, to: &out)
                        default:
                            odd += 1
                            oddColumn = oddColumn ?? k
                            try SheetXML.text(cell, column, r, to: &out)
                        }
                    }
                } catch {
                    fault = error
                }
            }
            SheetXML.put(SheetXML.rowClose, &out)
        }
        if let fault { throw fault }
        if odd > 0 {
            oddCells += odd
            firstOdd = firstOdd ?? oddColumn.map { "column \(columns[$0].name), line \(r)" }
        }
        member!.drainIfFull()
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    /// Opens the next sheet: its head, columns and header row.
    private mutating func start() {
        let part = sheets.isEmpty ? stem : stem + "-\(sheets.count + 1)"
        let m = ZipMember(name: "xl/worksheets/\(part).xml", level: level)
        m.append(WorkbookParts.xmlHead)
        m.append(
            #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        )
        m.append(
            #"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>"#
        )
        m.append("<cols>")
        for (k, w) in (widths ?? columns.map { _ in 12 }).enumerated() {
            m.append(#"<col min="\#(k + 1)" max="\#(k + 1)" width="\#(w)" customWidth="1"/>"#)
        }
        m.append("</cols><sheetData>")
        m.withPending { out in
            out.append(contentsOf: #"<row r="1">"#.utf8)
            for (k, column) in columns.enumerated() {
                // Column names are Silta's own, plain ASCII.
                try? SheetXML.text(Array(column.name.utf8), k, 1, style: .header, to: &out)
            }
            out.append(contentsOf: "</row>".utf8)
        }
        member = m
        row = 1
    }

    /// Closes the open sheet.
    private mutating func end() {
        guard let m = member else { return }
        let title = sheets.isEmpty ? name : name + " (\(sheets.count + 1))"
        let sheet = Sheet(name: title, member: m, rows: row - 1, columns: columns.count)
        m.append("</sheetData>")
        m.append(#"<autoFilter ref="\#(sheet.range())"/>"#)
        m.append("</worksheet>")
        m.finish()
        sheets.append(sheet)
        member = nil
    }
}
