import SiltaEvents
import SiltaSupport

/// One cell of a report.
package enum ReportValue: Sendable, Equatable {
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
    package static func ratio(_ numerator: Double, _ denominator: Double) -> ReportValue {
        denominator == 0 ? .empty : .number(numerator / denominator)
    }

    package static func text(_ s: String) -> ReportValue { .text(Array(s.utf8)) }
}

/// One report file's content: its rows, already in report order.
///
/// Rows are either held (``rows``) or *streamed*: made in order by a
/// producer while the file is written (``init(report:period:columns:stream:)``),
/// so that a table of a hundred million rows never exists in memory, as
/// cells or otherwise.
package struct ReportTable: Sendable {
    /// Makes a streamed table's rows, in report order, handing each to `emit`.
    package typealias Producer = @Sendable (_ emit: ([ReportValue]) throws -> Void) throws -> Void
    /// Makes a streamed table's rows, in report order, cell by cell into a
    /// ``RowSink`` (each row ended by ``RowSink/endRow()``).
    package typealias CellProducer = @Sendable (_ sink: RowSink) throws -> Void

    /// The base name without the period: `engagement`, `social_capital`, ...
    package var report: String
    /// `daily`, `weekly` or `monthly`.
    package var period: String
    package var columns: [String]
    /// The held rows (empty for a streamed table).
    package var rows: [[ReportValue]]
    private let producer: CellProducer?

    package init(report: String, period: String, columns: [String], rows: [[ReportValue]] = []) {
        self.report = report
        self.period = period
        self.columns = columns
        self.rows = rows
        producer = nil
    }

    /// A table whose rows `stream` makes while the file is written (once per write).
    package init(report: String, period: String, columns: [String], stream: @escaping Producer) {
        self.init(report: report, period: period, columns: columns) { sink in try stream { try sink.row($0) } }
    }

    /// A table whose rows `cells` makes while the file is written (once per
    /// write), cell by cell: the fastest way for a table of millions of rows.
    package init(report: String, period: String, columns: [String], cells: @escaping CellProducer) {
        self.report = report
        self.period = period
        self.columns = columns
        rows = []
        producer = cells
    }

    /// True when the rows are made while writing.
    package var isStreamed: Bool { producer != nil }

    /// Number of held rows; `nil` for a streamed table (known once written).
    package var heldRowCount: Int? { producer == nil ? rows.count : nil }

    /// Calls `body` with every row, in order (a streamed table makes them now).
    package func forEachRow(_ body: ([ReportValue]) throws -> Void) throws {
        guard let producer else { return try rows.forEach(body) }
        // The sink keeps `body` only while the producer runs.
        try withoutActuallyEscaping(body) { body in try producer(RowSink(width: columns.count, collecting: body)) }
    }

    /// Makes a streamed table's rows into `sink`.
    func produce(into sink: RowSink) throws { try producer?(sink) }

    /// `<report>_<period>`, the file name without extension.
    package var fileStem: String { report + "_" + period }
}

/// What the JSON twin says about how a table was made.
package struct ReportContext: Sendable {
    /// The IANA name of the report time zone.
    package var timeZone: String
    /// The as-of instant (UTC epoch milliseconds), `nil` when there are no events.
    package var asOf: Int64?
    /// The identity file the reports were computed with, `nil` without one.
    package var identities: IdentitiesUsed?
    /// How the people report names persons (`raw` or `pseudonymous`);
    /// `nil` for the other reports, whose twins leave the key out.
    package var peopleIds: String?

    package init(timeZone: String, asOf: Int64?, identities: IdentitiesUsed? = nil, peopleIds: String? = nil) {
        self.timeZone = timeZone
        self.asOf = asOf
        self.identities = identities
        self.peopleIds = peopleIds
    }
}

/// What the JSON twins say of the identity file (docs/identities.md):
/// `{"sha256": ..., "ids": N, "persons": P, "bots": B}`.
package struct IdentitiesUsed: Sendable, Equatable {
    package var sha256: String
    package var ids: Int
    package var persons: Int
    package var bots: Int

    package init(sha256: String, ids: Int, persons: Int, bots: Int) {
        self.sha256 = sha256
        self.ids = ids
        self.persons = persons
        self.bots = bots
    }
}
