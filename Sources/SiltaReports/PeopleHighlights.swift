/// A report lacks a column its reader needs: it was written by another
/// version of Silta, or edited by hand.
package struct ReportColumnMissing: Error, CustomStringConvertible, Sendable {
    package let report: String
    package let column: String

    package init(report: String, column: String) {
        self.report = report
        self.column = column
    }

    package var description: String {
        "the \(report) report has no column \(column): it was written by another version of Silta; run the report jobs again"
    }
}

/// How a period is named in a sentence: "the week of 2026-10-19", from its
/// family's file word (`weekly`) and its start; the dashboard's and the
/// workbook's words.
package func periodName(family: String, start: String) -> String {
    switch family {
    case "daily": "the day " + start
    case "weekly": "the week of " + start
    default: "the month of " + start
    }
}

/// The people report's rows of one period, read back from its CSV: what the
/// dashboard's and the workbook's people lists are drawn from.
package struct PeopleOfPeriod: Sendable {
    package struct Row: Sendable {
        package var person: String
        package var contributions: Int
        package var internalContributions: Int
        package var externalContributions: Int
        package var interactionsIn: Int
        package var isNew: Bool
        package var boundarySpanner: Bool
        package var firstSeen: String
    }

    /// The period's `period_start` (`YYYY-MM-DD`).
    package var start: String
    /// Its rows, in the report's order.
    package var rows: [Row]

    package init(start: String, rows: [Row]) {
        self.start = start
        self.rows = rows
    }

    /// The rows of period `start` in the people CSV at `path`, read in pieces
    /// (the report can be millions of rows; one period's are kept).
    package static func read(path: String, start: String) throws -> PeopleOfPeriod {
        var reader = try ReportReader(path: path)
        func column(_ name: String) throws -> Int {
            guard let k = reader.index(of: name) else { throw ReportColumnMissing(report: "people", column: name) }
            return k
        }
        let c = (
            start: try column("period_start"), person: try column("person"), contributions: try column("contributions"),
            inside: try column("internal_contributions"), outside: try column("external_contributions"),
            received: try column("interactions_in"), new: try column("new"), spanner: try column("boundary_spanner"),
            first: try column("first_seen")
        )
        let wanted = Array(start.utf8)
        var rows: [Row] = []
        guard c.start == 0 else { throw ReportColumnMissing(report: "people", column: "period_start (as the first)") }
        var row = ReportRow()
        let yes = Array("true".utf8)
        while try reader.next(into: &row, whereFirstCellIs: wanted) {
            // A cell that is no number (a report edited by hand) counts as 0, never a trap.
            func int(_ k: Int) -> Int {
                var n = 0
                for b in row[k] {
                    guard b >= 0x30, b <= 0x39, n < Int.max / 10 - 9 else { return 0 }
                    n = n * 10 + Int(b - 0x30)
                }
                return n
            }
            rows.append(
                Row(
                    person: String(decoding: row[c.person], as: UTF8.self), contributions: int(c.contributions),
                    internalContributions: int(c.inside), externalContributions: int(c.outside), interactionsIn: int(c.received),
                    isNew: row[c.new].elementsEqual(yes), boundarySpanner: row[c.spanner].elementsEqual(yes),
                    firstSeen: String(decoding: row[c.first], as: UTF8.self)))
        }
        return PeopleOfPeriod(start: start, rows: rows)
    }

    /// At most `limit` rows that `include`, by `key` descending, then in the report's order.
    package func top(_ limit: Int, where include: (Row) -> Bool = { _ in true }, by key: (Row) -> Int) -> [Row] {
        Array(
            rows.enumerated().filter { include($0.element) }.sorted { (key($0.element), -$0.offset) > (key($1.element), -$1.offset) }.map(
                \.element
            ).prefix(limit))
    }

    /// The latest complete period of a family: the `period_start` of the
    /// last row of its bridging CSV (one row per period with events, in
    /// order) whose `complete` is `true`, or `nil` when none is.
    package static func latestComplete(bridging path: String) throws -> String? {
        var reader = try ReportReader(path: path)
        guard let s = reader.index(of: "period_start"), let c = reader.index(of: "complete") else {
            throw ReportColumnMissing(report: "bridging", column: "period_start and complete")
        }
        var latest: String?
        while let row = try reader.next() {
            if row[c] == Array("true".utf8) { latest = String(decoding: row[s], as: UTF8.self) }
        }
        return latest
    }
}

/// The four lists of people that the dashboard and the workbook show for
/// the latest complete period (docs/people.md "Highlights"): each the
/// first ten rows of the people report's period by one figure, largest
/// first, ties in the report's order.
package enum PeopleHighlight: String, CaseIterable, Sendable {
    /// Most contributions.
    case champions
    /// New this period (`new`), by contributions.
    case newcomers
    /// Boundary spanners (`boundary_spanner`), by contributions.
    case boundarySpanners = "boundary_spanners"
    /// Most interactions received (`interactions_in`).
    case mostAnswered = "most_answered"

    /// How many people each list holds.
    package static let limit = 10

    /// The list's title.
    package var title: String {
        switch self {
        case .champions: "Champions"
        case .newcomers: "Newcomers"
        case .boundarySpanners: "Boundary spanners"
        case .mostAnswered: "The most answered"
        }
    }

    /// What the list ranks by, in a manager's words.
    package var meaning: String {
        switch self {
        case .champions: "the people with the most contributions (posts, replies and shares) in the period"
        case .newcomers: "people seen for the first time in the period, with the most contributions first"
        case .boundarySpanners: "people who contributed both inside and outside, with the most contributions first"
        case .mostAnswered: "the people others addressed most (interactions received)"
        }
    }

    /// The list's rows of `people`.
    package func rows(of people: PeopleOfPeriod) -> [PeopleOfPeriod.Row] {
        switch self {
        case .champions: people.top(Self.limit, by: \.contributions)
        case .newcomers: people.top(Self.limit, where: \.isNew, by: \.contributions)
        case .boundarySpanners: people.top(Self.limit, where: \.boundarySpanner, by: \.contributions)
        case .mostAnswered: people.top(Self.limit, by: \.interactionsIn)
        }
    }
}
