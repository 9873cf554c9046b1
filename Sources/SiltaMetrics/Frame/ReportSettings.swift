import SiltaEvents
import SiltaReports

/// Everything a report job's computation is told: the periods it reports,
/// the workers it may use, and the settings of single reports.
package struct ReportSettings: Sendable {
    package var families: [PeriodFamily]
    package var zone: ReportZone
    /// The as-of instant: `--as-of`, or the latest event; `nil` without events.
    package var asOf: Int64?
    package var workers: Int
    /// Community links: the shared creators a pair needs without a share
    /// (`--links-min-shared`; metrics.md "Community links").
    package var linksMinShared = 1
    /// How the people report names persons (`--people-ids`, `--people-key`;
    /// docs/people.md); `nil` for the other reports.
    package var peopleIds: PeopleIds?
    /// Per family, the first period whose rows are written tonight: the
    /// rows before it are kept from last night's files (docs/warehouse.md
    /// "Kept reports"), so a job may make them as placeholders, with the
    /// right period and community and no metric cells, and skip their
    /// measures. Absent for a family written in full.
    package var writtenFrom: [PeriodFamily: Int] = [:]

    package init(families: [PeriodFamily], zone: ReportZone, asOf: Int64?, workers: Int) {
        self.families = families
        self.zone = zone
        self.asOf = asOf
        self.workers = workers
    }

    /// Settings for `input`: the zone covers every event and the as-of instant.
    package static func make(
        input: MetricsInput, families: [PeriodFamily], timeZone: String, asOf: Int64?, workers: Int
    ) throws -> ReportSettings {
        let latest = input.timeRange?.upperBound
        let effectiveAsOf = asOf ?? latest
        var lo = input.timeRange?.lowerBound ?? 0
        var hi = input.timeRange?.upperBound ?? 0
        if let a = effectiveAsOf {
            lo = min(lo, a)
            hi = max(hi, a)
        }
        let zone = try ReportZone(identifier: timeZone, covering: lo...hi)
        var settings = ReportSettings(families: families.sorted(), zone: zone, asOf: effectiveAsOf, workers: workers)
        settings.identities = input.identities?.used
        return settings
    }

    /// The identity file applied, for the JSON twins.
    package var identities: IdentitiesUsed?

    package var context: ReportContext {
        ReportContext(timeZone: zone.identifier, asOf: asOf, identities: identities, peopleIds: peopleIds?.name)
    }

    /// True when the rows of `period` of `family` are kept, not written
    /// (``writtenFrom``): their metric cells are never read.
    @inline(__always)
    package func isKept(_ family: PeriodFamily, _ period: Int) -> Bool {
        guard let from = writtenFrom[family] else { return false }
        return period < from
    }

    /// `complete`: the period's end is at or before the as-of instant.
    package func complete(_ family: PeriodFamily, _ period: Int) -> Bool {
        guard let asOf else { return false }
        return family.end(of: period, in: zone) <= asOf
    }
}

extension MetricsInput {
    /// Rows sorted by period, then community in report order, with the
    /// identity columns `period_start`, `complete`, `kind`, `community` in front.
    package func communityTable(
        report: String, family: PeriodFamily, metricColumns: [String], rows: [MetricRow], settings: ReportSettings
    ) -> ReportTable {
        let sorted = rows.sorted { ($0.period, reportRank[Int($0.community)]) < ($1.period, reportRank[Int($1.community)]) }
        var table = ReportTable(
            report: report, period: family.adjective, columns: ["period_start", "complete", "kind", "community"] + metricColumns)
        table.rows = sorted.map { r in
            [
                .date(family.firstDay(of: r.period)), .bool(settings.complete(family, r.period)),
                kindCell[Int(r.community)], nameCell[Int(r.community)],
            ] + r.values
        }
        return table
    }
}
