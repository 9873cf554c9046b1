import Dispatch
import SiltaEvents
import SiltaReports

/// What one community contributes to the organisation-wide reports in one period.
public struct CommunityPeriodSummary: Sendable {
    public var period: Int
    /// Distinct persons with any event (in no particular order).
    public var active: [UInt32] = []
    /// Distinct persons with a `post`, `reply` or `share` (in no particular order).
    public var creators: [UInt32] = []
    /// Shares made here of content created in another community: that
    /// community's id and how many.
    public var sharesFrom: [(community: UInt32, count: Int)] = []
}

/// Bridging between internal and external communities, and community links
/// (metrics.md "Bridging between internal and external communities" and
/// "Community links").
public enum Bridging {
    public static let bridgingColumns = [
        "internal_active", "external_active", "both_active", "internal_creators", "external_creators", "boundary_spanners",
        "advocacy_rate", "cross_community_shares", "internal_to_external_shares", "external_to_internal_shares",
    ]
    public static let linkColumns = ["shared_creators", "jaccard", "shares_a_to_b", "shares_b_to_a"]

    /// Per-worker scratch: one mark per person, to collect distinct persons without sorting.
    public final class Scratch {
        var mark: [UInt32]
        var epoch: UInt32 = 0

        public init(persons: Int) { mark = Array(repeating: 0, count: persons) }

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
    public static func summaries(
        of e: CommunityEvents, community: UInt32, families: [PeriodFamily], zone: ReportZone, scratch: Scratch
    ) -> [PeriodFamily: [CommunityPeriodSummary]] {
        guard e.count > 0 else { return [:] }
        let days = e.ts.map { zone.localDay($0) }
        var result: [PeriodFamily: [CommunityPeriodSummary]] = [:]
        for family in families {
            let period = days.map { family.index(ofLocalDay: $0) }
            var out: [CommunityPeriodSummary] = []
            for group in Engagement.groupByPeriod(period) {
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

    /// The bridging and community-links tables of one family.
    public static func tables(
        _ input: MetricsInput, family: PeriodFamily, summaries: [[CommunityPeriodSummary]?], settings: ReportSettings
    ) -> (bridging: ReportTable, links: ReportTable) {
        let kinds = input.snapshot.communityKinds
        // Every community's summary of each period.
        var byPeriod: [Int: [(UInt32, CommunityPeriodSummary)]] = [:]
        for (c, list) in summaries.enumerated() {
            for s in list ?? [] { byPeriod[s.period, default: []].append((UInt32(c), s)) }
        }
        var bridging = ReportTable(
            report: "bridging", period: family.adjective, columns: ["period_start", "complete"] + bridgingColumns)
        // Links can run to millions of rows: they are kept compact and turned
        // into cells only while the file is written.
        struct Link {
            var period: Int32
            var a: UInt32
            var b: UInt32
            var shared: Int32
            var union: Int32
            var ab: Int32
            var ba: Int32
        }
        var linkRows: [Link] = []
        // Per person: bit 1 internal active, 2 external active, 4 internal creator, 8 external creator.
        var flags = [UInt8](repeating: 0, count: input.snapshot.persons.count)
        var touched: [UInt32] = []
        for period in byPeriod.keys.sorted() {
            let members = byPeriod[period]!.sorted { input.reportRank[Int($0.0)] < input.reportRank[Int($1.0)] }
            // Bridging: who is active and who creates on each side.
            for p in touched { flags[Int(p)] = 0 }
            touched.removeAll(keepingCapacity: true)
            var crossShares = 0
            var internalToExternal = 0
            var externalToInternal = 0
            for (c, s) in members {
                let isInternal = kinds[Int(c)] == .internal
                for p in s.active {
                    if flags[Int(p)] == 0 { touched.append(p) }
                    flags[Int(p)] |= isInternal ? 1 : 2
                }
                for p in s.creators { flags[Int(p)] |= isInternal ? 4 : 8 }
                for (from, count) in s.sharesFrom {
                    crossShares += count
                    let fromInternal = kinds[Int(from)] == .internal
                    if !isInternal && fromInternal { internalToExternal += count }
                    if isInternal && !fromInternal { externalToInternal += count }
                }
            }
            var counts = [Int](repeating: 0, count: 6)
            for p in touched {
                let f = flags[Int(p)]
                if f & 1 != 0 { counts[0] += 1 }
                if f & 2 != 0 { counts[1] += 1 }
                if f & 3 == 3 { counts[2] += 1 }
                if f & 4 != 0 { counts[3] += 1 }
                if f & 8 != 0 { counts[4] += 1 }
                if f & 12 == 12 { counts[5] += 1 }
            }
            let head: [ReportValue] = [.date(family.firstDay(of: period)), .bool(settings.complete(family, period))]
            bridging.rows.append(
                head + counts.map { .integer($0) } + [
                    .ratio(Double(counts[5]), Double(counts[3])), .integer(crossShares), .integer(internalToExternal),
                    .integer(externalToInternal),
                ])

            // Links: shared creators and shares between each pair, A before B in report order.
            var creatorCount: [UInt32: Int] = [:]
            // (person, position of the community in report order), sorted: each
            // person's communities come together, in report order.
            var creatorships: [(UInt32, Int32)] = []
            for (k, (c, s)) in members.enumerated() {
                creatorCount[c] = s.creators.count
                for p in s.creators { creatorships.append((p, Int32(k))) }
            }
            creatorships.sort { ($0.0, $0.1) < ($1.0, $1.1) }
            struct Pair: Hashable {
                var a: UInt32
                var b: UInt32
            }
            var shared: [Pair: Int] = [:]
            var sharesAB: [Pair: (Int, Int)] = [:]
            var start = 0
            while start < creatorships.count {
                var end = start + 1
                while end < creatorships.count && creatorships[end].0 == creatorships[start].0 { end += 1 }
                if end - start > 1 {
                    for x in start..<end {
                        for y in (x + 1)..<end {
                            let a = members[Int(creatorships[x].1)].0
                            let b = members[Int(creatorships[y].1)].0
                            shared[Pair(a: a, b: b), default: 0] += 1
                        }
                    }
                }
                start = end
            }
            for (c, s) in members {
                for (from, count) in s.sharesFrom {
                    if input.reportRank[Int(from)] < input.reportRank[Int(c)] {
                        sharesAB[Pair(a: from, b: c), default: (0, 0)].0 += count
                    } else {
                        sharesAB[Pair(a: c, b: from), default: (0, 0)].1 += count
                    }
                }
            }
            let pairs = Set(shared.keys).union(sharesAB.keys).sorted {
                (input.reportRank[Int($0.a)], input.reportRank[Int($0.b)]) < (input.reportRank[Int($1.a)], input.reportRank[Int($1.b)])
            }
            for pair in pairs {
                let s = shared[pair] ?? 0
                let union = (creatorCount[pair.a] ?? 0) + (creatorCount[pair.b] ?? 0) - s
                let (ab, ba) = sharesAB[pair] ?? (0, 0)
                linkRows.append(
                    Link(
                        period: Int32(period), a: pair.a, b: pair.b, shared: Int32(s), union: Int32(union), ab: Int32(ab),
                        ba: Int32(ba)))
            }
        }
        let kindCell = input.kindCell
        let nameCell = input.nameCell
        let rows = linkRows
        let links = ReportTable(
            report: "community_links", period: family.adjective,
            columns: ["period_start", "complete", "kind_a", "community_a", "kind_b", "community_b"] + linkColumns,
            count: rows.count
        ) { i in
            let l = rows[i]
            let period = Int(l.period)
            return [
                .date(family.firstDay(of: period)), .bool(settings.complete(family, period)),
                kindCell[Int(l.a)], nameCell[Int(l.a)], kindCell[Int(l.b)], nameCell[Int(l.b)],
                .integer(Int(l.shared)), .ratio(Double(l.shared), Double(l.union)), .integer(Int(l.ab)), .integer(Int(l.ba)),
            ]
        }
        return (bridging, links)
    }
}

/// The `bridging_*` and `community_links_*` tables.
public enum BridgingReport {
    public static func tables(_ input: MetricsInput, settings: ReportSettings) -> [ReportTable] {
        let persons = input.snapshot.persons.count
        let perCommunity = CommunityWorkers.map(input, workers: settings.workers, makeState: { Bridging.Scratch(persons: persons) }) {
            c, scratch in
            Bridging.summaries(
                of: input.events(of: c), community: c, families: settings.families, zone: settings.zone, scratch: scratch)
        }
        // The families are independent: one worker each.
        let families = settings.families
        let slots = ResultSlots<(ReportTable, ReportTable)>(count: families.count)
        DispatchQueue.concurrentPerform(iterations: families.count) { k in
            slots.set(k, Bridging.tables(input, family: families[k], summaries: perCommunity.map { $0?[families[k]] }, settings: settings))
        }
        return slots.results.flatMap { [$0!.0, $0!.1] }
    }
}
