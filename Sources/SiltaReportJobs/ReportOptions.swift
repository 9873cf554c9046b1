import ArgumentParser
import Foundation
import SiltaEvents
import SiltaJobKit
import SiltaMetrics

/// Options every report job shares (reports.md: `PERIODS`, `TZ_NAME`, `AS_OF`).
package struct ReportOptions: ParsableArguments, Sendable {
    /// The long names of the options, which ``arguments`` uses too.
    enum Name {
        static let periods = "periods"
        static let timeZone = "time-zone"
        static let asOf = "as-of"
        static let identities = "identities"
    }

    @Option(
        name: .customLong(Name.periods),
        parsing: .upToNextOption,
        help: ArgumentHelp("Period families to report: day, week, month (space- or comma-separated).", valueName: "families"))
    package var periods: [String] = ["day", "week", "month"]

    @Option(name: .customLong(Name.timeZone), help: "Report time zone, an IANA name such as UTC or Europe/Helsinki.")
    package var timeZone = "UTC"

    @Option(
        name: .customLong(Name.asOf),
        help: ArgumentHelp(
            "The as-of instant: RFC 3339, or a date YYYY-MM-DD for the end of that day in --time-zone. It filters nothing; it decides `complete`. Without it, the latest event.",
            valueName: "instant"))
    package var asOf: String?

    @Option(
        name: .customLong(Name.identities),
        help: ArgumentHelp(
            "The identity file: which person ids are one person, and which are bots (CSV id,person[,bot]; docs/identities.md). Without it, every id is its own person and nobody is a bot.",
            valueName: "file"))
    package var identities: String?

    package init() {}

    /// The arguments that give a child job these settings.
    package var arguments: [String] {
        ["--" + Name.periods] + families.map(\.rawValue) + ["--" + Name.timeZone, timeZone]
            + (asOf.map { ["--" + Name.asOf, $0] } ?? []) + (identities.map { ["--" + Name.identities, $0] } ?? [])
    }

    /// The families asked for, in day, week, month order, each once.
    package var families: [PeriodFamily] {
        let words = periods.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }) }.map(String.init)
        return PeriodFamily.allCases.filter { f in words.contains(f.rawValue) }
    }

    /// The as-of instant in UTC epoch milliseconds, when given: an RFC 3339
    /// instant, or a plain date `YYYY-MM-DD`, which means the end of that
    /// day in the report time zone (the first instant of the next local
    /// day, so that the day itself is complete).
    package var asOfMilliseconds: Int64? {
        guard let asOf else { return nil }
        if let instant = RFC3339.parse(asOf) { return instant }
        guard let day = RFC3339.parseDate(asOf), let zone = TimeZone(identifier: timeZone) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let next = RFC3339.civilFromDays(day + 1)
        guard let start = calendar.date(from: DateComponents(year: next.0, month: next.1, day: next.2)) else { return nil }
        return Int64((start.timeIntervalSince1970 * 1000).rounded())
    }

    /// Up to three known time-zone names nearest to `name` (a wrong case
    /// first, then by edit distance), for the error message.
    package static func timeZoneSuggestions(for name: String) -> [String] {
        let known = TimeZone.knownTimeZoneIdentifiers
        let lower = name.lowercased()
        if let exact = known.first(where: { $0.lowercased() == lower }) { return [exact] }
        let scored = known.map { ($0, editDistance(lower, $0.lowercased())) }.filter { $0.1 <= max(3, lower.count / 3) }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(3).map(\.0)
    }

    /// Levenshtein distance over Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + [Int](repeating: 0, count: y.count)
            for j in stride(from: 1, through: y.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }

    package mutating func validate() throws {
        let words = periods.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }) }.map(String.init)
        for w in words where PeriodFamily(rawValue: w) == nil {
            throw ValidationError("--periods takes day, week and month; \"\(w)\" is none of them.")
        }
        if words.isEmpty { throw ValidationError("--periods needs at least one of day, week, month.") }
        if TimeZone(identifier: timeZone) == nil {
            let near = Self.timeZoneSuggestions(for: timeZone)
            let hint = near.isEmpty ? ", such as UTC or Europe/Helsinki" : "; did you mean " + near.joined(separator: " or ") + "?"
            throw ValidationError(
                "--time-zone \"\(timeZone)\" is not a known IANA time zone\(hint) (The names are in /usr/share/zoneinfo.)")
        }
        if asOf?.isEmpty == true { asOf = nil }
        if identities?.isEmpty == true { identities = nil }
        if let asOf, asOfMilliseconds == nil {
            throw ValidationError(
                "--as-of \"\(asOf)\" is neither an RFC 3339 instant such as 2026-11-28T21:15:02Z (or with an offset, +02:00) nor a date such as 2026-11-28 (the end of that day in --time-zone)."
            )
        }
    }
}

/// The community-links option (metrics.md "Community links"; make
/// `LINKS_MIN_SHARED`): `bridging` reads it, `nightly` passes it on.
package struct LinksOptions: ParsableArguments, Sendable {
    static let flag = "links-min-shared"

    @Option(
        name: .customLong(flag),
        help: ArgumentHelp(
            "Community links: keep a pair of communities only with at least this many shared creators, or a share between them.",
            valueName: "n"))
    package var linksMinShared = 1

    package init() {}

    package mutating func validate() throws {
        if linksMinShared < 1 { throw ValidationError("--links-min-shared must be at least 1.") }
    }

    /// The arguments that give a child job this setting.
    package var arguments: [String] { ["--" + Self.flag, String(linksMinShared)] }
}

/// The people report's options (docs/people.md; make `PEOPLE_KEY`,
/// `PEOPLE_IDS`): `people` reads them, `nightly` passes them on.
package struct PeopleOptions: ParsableArguments, Sendable {
    enum Name {
        static let key = "people-key"
        static let ids = "people-ids"
    }

    @Option(
        name: .customLong(Name.key),
        help: ArgumentHelp(
            "The key of the pseudonyms: a file of random bytes readable by you only. Without it, WAREHOUSE/people.key, made on first need with 32 random bytes.",
            valueName: "file"))
    package var peopleKey: String?

    @Option(
        name: .customLong(Name.ids),
        help: ArgumentHelp(
            "How persons are named: pseudonymous (p and 16 hex digits of HMAC-SHA256(key, id); the default) or raw (the person ids themselves: personal data).",
            valueName: "pseudonymous|raw"))
    package var peopleIds = "pseudonymous"

    package init() {}

    /// True for `--people-ids raw`.
    package var raw: Bool { peopleIds == "raw" }

    package mutating func validate() throws {
        if peopleIds.isEmpty { peopleIds = "pseudonymous" }
        if peopleKey?.isEmpty == true { peopleKey = nil }
        guard peopleIds == "pseudonymous" || peopleIds == "raw" else {
            throw ValidationError("--people-ids takes pseudonymous or raw; \"\(peopleIds)\" is neither.")
        }
    }

    /// The arguments that give a child job these settings.
    package var arguments: [String] { ["--" + Name.ids, peopleIds] + (peopleKey.map { ["--" + Name.key, $0] } ?? []) }
}

/// The dashboard's option (docs/dashboard.md; make `DASHBOARD_PERIOD`):
/// `dashboard` reads it, `nightly` passes it on.
package struct DashboardOptions: ParsableArguments, Sendable {
    static let flag = "dashboard-period"

    @Option(
        name: .customLong(flag),
        help: ArgumentHelp(
            "The period family of the dashboard's series and of the workbook's people lists: day, week or month.", valueName: "family"))
    package var dashboardPeriod = "week"

    package init() {}

    package mutating func validate() throws {
        if PeriodFamily(rawValue: dashboardPeriod) == nil {
            throw ValidationError("--dashboard-period takes day, week or month; \"\(dashboardPeriod)\" is none of them.")
        }
    }

    /// The family; week when the value is not one.
    package var family: PeriodFamily { PeriodFamily(rawValue: dashboardPeriod) ?? .week }

    /// The arguments that give the dashboard the family, or the first of
    /// `families` when the night reports no other.
    package func arguments(families: [PeriodFamily]) -> [String] {
        let family = families.contains(family) ? family : families.first ?? family
        return ["--" + Self.flag, family.rawValue]
    }
}

/// The workbook's options (docs/workbook.md; make `WORKBOOK_PEOPLE`):
/// `workbook` reads them, `nightly` passes them on.
package struct WorkbookOptions: ParsableArguments, Sendable {
    static let peopleFlag = "workbook-people"
    static let rowsFlag = "sheet-rows"

    @Option(
        name: .customLong(peopleFlag),
        help: ArgumentHelp(
            "Whether the people report's files are sheets: auto (when they hold at most 1,000,000 rows together), full or tables (only the people lists).",
            valueName: "mode"))
    package var workbookPeople = "auto"

    @Option(
        name: .customLong(rowsFlag),
        help: ArgumentHelp(
            "Rows per sheet, the header included; a longer report goes on in `name (2)`, … (2 to Excel's 1048576).", valueName: "n"))
    package var sheetRows = 1_048_576

    package init() {}

    package mutating func validate() throws {
        if !["auto", "full", "tables"].contains(workbookPeople) {
            throw ValidationError("--workbook-people takes auto, full or tables; \"\(workbookPeople)\" is none of them.")
        }
        if sheetRows < 2 || sheetRows > 1_048_576 {
            throw ValidationError("--sheet-rows takes 2 to 1048576 (Excel's last row); \(sheetRows) is outside.")
        }
    }

    /// The arguments that give a child job these settings (the defaults left out).
    package var arguments: [String] {
        ["--" + Self.peopleFlag, workbookPeople] + (sheetRows == 1_048_576 ? [] : ["--" + Self.rowsFlag, String(sheetRows)])
    }
}

/// What a report job keeps from the reports it wrote last (docs/warehouse.md
/// "Kept reports"): where those are, or that everything is written anew.
package struct KeptReportOptions: ParsableArguments, Sendable {
    static let previousFlag = "previous-reports"
    static let fullFlag = "full"

    @Option(
        name: .customLong(Self.previousFlag),
        help: ArgumentHelp(
            "Where last night's reports are, whose unchanged periods are kept (the nightly job writes into REPORTS/.tonight and passes REPORTS). Without it, --reports.",
            valueName: "folder"))
    package var previousReports: String?

    @Flag(
        name: .customLong(Self.fullFlag),
        help: "Write every period of every report anew, keeping nothing from the reports written before (the result is the same bytes).")
    package var full = false

    package init() {}

    /// The arguments that give a child job these settings.
    package func arguments(previousReports folder: String) -> [String] {
        ["--" + Self.previousFlag, folder] + (full ? ["--" + Self.fullFlag] : [])
    }
}
