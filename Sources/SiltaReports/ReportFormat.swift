import Dispatch
import SiltaEvents
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cell formats of reports.md ("CSV", "JSON").
package enum ReportFormat {
    /// A non-integer number: C's correctly rounded `%.6f` (ties to even),
    /// then trailing zeros and a trailing `.` removed, and `-0` written `0`:
    /// `0.5`, `1`, `0.333333`, `1.5015`.
    package static func number(_ value: Double) -> String {
        var out: [UInt8] = []
        appendNumber(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        precondition(value.isFinite, "report numbers are finite")
        // Fast path: value * 10^6 in floating point is within 2^-12 of the exact
        // product for |product| < 2^40, so unless it lies that close to a
        // rounding tie, rounding it gives the same digits as printf.
        let scaled = value * 1_000_000
        if abs(scaled) < 1_099_511_627_776 {
            let floor = scaled.rounded(.down)
            let fraction = scaled - floor
            if abs(fraction - 0.5) > 1.0 / 4096 {
                let micros = Int64(fraction < 0.5 ? floor : floor + 1)
                appendMicros(micros, to: &out)
                return
            }
        }
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

    /// `micros / 10^6` with at most 6 decimals, trailing zeros and `.` removed, `-0` as `0`.
    private static func appendMicros(_ micros: Int64, to out: inout [UInt8]) {
        if micros < 0 { out.append(0x2D) }
        let m = micros.magnitude
        appendInteger(Int(m / 1_000_000), to: &out)
        var fraction = m % 1_000_000
        guard fraction != 0 else { return }
        out.append(0x2E)
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var divisor: UInt64 = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(48 + fraction / divisor % 10))
            divisor /= 10
        }
    }

    /// A non-negative integer's decimal digits.
    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(0x2D)
            out.append(contentsOf: String(value.magnitude).utf8)
            return
        }
        if value < 10 {
            out.append(UInt8(48 + value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while n > 0 {
                buffer[23 - count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(24 - count)...])
        }
    }

    /// `YYYY-MM-DD` for a day count since 1970-01-01.
    static func appendDate(_ days: Int, to out: inout [UInt8]) {
        let (y, m, d) = RFC3339.civilFromDays(days)
        guard (0...9999).contains(y) else {
            out.append(contentsOf: RFC3339.formatDate(days: days).utf8)
            return
        }
        out += [
            UInt8(48 + y / 1000), UInt8(48 + y / 100 % 10), UInt8(48 + y / 10 % 10), UInt8(48 + y % 10), 0x2D,
            UInt8(48 + m / 10), UInt8(48 + m % 10), 0x2D, UInt8(48 + d / 10), UInt8(48 + d % 10),
        ]
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
    package static func guarded(_ text: [UInt8]) -> [UInt8] { needsGuard(text.first) ? [0x27] + text : text }

    /// Whether text beginning with `first` needs the guard.
    @inline(__always)
    static func needsGuard(_ first: UInt8?) -> Bool {
        switch first {
        case 0x3D, 0x2B, 0x2D, 0x40, 0x27, 0x09, 0x0D: true
        default: false
        }
    }

    /// ``guarded(_:)`` and ``csvField(_:)`` in one pass, without a copy.
    static func appendGuardedCSVField(_ text: some Collection<UInt8>, to out: inout [UInt8]) {
        appendCSVField(text, guarded: true, to: &out)
    }

    /// A CSV field, quoted when it needs to be; with `guarded`, the
    /// spreadsheet guard first (inside the quotes).
    static func appendCSVField(_ text: some Collection<UInt8>, guarded: Bool, to out: inout [UInt8]) {
        let mark = guarded && needsGuard(text.first)
        let quote = text.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A })
        if !mark && !quote { return out.append(contentsOf: text) }
        if quote { out.append(0x22) }
        if mark { out.append(0x27) }
        for b in text {
            if b == 0x22 && quote { out.append(0x22) }
            out.append(b)
        }
        if quote { out.append(0x22) }
    }

    /// RFC 4180 quoting, only when the field holds a comma, a quote, `\r` or `\n`.
    package static func csvField(_ field: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        appendCSVField(field, to: &out)
        return out
    }

    static func appendCSVField(_ field: [UInt8], to out: inout [UInt8]) { appendCSVField(field, guarded: false, to: &out) }

    /// One cell as CSV text.
    package static func csvCell(_ value: ReportValue) -> [UInt8] {
        var out: [UInt8] = []
        appendCSV(value, to: &out)
        return out
    }

    static func appendCSV(_ value: ReportValue, to out: inout [UInt8]) {
        switch value {
        case .text(let t): appendGuardedCSVField(t, to: &out)
        case .date(let d): appendDate(d, to: &out)
        case .integer(let i): appendInteger(i, to: &out)
        case .number(let x): appendNumber(x, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .empty: break
        }
    }

    /// One cell as JSON text.
    package static func jsonCell(_ value: ReportValue) -> [UInt8] {
        var out: [UInt8] = []
        appendJSON(value, to: &out)
        return out
    }

    static func appendJSON(_ value: ReportValue, to out: inout [UInt8]) {
        switch value {
        case .text(let t): JSONText.appendQuoted(t, to: &out)
        case .date(let d):
            out.append(0x22)
            appendDate(d, to: &out)
            out.append(0x22)
        case .integer(let i): appendInteger(i, to: &out)
        case .number(let x): appendNumber(x, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .empty: out.append(contentsOf: "null".utf8)
        }
    }

    /// Text is handed on in pieces of about this size while a file is formatted.
    static let pieceBytes = 1 << 20

    /// Hands `out` to `emit` and empties it once it holds a piece.
    @inline(__always)
    static func handOnFullPiece(_ out: inout [UInt8], _ emit: ([UInt8]) throws -> Void) throws {
        if out.count >= pieceBytes {
            try emit(out)
            out.removeAll(keepingCapacity: true)
        }
    }

    /// The CSV file: header, then one line per row, `\n` line ends, no byte-order mark.
    package static func csv(_ table: ReportTable) throws -> [UInt8] {
        var out: [UInt8] = []
        try formatCSV(table) { out += $0 }
        return out
    }

    /// The CSV file, handed to `emit` in pieces.
    package static func formatCSV(_ table: ReportTable, emit: ([UInt8]) throws -> Void) throws {
        var f = CSVFormatter(table)
        try table.forEachRow { try f.row($0, emit: emit) }
        try f.finish(emit: emit)
    }

    /// The JSON twin: one object, one row per line.
    package static func json(_ table: ReportTable, context: ReportContext) throws -> [UInt8] {
        var out: [UInt8] = []
        try formatJSON(table, context: context) { out += $0 }
        return out
    }

    /// The JSON twin, handed to `emit` in pieces.
    package static func formatJSON(_ table: ReportTable, context: ReportContext, emit: ([UInt8]) throws -> Void) throws {
        var f = JSONFormatter(table, context: context)
        try table.forEachRow { try f.row($0, emit: emit) }
        try f.finish(emit: emit)
    }
}

/// A CSV file being formatted row by row, handed on in pieces of about
/// ``ReportFormat/pieceBytes``.
struct CSVFormatter {
    private var out: [UInt8] = []
    private let width: Int
    private let stem: String
    private(set) var rows = 0

    init(_ table: ReportTable) {
        width = table.columns.count
        stem = table.fileStem
        out.reserveCapacity(ReportFormat.pieceBytes + 4096)
        for (k, c) in table.columns.enumerated() {
            if k > 0 { out.append(0x2C) }
            ReportFormat.appendCSVField(Array(c.utf8), to: &out)
        }
        out.append(0x0A)
    }

    mutating func row(_ row: [ReportValue], emit: ([UInt8]) throws -> Void) throws {
        precondition(row.count == width, "a row of \(stem) has the wrong width")
        for (k, v) in row.enumerated() {
            if k > 0 { out.append(0x2C) }
            ReportFormat.appendCSV(v, to: &out)
        }
        out.append(0x0A)
        rows += 1
        try ReportFormat.handOnFullPiece(&out, emit)
    }

    mutating func finish(emit: ([UInt8]) throws -> Void) throws { try emit(out) }
}

/// A JSON twin being formatted row by row, handed on in pieces:
///
///     {"schema_version": 1, "report": "engagement", "period": "weekly", "time_zone": "UTC", "as_of": ..., "identities": null,
///      ("people_ids": "pseudonymous", in the people report's twins only)
///      "generated_by": ...,
///      "columns": ["period_start", ...],
///      "rows": [
///       {"period_start": "2026-10-05", ...},
///       ...
///      ]}
struct JSONFormatter {
    private var w = JSONWriter(reservingCapacity: ReportFormat.pieceBytes + 4096)
    /// Each column's `{"key": ` (the first) or `, "key": `.
    private let keys: [[UInt8]]
    private(set) var rows = 0

    init(_ table: ReportTable, context: ReportContext) {
        w.beginObject(.spaced)
        w.key("schema_version")
        w.integer(1)
        w.key("report")
        w.string(table.report)
        w.key("period")
        w.string(table.period)
        w.key("time_zone")
        w.string(context.timeZone)
        w.key("as_of")
        w.string(context.asOf.map { RFC3339.format(milliseconds: $0) })
        w.key("identities")
        if let used = context.identities {
            w.beginObject(.spaced)
            w.key("sha256")
            w.string(used.sha256)
            for (key, n) in [("ids", used.ids), ("persons", used.persons), ("bots", used.bots)] {
                w.key(key)
                w.integer(n)
            }
            w.endObject()
        } else {
            w.null()
        }
        if let peopleIds = context.peopleIds {
            w.key("people_ids")
            w.string(peopleIds)
        }
        w.key("generated_by")
        w.string(SiltaVersion.generatedBy)
        w.key("columns", newLine: 1)
        w.beginArray(.spaced)
        for c in table.columns { w.string(c) }
        w.endArray()
        w.key("rows", newLine: 1)
        w.beginArray(.lines(indent: 2, closing: 1))
        keys = RowSink.jsonKeys(table.columns)
    }

    /// The text up to the rows array's opening bracket.
    var header: [UInt8] { w.bytes }

    mutating func row(_ row: [ReportValue], emit: ([UInt8]) throws -> Void) throws {
        precondition(row.count == keys.count, "a row has the wrong width")
        // The object written whole, as JSONWriter's spaced layout would:
        // `{"key": value, "key": value}`, without its per-member bookkeeping.
        w.value { out in
            for (k, value) in row.enumerated() {
                out += keys[k]
                ReportFormat.appendJSON(value, to: &out)
            }
            out.append(0x7D)
        }
        rows += 1
        if w.bytes.count >= ReportFormat.pieceBytes { try emit(w.take()) }
    }

    mutating func finish(emit: ([UInt8]) throws -> Void) throws {
        w.endArray()
        w.endObject()
        w.finishLine()
        try emit(w.take())
    }
}

/// Writes report files: each to a temporary name in `REPORTS`, then renamed,
/// so a reader (a spreadsheet, the next job) never sees half a report.
package enum ReportWriter {
    /// Writes `<stem>.csv` and `<stem>.json` for each table into `directory`,
    /// one table at a time, streamed to disk in pieces so that memory does not
    /// grow with the table.
    /// - Returns: the rows written, per table.
    @discardableResult
    package static func write(_ tables: [ReportTable], context: ReportContext, to directory: String) throws -> [Int] {
        try tables.map { try write($0, context: context, to: directory).index.rows }
    }

    /// Writes one table's two files into `directory`, keeping the rows
    /// before `reuse`'s cut-off from the files an earlier night wrote when
    /// it is given and holds (``ReportReuse``); otherwise, or when the
    /// kept files are not what the index says, the table is written in full
    /// and ``WrittenReport/reuseRefused`` says why.
    ///
    /// Each row is made once and formatted as CSV and JSON at once, and the
    /// files are written by background queues; the kept bytes are copied
    /// in the kernel where the file system can.
    /// - Parameter inFullWhenRefused: false for a table whose rows before
    ///   the cut are placeholders (``ReportSettings/writtenFrom``), which
    ///   cannot be written in full: refused kept rows then throw
    ///   ``ReuseRefused``, and the caller computes the table again.
    package static func write(
        _ table: ReportTable, context: ReportContext, to directory: String, reuse: ReportReuse? = nil,
        inFullWhenRefused: Bool = true
    ) throws -> WrittenReport {
        try FileSystem.createDirectory(directory)
        AtomicFileWriter.removeStaleTemporaries(in: directory)
        var refused: String?
        if let reuse {
            do {
                return try writeOnce(table, context: context, directory: directory, reuse: reuse)
            } catch let r as ReuseRefused {
                if !inFullWhenRefused { throw r }
                refused = r.reason
            }
        }
        var written = try writeOnce(table, context: context, directory: directory, reuse: nil)
        written.reuseRefused = refused
        return written
    }

    /// Why the kept rows of a table could not be used.
    package struct ReuseRefused: Error {
        package var reason: String
    }

    private static func writeOnce(_ table: ReportTable, context: ReportContext, directory: String, reuse: ReportReuse?) throws
        -> WrittenReport
    {
        let csv = try AtomicFileWriter(path: directory + "/" + table.fileStem + ".csv")
        let json = try AtomicFileWriter(path: directory + "/" + table.fileStem + ".json")
        let index: ReportIndex
        let kept: Int
        do {
            var header = CSVFormatter(table)
            try header.finish { try csv.write($0) }
            try json.write(JSONFormatter(table, context: context).header)
            let csvStart = csv.bytesWritten
            let jsonStart = json.bytesWritten
            var cut = (rows: 0, csv: 0, json: 0)
            var periods: [ReportIndex.Period] = []
            if let reuse {
                cut = try copyKeptRows(reuse, of: table, csv: csv, json: json)
                periods = reuse.index.periods.prefix { $0.day < reuse.cutoffDay }.map { p in
                    var p = p
                    p.csv += csvStart - reuse.index.csvRows.lowerBound
                    p.json += jsonStart - reuse.index.jsonRows.lowerBound
                    return p
                }
            }
            let files = StreamedFiles(csv: BackgroundWriter(csv, label: "csv"), json: BackgroundWriter(json, label: "json"))
            let sink = RowSink(columns: table.columns, files: files, rowsBefore: cut.rows, skipBefore: reuse?.cutoffDay ?? .min)
            do {
                if table.isStreamed {
                    try table.produce(into: sink)
                } else {
                    for row in table.rows { try sink.row(row) }
                }
                try sink.finish()
            } catch {
                // Let queued writes end before the files are abandoned.
                try? files.csv.wait()
                try? files.json.wait()
                throw error
            }
            if let reuse, sink.skipped != cut.rows {
                throw ReuseRefused(
                    reason:
                        "tonight's table has \(sink.skipped) rows before \(String(decoding: ReportFormat.csvCell(.date(reuse.cutoffDay)), as: UTF8.self)), the kept files \(cut.rows)"
                )
            }
            index = ReportIndex(
                periods: periods + sink.periods, rows: sink.rows, csvRows: csvStart..<csv.bytesWritten,
                jsonRows: jsonStart..<sink.jsonRowsEnd)
            kept = cut.rows
        } catch {
            csv.abandon()
            json.abandon()
            throw error
        }
        try csv.commit()
        FaultInjection.point("report-between-csv-and-json")
        try json.commit()
        return WrittenReport(
            index: index, keptRows: kept, reuseRefused: nil, csvStamp: FileSystem.stamp(of: csv.path),
            jsonStamp: FileSystem.stamp(of: json.path))
    }

    /// Copies the rows of `reuse`'s files before its cut-off into `csv` and
    /// `json`, once the files are shown to be the ones its index describes.
    /// - Returns: the rows copied and where they end in the kept files.
    /// - Throws: ``ReuseRefused`` for anything wrong with the kept files.
    private static func copyKeptRows(_ reuse: ReportReuse, of table: ReportTable, csv: AtomicFileWriter, json: AtomicFileWriter) throws
        -> (rows: Int, csv: Int, json: Int)
    {
        let index = reuse.index
        guard table.columns.first == ReportIndex.periodColumn else { throw ReuseRefused(reason: "the table has no period column") }
        guard index.isConsistent else { throw ReuseRefused(reason: "the kept index is not consistent") }
        let cut = index.cut(before: reuse.cutoffDay)
        for (path, stamp, rows, end, writer) in [
            (reuse.csvPath, reuse.csvStamp, index.csvRows, cut.csv, csv), (reuse.jsonPath, reuse.jsonStamp, index.jsonRows, cut.json, json),
        ] {
            do {
                let source = try PosixFile(path: path, flags: O_RDONLY, noFollow: true)
                guard try source.stamp() == stamp, Int(stamp.size) >= rows.upperBound else {
                    throw ReuseRefused(reason: "\(path) changed since it was written")
                }
                try writer.append(rows.lowerBound..<end, of: source)
            } catch let r as ReuseRefused {
                throw r
            } catch {
                throw ReuseRefused(reason: "\(error)")
            }
        }
        return cut
    }
}

/// The first error of parallel writers.
final class Failures: @unchecked Sendable {
    private let monitor = Monitor()
    private(set) var first: (any Error)?

    func record(_ error: any Error) { monitor.locked { if first == nil { first = error } } }
}
