import SiltaReports

/// The `engagement_daily|weekly|monthly` tables.
package enum EngagementReport {
    package static func tables(_ input: MetricsInput, settings: ReportSettings) -> [ReportTable] {
        let replies = ReplyIndex(input: input)
        let persons = input.personCount
        let perCommunity = CommunityWorkers.map(input, workers: settings.workers, scratch: Engagement.Scratch(persons: persons)) {
            c, scratch in
            Engagement.rows(
                of: input.events(of: c), community: c, families: settings.families, zone: settings.zone, replies: replies,
                scratch: scratch, kept: settings.isKept)
        }
        return settings.families.map { family in
            let rows = perCommunity.flatMap { $0?[family] ?? [] }
            return input.communityTable(
                report: "engagement", family: family, metricColumns: Engagement.columns.names(), rows: rows, settings: settings)
        }
    }
}
