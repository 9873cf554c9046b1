import SiltaEvents
import SiltaSupport

/// One cell of a report.
public enum ReportValue: Sendable, Equatable {
    /// An id from the logs (a community id): raw UTF-8 bytes, guarded in CSV
    /// against spreadsheet formulas, unchanged in JSON.
    case text([UInt8])
    /// A date, `YYYY-MM-DD`, given as days since 1970-01-01.
    case date(Int)
    case integer(Int)
    /// Written as the correctly rounded `%.6f`, trailing zeros removed.
    case number(Double)
    case bool(Bool)
    /// Undefined: an empty CSV cell, `null` in JSON.
    case empty

    /// A number, or empty when `denominator` is 0.
    public static func ratio(_ numerator: Double, _ denominator: Double) -> ReportValue {
        denominator == 0 ? .empty : .number(numerator / denominator)
    }

    public static func text(_ s: String) -> ReportValue { .text(Array(s.utf8)) }
}

/// One report file's content: its rows, already in report order.
///
/// Rows are either held (``rows``) or made one at a time when the file is
/// written (``init(report:period:columns:count:row:)``), so that a table of a
/// million rows does not have to exist as cells all at once.
public struct ReportTable: Sendable {
    /// The base name without the period: `engagement`, `social_capital`, ...
    public var report: String
    /// `daily`, `weekly` or `monthly`.
    public var period: String
    public var columns: [String]
    /// The held rows (empty for a table whose rows are made on demand).
    public var rows: [[ReportValue]]
    private let generated: (count: Int, row: @Sendable (Int) -> [ReportValue])?

    public init(report: String, period: String, columns: [String], rows: [[ReportValue]] = []) {
        self.report = report
        self.period = period
        self.columns = columns
        self.rows = rows
        generated = nil
    }

    /// A table whose `count` rows are made by `row(i)` when written.
    public init(report: String, period: String, columns: [String], count: Int, row: @escaping @Sendable (Int) -> [ReportValue]) {
        self.report = report
        self.period = period
        self.columns = columns
        rows = []
        generated = (count, row)
    }

    /// Number of rows.
    public var rowCount: Int { generated?.count ?? rows.count }

    /// Row `i`, held or made now.
    public func row(_ i: Int) -> [ReportValue] { generated.map { $0.row(i) } ?? rows[i] }

    /// `<report>_<period>`, the file name without extension.
    public var fileStem: String { report + "_" + period }
}

/// What the JSON twin says about how a table was made.
public struct ReportContext: Sendable {
    /// The IANA name of the report time zone.
    public var timeZone: String
    /// The as-of instant (UTC epoch milliseconds), `nil` when there are no events.
    public var asOf: Int64?

    public init(timeZone: String, asOf: Int64?) {
        self.timeZone = timeZone
        self.asOf = asOf
    }
}
