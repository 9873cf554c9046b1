import SiltaEvents
import SiltaReports

/// Social capital per community and period (metrics.md "Social capital"):
/// the measures of the interaction graph of each period.
package enum SocialCapital {
    /// The columns of `social_capital_*`, in metrics.md's order: each name
    /// next to the measure of the period's graph it shows.
    package static let columns: [MetricColumn<InteractionGraph.Measures>] = [
        MetricColumn("nodes") { .integer($0.nodes) },
        MetricColumn("edges") { .integer($0.edges) },
        MetricColumn("interactions") { .integer($0.interactions) },
        MetricColumn("density") { $0.density.map { .number($0) } ?? .empty },
        MetricColumn("reciprocity") { .number($0.reciprocity) },
        MetricColumn("transitivity") { .number($0.transitivity) },
        MetricColumn("avg_clustering") { .number($0.averageClustering) },
        MetricColumn("components") { .integer($0.components) },
        MetricColumn("largest_component_share") { .number($0.largestComponentShare) },
        MetricColumn("mean_constraint") { .number($0.meanConstraint) },
        MetricColumn("mean_effective_size") { .number($0.meanEffectiveSize) },
        MetricColumn("bonding_index") { .number($0.bondingIndex) },
        MetricColumn("bridging_index") { .number($0.bridgingIndex) },
    ]

    /// Per-worker scratch: a person-to-node map as large as the number of
    /// persons (-1 where unmapped), reset after each graph.
    package final class Scratch {
        var nodeOf: [Int32]

        package init(persons: Int) { nodeOf = Array(repeating: -1, count: persons) }
    }

    /// The interactions `(source, target)` of each period that has any,
    /// with persons as local node indices, and the node count.
    package static func interactions(
        of e: CommunityEvents, family: PeriodFamily, days: [Int], scratch: Scratch
    ) -> [(period: Int, pairs: [(Int32, Int32)], nodes: Int, persons: [UInt32])] {
        guard e.count > 0 else { return [] }
        let period = days.map { family.index(ofLocalDay: $0) }
        var out: [(Int, [(Int32, Int32)], Int, [UInt32])] = []
        for group in PeriodGroups.of(period) {
            var persons: [UInt32] = []
            var pairs: [(Int32, Int32)] = []
            func node(_ p: UInt32) -> Int32 {
                let l = scratch.nodeOf[Int(p)]
                if l >= 0 { return l }
                let new = Int32(persons.count)
                scratch.nodeOf[Int(p)] = new
                persons.append(p)
                return new
            }
            for i in group.events {
                e.forEachInteraction(i) { a, b in pairs.append((node(a), node(b))) }
            }
            for p in persons { scratch.nodeOf[Int(p)] = -1 }
            if !pairs.isEmpty { out.append((group.period, pairs, persons.count, persons)) }
        }
        return out
    }

    /// The graph of each period with at least one interaction.
    package static func graphs(
        of e: CommunityEvents, family: PeriodFamily, days: [Int], scratch: Scratch
    ) -> [(period: Int, graph: InteractionGraph)] {
        interactions(of: e, family: family, days: days, scratch: scratch).map {
            ($0.period, InteractionGraph(interactions: $0.pairs, nodeCount: $0.nodes))
        }
    }

    /// The rows of one community for each family.
    /// - Parameter workers: threads a dense graph's measures may use.
    /// - Parameter kept: whether a period's row is kept from last night's
    ///   report (``ReportSettings/isKept(_:_:)``): it is then a placeholder,
    ///   and its graph is neither built nor measured.
    package static func rows(
        of e: CommunityEvents, community: UInt32, families: [PeriodFamily], zone: ReportZone, scratch: Scratch, workers: Int = 1,
        kept: (PeriodFamily, Int) -> Bool = { _, _ in false }
    ) -> [PeriodFamily: [MetricRow]] {
        let days = e.ts.map { zone.localDay($0) }
        var result: [PeriodFamily: [MetricRow]] = [:]
        for family in families {
            result[family] = interactions(of: e, family: family, days: days, scratch: scratch).map { g in
                if kept(family, g.period) { return MetricRow(period: g.period, community: community, values: []) }
                let graph = InteractionGraph(interactions: g.pairs, nodeCount: g.nodes)
                return MetricRow(period: g.period, community: community, values: columns.cells(graph.measures(workers: workers)))
            }
        }
        return result
    }
}

/// The `social_capital_daily|weekly|monthly` tables.
package enum SocialCapitalReport {
    package static func tables(_ input: MetricsInput, settings: ReportSettings) -> [ReportTable] {
        let persons = input.personCount
        let perCommunity = CommunityWorkers.map(input, workers: settings.workers, scratch: SocialCapital.Scratch(persons: persons)) {
            c, scratch in
            SocialCapital.rows(
                of: input.events(of: c), community: c, families: settings.families, zone: settings.zone, scratch: scratch,
                workers: settings.workers, kept: settings.isKept)
        }
        return settings.families.map { family in
            input.communityTable(
                report: "social_capital", family: family, metricColumns: SocialCapital.columns.names(),
                rows: perCommunity.flatMap { $0?[family] ?? [] }, settings: settings)
        }
    }
}
