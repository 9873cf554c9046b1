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
        precondition(value.isFinite, "report numbers are finite")
        var buffer = [CChar](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBufferPointer { p in
            withVaList([value]) { vsnprintf(p.baseAddress!, p.count, "%.6f", $0) }
        }
        var bytes = buffer[..<Int(n)].map { UInt8(bitPattern: $0) }
        if bytes.contains(0x2E) {
            while bytes.last == 0x30 { bytes.removeLast() }
            if bytes.last == 0x2E { bytes.removeLast() }
        }
        if bytes == [0x2D, 0x30] { bytes = [0x30] }
        return String(decoding: bytes, as: UTF8.self)
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
        guard field.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else { return field }
        var out: [UInt8] = [0x22]
        for b in field {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
        return out
    }

    /// One cell as CSV text.
    public static func csvCell(_ value: ReportValue) -> [UInt8] {
        switch value {
        case .text(let t): return csvField(guarded(t))
        case .date(let d): return Array(RFC3339.formatDate(days: d).utf8)
        case .integer(let i): return Array(String(i).utf8)
        case .number(let x): return Array(number(x).utf8)
        case .bool(let b): return Array((b ? "true" : "false").utf8)
        case .empty: return []
        }
    }

    /// One cell as JSON text.
    public static func jsonCell(_ value: ReportValue) -> [UInt8] {
        switch value {
        case .text(let t): return JSONText.quoted(t)
        case .date(let d): return JSONText.quoted(Array(RFC3339.formatDate(days: d).utf8))
        case .integer(let i): return Array(String(i).utf8)
        case .number(let x): return Array(number(x).utf8)
        case .bool(let b): return Array((b ? "true" : "false").utf8)
        case .empty: return Array("null".utf8)
        }
    }

    /// The CSV file: header, then one line per row, `\n` line ends, no byte-order mark.
    public static func csv(_ table: ReportTable) -> [UInt8] {
        var out: [UInt8] = []
        out += table.columns.map { csvField(Array($0.utf8)) }.joined(separator: [0x2C])
        out.append(0x0A)
        for row in table.rows {
            precondition(row.count == table.columns.count, "a row of \(table.fileStem) has the wrong width")
            out += row.map(csvCell).joined(separator: [0x2C])
            out.append(0x0A)
        }
        return out
    }

    /// The JSON twin: one object, one row per line.
    public static func json(_ table: ReportTable, context: ReportContext) -> [UInt8] {
        func q(_ s: String) -> [UInt8] { JSONText.quoted(Array(s.utf8)) }
        var out: [UInt8] = Array("{\"schema_version\": 1, \"report\": ".utf8) + q(table.report)
        out += Array(", \"period\": ".utf8) + q(table.period)
        out += Array(", \"time_zone\": ".utf8) + q(context.timeZone)
        out += Array(", \"as_of\": ".utf8) + (context.asOf.map { q(RFC3339.format(milliseconds: $0)) } ?? Array("null".utf8))
        out += Array(", \"generated_by\": ".utf8) + q(SiltaVersion.generatedBy)
        out += Array(",\n \"columns\": [".utf8) + table.columns.map(q).joined(separator: Array(", ".utf8)) + [0x5D]
        out += Array(",\n \"rows\": [".utf8)
        for (i, row) in table.rows.enumerated() {
            out += Array((i == 0 ? "\n  {" : ",\n  {").utf8)
            for (k, (name, value)) in zip(table.columns, row).enumerated() {
                if k > 0 { out += Array(", ".utf8) }
                out += q(name) + Array(": ".utf8) + jsonCell(value)
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
    public static func write(_ tables: [ReportTable], context: ReportContext, to directory: String) throws {
        try FileSystem.createDirectory(directory)
        AtomicFileWriter.removeStaleTemporaries(in: directory)
        for table in tables {
            try AtomicFileWriter.write(ReportFormat.csv(table), to: directory + "/" + table.fileStem + ".csv")
            FaultInjection.point("report-between-csv-and-json")
            try AtomicFileWriter.write(ReportFormat.json(table, context: context), to: directory + "/" + table.fileStem + ".json")
        }
    }
}
