import Dispatch
import SiltaEvents
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cell formats of reports.md ("CSV", "JSON").
public enum ReportFormat {
    /// A non-integer number: C's correctly rounded `%.6f` (ties to even),
    /// then trailing zeros and a trailing `.` removed, and `-0` written `0`:
    /// `0.5`, `1`, `0.333333`, `1.5015`.
    public static func number(_ value: Double) -> String {
        var out: [UInt8] = []
        appendNumber(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        precondition(value.isFinite, "report numbers are finite")
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var n = Int(withVaList([value]) { vsnprintf(p, raw.count, "%.6f", $0) })
            if n >= raw.count {
                // Over 50 digits: rare enough to take the slow path.
                var big = [CChar](repeating: 0, count: n + 1)
                n = Int(withVaList([value]) { vsnprintf(&big, big.count, "%.6f", $0) })
                appendTrimmed(big.prefix(n).map { UInt8(bitPattern: $0) }, to: &out)
                return
            }
            appendTrimmed(UnsafeRawBufferPointer(start: raw.baseAddress, count: n), to: &out)
        }
    }

    private static func appendTrimmed(_ digits: some Collection<UInt8>, to out: inout [UInt8]) {
        var end = digits.count
        let bytes = Array(digits)
        if bytes.contains(0x2E) {
            while end > 0 && bytes[end - 1] == 0x30 { end -= 1 }
            if end > 0 && bytes[end - 1] == 0x2E { end -= 1 }
        }
        if end == 2 && bytes[0] == 0x2D && bytes[1] == 0x30 {
            out.append(0x30)
            return
        }
        out.append(contentsOf: bytes[..<end])
    }

    /// Text a spreadsheet would run as a formula (it begins with `=`, `+`,
    /// `-`, `@`, `'`, a tab or a `\r`) gets one more `'` in front.
    public static func guarded(_ text: [UInt8]) -> [UInt8] {
        guard let first = text.first else { return text }
        switch first {
        case 0x3D, 0x2B, 0x2D, 0x40, 0x27, 0x09, 0x0D: return [0x27] + text
        default: return text
        }
    }

    /// RFC 4180 quoting, only when the field holds a comma, a quote, `\r` or `\n`.
    public static func csvField(_ field: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        appendCSVField(field, to: &out)
        return out
    }

    static func appendCSVField(_ field: [UInt8], to out: inout [UInt8]) {
        guard field.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else {
            out.append(contentsOf: field)
            return
        }
        out.append(0x22)
        for b in field {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }

    /// One cell as CSV text.
    public static func csvCell(_ value: ReportValue) -> [UInt8] {
        var out: [UInt8] = []
        appendCSV(value, to: &out)
        return out
    }

    static func appendCSV(_ value: ReportValue, to out: inout [UInt8]) {
        switch value {
        case .text(let t): appendCSVField(guarded(t), to: &out)
        case .date(let d): out.append(contentsOf: RFC3339.formatDate(days: d).utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .number(let x): appendNumber(x, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .empty: break
        }
    }

    /// One cell as JSON text.
    public static func jsonCell(_ value: ReportValue) -> [UInt8] {
        var out: [UInt8] = []
        appendJSON(value, to: &out)
        return out
    }

    static func appendJSON(_ value: ReportValue, to out: inout [UInt8]) {
        switch value {
        case .text(let t): JSONText.appendQuoted(t, to: &out)
        case .date(let d):
            out.append(0x22)
            out.append(contentsOf: RFC3339.formatDate(days: d).utf8)
            out.append(0x22)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .number(let x): appendNumber(x, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .empty: out.append(contentsOf: "null".utf8)
        }
    }

    /// The CSV file: header, then one line per row, `\n` line ends, no byte-order mark.
    public static func csv(_ table: ReportTable) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + table.rows.count * table.columns.count * 8)
        for (k, c) in table.columns.enumerated() {
            if k > 0 { out.append(0x2C) }
            appendCSVField(Array(c.utf8), to: &out)
        }
        out.append(0x0A)
        for row in table.rows {
            precondition(row.count == table.columns.count, "a row of \(table.fileStem) has the wrong width")
            for (k, v) in row.enumerated() {
                if k > 0 { out.append(0x2C) }
                appendCSV(v, to: &out)
            }
            out.append(0x0A)
        }
        return out
    }

    /// The JSON twin: one object, one row per line.
    public static func json(_ table: ReportTable, context: ReportContext) -> [UInt8] {
        func q(_ s: String) -> [UInt8] { JSONText.quoted(Array(s.utf8)) }
        var out: [UInt8] = Array("{\"schema_version\": 1, \"report\": ".utf8) + q(table.report)
        out.reserveCapacity(256 + table.rows.count * table.columns.count * 24)
        out += Array(", \"period\": ".utf8) + q(table.period)
        out += Array(", \"time_zone\": ".utf8) + q(context.timeZone)
        out += Array(", \"as_of\": ".utf8) + (context.asOf.map { q(RFC3339.format(milliseconds: $0)) } ?? Array("null".utf8))
        out += Array(", \"generated_by\": ".utf8) + q(SiltaVersion.generatedBy)
        out += Array(",\n \"columns\": [".utf8) + table.columns.map(q).joined(separator: Array(", ".utf8)) + [0x5D]
        out += Array(",\n \"rows\": [".utf8)
        let keys = table.columns.map { q($0) + Array(": ".utf8) }
        for (i, row) in table.rows.enumerated() {
            out.append(contentsOf: (i == 0 ? "\n  {" : ",\n  {").utf8)
            for (k, value) in row.enumerated() {
                if k > 0 {
                    out.append(0x2C)
                    out.append(0x20)
                }
                out.append(contentsOf: keys[k])
                appendJSON(value, to: &out)
            }
            out.append(0x7D)
        }
        out += Array((table.rows.isEmpty ? "]}\n" : "\n ]}\n").utf8)
        return out
    }
}

/// Writes report files: each to a temporary name in `REPORTS`, then renamed,
/// so a reader (a spreadsheet, the next job) never sees half a report.
public enum ReportWriter {
    /// Writes `<stem>.csv` and `<stem>.json` for each table into `directory`.
    /// The files are formatted in parallel, then written one by one.
    public static func write(_ tables: [ReportTable], context: ReportContext, to directory: String) throws {
        try FileSystem.createDirectory(directory)
        AtomicFileWriter.removeStaleTemporaries(in: directory)
        let texts = FormattedFiles(count: tables.count * 2)
        DispatchQueue.concurrentPerform(iterations: tables.count * 2) { k in
            let table = tables[k / 2]
            texts.set(k, k % 2 == 0 ? ReportFormat.csv(table) : ReportFormat.json(table, context: context))
        }
        for (k, table) in tables.enumerated() {
            try AtomicFileWriter.write(texts.get(2 * k), to: directory + "/" + table.fileStem + ".csv")
            FaultInjection.point("report-between-csv-and-json")
            try AtomicFileWriter.write(texts.get(2 * k + 1), to: directory + "/" + table.fileStem + ".json")
        }
    }
}

/// Formatted files, one slot per file, filled by parallel formatters.
final class FormattedFiles: @unchecked Sendable {
    private let monitor = Monitor()
    private var files: [[UInt8]]

    init(count: Int) { files = Array(repeating: [], count: count) }

    func set(_ i: Int, _ bytes: [UInt8]) { monitor.locked { files[i] = bytes } }

    func get(_ i: Int) -> [UInt8] { monitor.locked { files[i] } }
}
