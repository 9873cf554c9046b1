import SiltaEvents
import SiltaReports
import SiltaSupport

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
        guard let k = columns.firstIndex(of: name) else { throw ReportColumnMissing(report: report, column: name) }
        return k
    }

    /// The cell of column `name` in `row`.
    package func cell(_ row: [String], _ name: String) throws -> String { row[try column(name)] }
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

    /// The cell as a number, `nil` when undefined — or when it is no number
    /// a report of Silta's could hold (infinite, NaN, beyond 10^15: a file
    /// edited by hand), so that no chart is asked to draw it.
    package var value: Double? { Double(cell).flatMap { $0.isFinite && abs($0) < 1e15 ? $0 : nil } }
}

/// What the dashboard shows, from one family of reports.
package struct DashboardData: Sendable {
    /// The period family's file word (`weekly`).
    package let period: String
    /// Every period from the first with events to the last, ascending
    /// (`YYYY-MM-DD`); those without events are gaps in the charts.
    package let periods: [String]
    /// Whether each period is complete (one without events: when a later one is).
    package let complete: [Bool]
    /// Each period's bridging row, `nil` for a period without events.
    package let bridgingRow: [Int?]
    /// The bridging report's rows by period start.
    package let bridging: HeldReport
    package let engagement: HeldReport

    /// The other reports, when their files are there.
    package var socialCapital: HeldReport?
    package var links: HeldReport?
    /// The people report's rows of the latest complete period.
    package var people: PeopleOfPeriod?
    /// The as-of date (`YYYY-MM-DD`, UTC), when known.
    package var asOfDate: String?
    /// The identity file's figures, from the reports' twins (`nil`: none).
    package var identities: (ids: Int, persons: Int, bots: Int)?
    /// Bots' events left out, as the night's engagement job counted them.
    package var botEvents: Int?

    /// Reads the family `period` (`daily`, `weekly`, `monthly`) of the reports in `folder`.
    package static func read(
        folder: String, period: String, asOf: String? = nil, identities: (ids: Int, persons: Int, bots: Int)? = nil
    ) throws -> DashboardData {
        let bridging = try HeldReport.read(folder: folder, report: "bridging", period: period)
        let engagement = try HeldReport.read(folder: folder, report: "engagement", period: period)
        let start = try bridging.column("period_start")
        let complete = try bridging.column("complete")
        let starts = bridging.rows.map { $0[start] }
        let periods = axis(starts, period: period)
        let row = Dictionary(starts.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var done = periods.map { row[$0].map { bridging.rows[$0][complete] == "true" } ?? false }
        // A period without events is over when a later one is.
        var later = false
        for k in done.indices.reversed() {
            if row[periods[k]] != nil { later = later || done[k] } else { done[k] = later }
        }
        var data = DashboardData(
            period: period, periods: periods, complete: done, bridgingRow: periods.map { row[$0] }, bridging: bridging,
            engagement: engagement)
        func optional(_ report: String) throws -> HeldReport? {
            FileSystem.kind(of: folder + "/" + report + "_" + period + ".csv") == .file
                ? try HeldReport.read(folder: folder, report: report, period: period) : nil
        }
        data.socialCapital = try optional("social_capital")
        data.links = try optional("community_links")
        data.asOfDate = asOf.map { String($0.prefix(10)) }
        data.identities = identities
        if let (k, _) = data.latest, FileSystem.kind(of: folder + "/people_" + period + ".csv") == .file {
            data.people = try PeopleOfPeriod.read(path: folder + "/people_" + period + ".csv", start: data.periods[k])
        }
        return data
    }

    /// Every period from the first of `starts` to the last, or `starts`
    /// themselves when that would be more than a few times as many (a
    /// future-dated event years ahead must not make a million empty days).
    static func axis(_ starts: [String], period: String) -> [String] {
        guard let first = starts.first.flatMap(RFC3339.parseDate), let last = starts.last.flatMap(RFC3339.parseDate) else { return starts }
        var out: [String] = []
        var day = first
        while day <= last {
            out.append(RFC3339.formatDate(days: day))
            if out.count > 4 * starts.count + 60 { return starts }
            guard let next = end(ofDay: day, period: period) else { return starts }
            day = next
        }
        return out
    }

    /// How a period of this family is named: "the week of 2026-10-19".
    package func name(of start: String) -> String { periodName(family: period, start: start) }

    /// The first local date after period `start` (`YYYY-MM-DD`) of this family.
    package func end(of start: String) -> Int? { RFC3339.parseDate(start).flatMap { Self.end(ofDay: $0, period: period) } }

    static func end(ofDay day: Int, period: String) -> Int? {
        switch period {
        case "daily": return day + 1
        case "weekly": return day + 7
        default:
            let (y, m, _) = RFC3339.civilFromDays(day)
            return m == 12 ? RFC3339.daysFromCivil(year: y + 1, month: 1, day: 1) : RFC3339.daysFromCivil(year: y, month: m + 1, day: 1)
        }
    }

    /// Per period, whether its response figures may still change: the
    /// period is not over, or answers to its last posts may still come (a
    /// response counts up to 7 days after the post; the as-of date is less
    /// than 7 days after the period's end).
    package var responsesProvisional: [Bool] {
        let asOf = asOfDate.flatMap(RFC3339.parseDate)
        return periods.indices.map { k in
            guard complete[k] else { return true }
            guard let asOf, let end = end(of: periods[k]) else { return false }
            return asOf < end + 7
        }
    }

    /// The engagement rows of period `start`, largest `active_users` first (ties in report order), at most `limit`.
    package func busiestCommunities(in start: String, limit: Int) throws -> [[String]] {
        let e = engagement
        let (s, active) = (try e.column("period_start"), try e.column("active_users"))
        let rows = e.rows.filter { $0[s] == start }
        return Array(
            rows.enumerated().sorted { (Int($0.element[active]) ?? 0, -$0.offset) > (Int($1.element[active]) ?? 0, -$1.offset) }.map(
                \.element
            )
            .prefix(limit))
    }

    /// Per period, engagement `column` of the community `kind`/`community` (`nil` where it has no row).
    package func engagementSeries(_ column: String, kind: String, community: String) throws -> [Figure?] {
        let e = engagement
        let (s, k, c) = (try e.column("period_start"), try e.column("kind"), try e.column("community"))
        var byStart: [String: [String]] = [:]
        for row in e.rows where row[k] == kind && row[c] == community { byStart[row[s]] = row }
        return try periods.map { start in try byStart[start].map { try engagementFigure($0, column) } }
    }

    /// The latest complete period with events, and the period just before
    /// it when that one had events (otherwise no change is shown).
    package var latest: (current: Int, previous: Int?)? {
        guard let k = periods.indices.last(where: { complete[$0] && bridgingRow[$0] != nil }) else { return nil }
        return (k, k > 0 && bridgingRow[k - 1] != nil ? k - 1 : nil)
    }

    /// The organisation-wide figure `column` of period `k`, `nil` for a period without events.
    package func bridgingFigure(_ k: Int, _ column: String) throws -> Figure? {
        guard let row = bridgingRow[k] else { return nil }
        return Figure(
            report: "bridging", period: period, periodStart: periods[k], kind: nil, community: nil, column: column,
            cell: try bridging.cell(bridging.rows[row], column))
    }

    /// The community of `kind` with the most events in period `start`
    /// (ties: the first in report order), and its engagement row.
    package func busiest(kind: String, in start: String) throws -> [String]? {
        let e = engagement
        let (s, k, events) = (try e.column("period_start"), try e.column("kind"), try e.column("events"))
        var best: [String]?
        for row in e.rows where row[s] == start && row[k] == kind {
            // A cell that is no number (a report edited by hand) counts as 0, never a trap.
            if best == nil || Int(row[events]) ?? 0 > Int(best![events]) ?? 0 { best = row }
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
        for row in e.rows where row[k] == kind {
            let v = Double(row[c]) ?? 0
            sums[row[s], default: 0] += v.isFinite && abs(v) < 1e12 ? v : 0
        }
        return periods.map { sums[$0] }
    }
}
