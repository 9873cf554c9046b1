import SiltaReports

/// A small report CSV held whole: its columns and its rows as text cells
/// (the guard undone), for the per-period and per-community reports the
/// dashboard plots.
package struct HeldReport: Sendable {
    /// The report's name (`engagement`) and period (`weekly`), as in its file name.
    package let report: String
    package let period: String
    package let columns: [String]
    package let rows: [[String]]

    /// Reads `folder/<report>_<period>.csv`.
    package static func read(folder: String, report: String, period: String) throws -> HeldReport {
        var reader = try ReportReader(path: folder + "/" + report + "_" + period + ".csv")
        var rows: [[String]] = []
        while let row = try reader.next() { rows.append(row.map { String(decoding: $0, as: UTF8.self) }) }
        return HeldReport(report: report, period: period, columns: reader.columns, rows: rows)
    }

    /// The position of column `name`.
    package func column(_ name: String) throws -> Int {
        guard let k = columns.firstIndex(of: name) else { throw DashboardError.missingColumn(report: report, column: name) }
        return k
    }

    /// The cell of column `name` in `row`.
    package func cell(_ row: [String], _ name: String) throws -> String { row[try column(name)] }
}

/// Why the dashboard cannot be made.
package enum DashboardError: Error, CustomStringConvertible {
    case missingColumn(report: String, column: String)

    package var description: String {
        switch self {
        case .missingColumn(let report, let column):
            "the \(report) report has no column \(column): it was written by another version of Silta; run the report jobs again"
        }
    }
}

/// One figure of the dashboard with the CSV cell it comes from (the data
/// island's entries: docs/dashboard.md).
package struct Figure: Sendable, Equatable {
    package var report: String
    package var period: String
    package var periodStart: String
    /// `internal`/`external`, or `nil` for an organisation-wide figure.
    package var kind: String?
    /// The community, or `nil` for a figure over communities.
    package var community: String?
    package var column: String
    /// The cell as the CSV has it: a number's digits, or empty for undefined.
    package var cell: String

    /// The cell as a number, `nil` when undefined.
    package var value: Double? { Double(cell) }
}

/// What the dashboard shows, from one family of reports.
package struct DashboardData: Sendable {
    /// The period family's file word (`weekly`).
    package let period: String
    /// Every period with a bridging row, ascending (`YYYY-MM-DD`).
    package let periods: [String]
    /// Whether each period is complete.
    package let complete: [Bool]
    /// The bridging report's rows by period start.
    package let bridging: HeldReport
    package let engagement: HeldReport

    /// Reads the family `period` (`daily`, `weekly`, `monthly`) of the reports in `folder`.
    package static func read(folder: String, period: String) throws -> DashboardData {
        let bridging = try HeldReport.read(folder: folder, report: "bridging", period: period)
        let engagement = try HeldReport.read(folder: folder, report: "engagement", period: period)
        let start = try bridging.column("period_start")
        let complete = try bridging.column("complete")
        return DashboardData(
            period: period, periods: bridging.rows.map { $0[start] }, complete: bridging.rows.map { $0[complete] == "true" },
            bridging: bridging, engagement: engagement)
    }

    /// The latest complete period's index, and the one before it when it
    /// is the period just before (a period without events has no row: no change is shown then).
    package var latest: (current: Int, previous: Int?)? {
        guard let k = complete.lastIndex(of: true) else { return nil }
        return (k, k > 0 ? k - 1 : nil)
    }

    /// The organisation-wide figure `column` of the bridging row `k`.
    package func bridgingFigure(_ k: Int, _ column: String) throws -> Figure {
        Figure(
            report: "bridging", period: period, periodStart: periods[k], kind: nil, community: nil, column: column,
            cell: try bridging.cell(bridging.rows[k], column))
    }

    /// The community of `kind` with the most events in period `start`
    /// (ties: the first in report order), and its engagement row.
    package func busiest(kind: String, in start: String) throws -> [String]? {
        let e = engagement
        let (s, k, events) = (try e.column("period_start"), try e.column("kind"), try e.column("events"))
        var best: [String]?
        for row in e.rows where row[s] == start && row[k] == kind {
            if best == nil || Int(row[events])! > Int(best![events])! { best = row }
        }
        return best
    }

    /// The engagement figure `column` of `row`.
    package func engagementFigure(_ row: [String], _ column: String) throws -> Figure {
        let e = engagement
        return Figure(
            report: "engagement", period: period, periodStart: row[try e.column("period_start")], kind: row[try e.column("kind")],
            community: row[try e.column("community")], column: column, cell: row[try e.column(column)])
    }

    /// Per period, the sum of engagement `column` over the communities of `kind`; `nil` where no community had a row.
    package func engagementSum(_ column: String, kind: String) throws -> [Double?] {
        let e = engagement
        let (s, k, c) = (try e.column("period_start"), try e.column("kind"), try e.column(column))
        var sums: [String: Double] = [:]
        for row in e.rows where row[k] == kind { sums[row[s], default: 0] += Double(row[c]) ?? 0 }
        return periods.map { sums[$0] }
    }
}
