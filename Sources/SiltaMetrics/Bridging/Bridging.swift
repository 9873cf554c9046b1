import Dispatch
import SiltaEvents
import SiltaReports

/// What one community contributes to the organisation-wide reports in one period.
package struct CommunityPeriodSummary: Sendable {
    package var period: Int
    /// Distinct persons with any event (in no particular order).
    package var active: [UInt32] = []
    /// Distinct persons with a `post`, `reply` or `share` (in no particular order).
    package var creators: [UInt32] = []
    /// Shares made here of content created in another community: that
    /// community's id and how many.
    package var sharesFrom: [(community: UInt32, count: Int)] = []
}

/// Bridging between internal and external communities (metrics.md
/// "Bridging between internal and external communities"), from each
/// community's ``CommunityPeriodSummary``, which community links share.
package enum Bridging {
    /// The columns of `bridging_*`, in metrics.md's order: each name next to
    /// its formula over one period's ``Figures``.
    package static let columns: [MetricColumn<Figures>] = [
        MetricColumn("internal_active") { .integer($0.internalActive) },
        MetricColumn("external_active") { .integer($0.externalActive) },
        MetricColumn("both_active") { .integer($0.bothActive) },
        MetricColumn("internal_creators") { .integer($0.internalCreators) },
        MetricColumn("external_creators") { .integer($0.externalCreators) },
        MetricColumn("boundary_spanners") { .integer($0.boundarySpanners) },
        MetricColumn("advocacy_rate") { share($0.boundarySpanners, of: $0.internalCreators) },
        MetricColumn("cross_community_shares") { .integer($0.crossCommunityShares) },
        MetricColumn("internal_to_external_shares") { .integer($0.internalToExternalShares) },
        MetricColumn("external_to_internal_shares") { .integer($0.externalToInternalShares) },
    ]

    /// What the whole organisation's period adds up to: the named figures
    /// the ``columns`` are computed from.
    package struct Figures: Sendable {
        /// Distinct persons with any event in an internal community.
        package var internalActive = 0
        /// Distinct persons with any event in an external community.
        package var externalActive = 0
        /// Persons active on both sides.
        package var bothActive = 0
        /// Distinct persons who create in an internal community.
        package var internalCreators = 0
        /// Distinct persons who create in an external community.
        package var externalCreators = 0
        /// Persons who create on both sides.
        package var boundarySpanners = 0
        /// Shares of content created in another community.
        package var crossCommunityShares = 0
        /// Shares made in an external community of content from an internal one.
        package var internalToExternalShares = 0
        /// Shares made in an internal community of content from an external one.
        package var externalToInternalShares = 0

        package init() {}
    }

    /// Where a person was seen in the period being counted: bits of a byte per person.
    enum Side {
        static let internalActive: UInt8 = 1
        static let externalActive: UInt8 = 2
        static let internalCreator: UInt8 = 4
        static let externalCreator: UInt8 = 8
    }

    /// Per-worker scratch: one mark per person, to collect distinct persons without sorting.
    package final class Scratch {
        var mark: [UInt32]
        var epoch: UInt32 = 0

        package init(persons: Int) { mark = Array(repeating: 0, count: persons) }

        /// A fresh mark value (all marks are cleared when the counter wraps).
        func next() -> UInt32 {
            if epoch == .max {
                for i in mark.indices { mark[i] = 0 }
                epoch = 0
            }
            epoch += 1
            return epoch
        }
    }

    /// The per-period summaries of one community for each family.
    package static func summaries(
        of e: CommunityEvents, community: UInt32, families: [PeriodFamily], zone: ReportZone, scratch: Scratch
    ) -> [PeriodFamily: [CommunityPeriodSummary]] {
        guard e.count > 0 else { return [:] }
        let days = e.ts.map { zone.localDay($0) }
        var result: [PeriodFamily: [CommunityPeriodSummary]] = [:]
        for family in families {
            let period = days.map { family.index(ofLocalDay: $0) }
            var out: [CommunityPeriodSummary] = []
            for group in PeriodGroups.of(period) {
                var s = CommunityPeriodSummary(period: group.period)
                var shares: [UInt32: Int] = [:]
                let activeMark = scratch.next()
                for i in group.events {
                    let p = Int(e.actor[i])
                    if scratch.mark[p] != activeMark {
                        scratch.mark[p] = activeMark
                        s.active.append(e.actor[i])
                    }
                    let type = EventType(rawValue: e.type[i])!
                    if type == .share {
                        let from = e.parentCommunity[i]
                        if from != MetricsInput.none && from != community { shares[from, default: 0] += 1 }
                    }
                }
                let creatorMark = scratch.next()
                for i in group.events where EventType(rawValue: e.type[i])!.createsContent {
                    let p = Int(e.actor[i])
                    if scratch.mark[p] != creatorMark {
                        scratch.mark[p] = creatorMark
                        s.creators.append(e.actor[i])
                    }
                }
                s.sharesFrom = shares.keys.sorted().map { ($0, shares[$0]!) }
                out.append(s)
            }
            result[family] = out
        }
        return result
    }

    /// Every community's summary of each period, in report order, and the
    /// periods ascending: what the bridging and the links tables both walk.
    package static func byPeriod(
        _ input: MetricsInput, summaries: [[CommunityPeriodSummary]?]
    ) -> (periods: [Int], members: [Int: [(UInt32, CommunityPeriodSummary)]]) {
        var byPeriod: [Int: [(UInt32, CommunityPeriodSummary)]] = [:]
        for (c, list) in summaries.enumerated() {
            for s in list ?? [] { byPeriod[s.period, default: []].append((UInt32(c), s)) }
        }
        let periods = byPeriod.keys.sorted()
        for p in periods { byPeriod[p]!.sort { input.reportRank[Int($0.0)] < input.reportRank[Int($1.0)] } }
        return (periods, byPeriod)
    }

    /// The bridging table of one family.
    package static func table(
        _ input: MetricsInput, family: PeriodFamily, periods: [Int], members byPeriod: [Int: [(UInt32, CommunityPeriodSummary)]],
        settings: ReportSettings
    ) -> ReportTable {
        let kinds = input.snapshot.communityKinds
        var bridging = ReportTable(
            report: "bridging", period: family.adjective, columns: ["period_start", "complete"] + columns.names())
        var sides = [UInt8](repeating: 0, count: input.personCount)
        var touched: [UInt32] = []
        for period in periods {
            // Who is active and who creates on each side.
            for p in touched { sides[Int(p)] = 0 }
            touched.removeAll(keepingCapacity: true)
            var f = Figures()
            for (c, s) in byPeriod[period]! {
                let isInternal = kinds[Int(c)] == .internal
                for p in s.active {
                    if sides[Int(p)] == 0 { touched.append(p) }
                    sides[Int(p)] |= isInternal ? Side.internalActive : Side.externalActive
                }
                for p in s.creators { sides[Int(p)] |= isInternal ? Side.internalCreator : Side.externalCreator }
                for (from, count) in s.sharesFrom {
                    f.crossCommunityShares += count
                    let fromInternal = kinds[Int(from)] == .internal
                    if !isInternal && fromInternal { f.internalToExternalShares += count }
                    if isInternal && !fromInternal { f.externalToInternalShares += count }
                }
            }
            for p in touched {
                let side = sides[Int(p)]
                let active = (inside: side & Side.internalActive != 0, outside: side & Side.externalActive != 0)
                let creates = (inside: side & Side.internalCreator != 0, outside: side & Side.externalCreator != 0)
                if active.inside { f.internalActive += 1 }
                if active.outside { f.externalActive += 1 }
                if active.inside && active.outside { f.bothActive += 1 }
                if creates.inside { f.internalCreators += 1 }
                if creates.outside { f.externalCreators += 1 }
                if creates.inside && creates.outside { f.boundarySpanners += 1 }
            }
            bridging.rows.append(columns.row([.date(family.firstDay(of: period)), .bool(settings.complete(family, period))], f))
        }
        return bridging
    }
}
