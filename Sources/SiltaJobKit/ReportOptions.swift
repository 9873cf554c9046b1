import ArgumentParser
import Foundation
import SiltaEvents
import SiltaMetrics

/// Options every report job shares (reports.md: `PERIODS`, `TZ_NAME`, `AS_OF`).
public struct ReportOptions: ParsableArguments, Sendable {
    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Period families to report: day, week, month (space- or comma-separated).", valueName: "families"))
    public var periods: [String] = ["day", "week", "month"]

    @Option(help: "Report time zone, an IANA name such as UTC or Europe/Helsinki.")
    public var timeZone = "UTC"

    @Option(help: "The as-of instant, RFC 3339 (default: the latest event). It filters nothing; it decides `complete`.")
    public var asOf: String?

    public init() {}

    /// The families asked for, in day, week, month order, each once.
    public var families: [PeriodFamily] {
        let words = periods.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }) }.map(String.init)
        return PeriodFamily.allCases.filter { f in words.contains(f.rawValue) }
    }

    /// The as-of instant in UTC epoch milliseconds, when given.
    public var asOfMilliseconds: Int64? { asOf.flatMap { RFC3339.parse($0) } }

    public mutating func validate() throws {
        let words = periods.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }) }.map(String.init)
        for w in words where PeriodFamily(rawValue: w) == nil {
            throw ValidationError("--periods takes day, week and month; \"\(w)\" is none of them.")
        }
        if words.isEmpty { throw ValidationError("--periods needs at least one of day, week, month.") }
        if TimeZone(identifier: timeZone) == nil {
            throw ValidationError(
                "--time-zone \"\(timeZone)\" is not a known IANA time zone (examples: UTC, Europe/Helsinki; see /usr/share/zoneinfo).")
        }
        if let asOf, !asOf.isEmpty, RFC3339.parse(asOf) == nil {
            throw ValidationError("--as-of \"\(asOf)\" is not an RFC 3339 timestamp such as 2026-11-28T21:15:02Z.")
        }
        if asOf?.isEmpty == true { asOf = nil }
    }
}

/// The community-links option (metrics.md "Community links"; make
/// `LINKS_MIN_SHARED`): `bridging` reads it, `nightly` passes it on.
public struct LinksOptions: ParsableArguments, Sendable {
    @Option(
        help: ArgumentHelp(
            "Community links: keep a pair of communities only with at least this many shared creators, or a share between them.",
            valueName: "n"))
    public var linksMinShared = 1

    public init() {}

    public mutating func validate() throws {
        if linksMinShared < 1 { throw ValidationError("--links-min-shared must be at least 1.") }
    }

    /// The arguments that give a child job this setting.
    public var arguments: [String] { ["--links-min-shared", String(linksMinShared)] }
}
