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

    /// The bridging and community-links tables of one family. The links are
    /// streamed: made period by period, community by community, while the
    /// file is written, so that memory grows with the creators of one period
    /// and the number of communities, never with the number of pairs.
    /// - Parameter linksMinShared: a pair is a row when it has at least this
    ///   many shared creators, or a share between its communities (1: every
    ///   pair with either).
    public static func tables(
        _ input: MetricsInput, family: PeriodFamily, summaries: [[CommunityPeriodSummary]?], settings: ReportSettings,
        linksMinShared: Int = 1
    ) -> (bridging: ReportTable, links: ReportTable) {
        let kinds = input.snapshot.communityKinds
        // Every community's summary of each period, in report order.
        var byPeriod: [Int: [(UInt32, CommunityPeriodSummary)]] = [:]
        for (c, list) in summaries.enumerated() {
            for s in list ?? [] { byPeriod[s.period, default: []].append((UInt32(c), s)) }
        }
        let periods = byPeriod.keys.sorted()
        for p in periods { byPeriod[p]!.sort { input.reportRank[Int($0.0)] < input.reportRank[Int($1.0)] } }
        var bridging = ReportTable(
            report: "bridging", period: family.adjective, columns: ["period_start", "complete"] + bridgingColumns)
        // Per person: bit 1 internal active, 2 external active, 4 internal creator, 8 external creator.
        var flags = [UInt8](repeating: 0, count: input.snapshot.persons.count)
        var touched: [UInt32] = []
        for period in periods {
            let members = byPeriod[period]!
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
            var internalActive = 0, externalActive = 0, bothActive = 0
            var internalCreators = 0, externalCreators = 0, spanners = 0
            for p in touched {
                let f = flags[Int(p)]
                if f & 1 != 0 { internalActive += 1 }
                if f & 2 != 0 { externalActive += 1 }
                if f & 3 == 3 { bothActive += 1 }
                if f & 4 != 0 { internalCreators += 1 }
                if f & 8 != 0 { externalCreators += 1 }
                if f & 12 == 12 { spanners += 1 }
            }
            bridging.rows.append([
                .date(family.firstDay(of: period)), .bool(settings.complete(family, period)),
                .integer(internalActive), .integer(externalActive), .integer(bothActive), .integer(internalCreators),
                .integer(externalCreators), .integer(spanners), .ratio(Double(spanners), Double(internalCreators)),
                .integer(crossShares), .integer(internalToExternal), .integer(externalToInternal),
            ])
        }
        let grouped = byPeriod
        let links = ReportTable(
            report: "community_links", period: family.adjective,
            columns: ["period_start", "complete", "kind_a", "community_a", "kind_b", "community_b"] + linkColumns
        ) { emit in
            var pairs = LinkPairs(input: input)
            for period in periods {
                try pairs.emitRows(
                    of: grouped[period]!, minShared: linksMinShared, input: input
                ) { a, b, shared, union, ab, ba in
                    try emit([
                        .date(family.firstDay(of: period)), .bool(settings.complete(family, period)),
                        input.kindCell[Int(a)], input.nameCell[Int(a)], input.kindCell[Int(b)], input.nameCell[Int(b)],
                        .integer(shared), .ratio(Double(shared), Double(union)), .integer(ab), .integer(ba),
                    ])
                }
            }
        }
        return (bridging, links)
    }
}

/// The community pairs of one period, made one community (A) at a time in
/// report order: for each creator of A, every later community the creator
/// also creates in gets one more shared creator, in a dense counter indexed
/// by report rank; A's pairs are then sorted and handed on, and the counters
/// cleared. Memory: the period's creatorships and shares, and three arrays
/// the size of the community count.
/// - Complexity: O(sum over creators of the square of their communities),
///   plus the sort of each community's partners.
struct LinkPairs {
    private var shared: [Int32]
    private var sharesAB: [Int32]
    private var sharesBA: [Int32]
    private var partners: [Int32] = []
    /// Report rank to community id.
    private let byRank: [UInt32]

    init(input: MetricsInput) {
        let n = input.communityCount
        shared = Array(repeating: 0, count: n)
        sharesAB = Array(repeating: 0, count: n)
        sharesBA = Array(repeating: 0, count: n)
        var byRank = [UInt32](repeating: 0, count: n)
        for c in 0..<n { byRank[Int(input.reportRank[c])] = UInt32(c) }
        self.byRank = byRank
    }

    /// Calls `row(a, b, shared, union, sharesAToB, sharesBToA)` for each pair
    /// of the period that passes `minShared`, A before B in report order.
    /// - Parameter members: the period's communities with their summaries.
    mutating func emitRows(
        of members: [(UInt32, CommunityPeriodSummary)], minShared: Int, input: MetricsInput,
        row: (UInt32, UInt32, Int, Int, Int, Int) throws -> Void
    ) rethrows {
        let rank = input.reportRank
        var creatorCount: [Int32: Int] = [:]
        var creatorsByRank: [Int32: [UInt32]] = [:]
        // Each person's communities (ranks, ascending), found from `personStart`.
        var creatorships: [(person: UInt32, rank: Int32)] = []
        for (c, s) in members {
            let r = Int32(rank[Int(c)])
            creatorCount[r] = s.creators.count
            creatorsByRank[r] = s.creators
            for p in s.creators { creatorships.append((p, r)) }
        }
        creatorships.sort { ($0.person, $0.rank) < ($1.person, $1.rank) }
        var personStart: [UInt32: Int] = [:]
        var i = 0
        while i < creatorships.count {
            var j = i + 1
            while j < creatorships.count && creatorships[j].person == creatorships[i].person { j += 1 }
            if j - i > 1 { personStart[creatorships[i].person] = i }
            i = j
        }
        // Shares between two communities, filed under the earlier one (A); the
        // source of a share need not have an event in the period.
        var sharesOf: [Int32: [(partner: Int32, aToB: Int32, bToA: Int32)]] = [:]
        for (c, s) in members {
            let here = Int32(rank[Int(c)])
            for (from, count) in s.sharesFrom {
                let there = Int32(rank[Int(from)])
                if there < here {
                    sharesOf[there, default: []].append((here, Int32(count), 0))
                } else {
                    sharesOf[here, default: []].append((there, 0, Int32(count)))
                }
            }
        }
        let rows = Set(creatorCount.keys).union(sharesOf.keys).sorted()
        for ra in rows {
            func touch(_ rb: Int32) {
                let b = Int(rb)
                if shared[b] == 0 && sharesAB[b] == 0 && sharesBA[b] == 0 { partners.append(rb) }
            }
            for p in creatorsByRank[ra] ?? [] {
                guard let start = personStart[p] else { continue }
                var x = start
                while x < creatorships.count && creatorships[x].person == p {
                    let rb = creatorships[x].rank
                    if rb > ra {
                        touch(rb)
                        shared[Int(rb)] += 1
                    }
                    x += 1
                }
            }
            for (rb, ab, ba) in sharesOf[ra] ?? [] {
                touch(rb)
                sharesAB[Int(rb)] += ab
                sharesBA[Int(rb)] += ba
            }
            partners.sort()
            let creatorsA = creatorCount[ra] ?? 0
            for rb in partners {
                let b = Int(rb)
                let n = Int(shared[b])
                let ab = Int(sharesAB[b])
                let ba = Int(sharesBA[b])
                if n >= minShared || ab + ba > 0 {
                    try row(byRank[Int(ra)], byRank[b], n, creatorsA + (creatorCount[rb] ?? 0) - n, ab, ba)
                }
                shared[b] = 0
                sharesAB[b] = 0
                sharesBA[b] = 0
            }
            partners.removeAll(keepingCapacity: true)
        }
    }
}

/// The `bridging_*` and `community_links_*` tables.
public enum BridgingReport {
    /// - Parameter linksMinShared: `--links-min-shared` (metrics.md "Community links").
    public static func tables(_ input: MetricsInput, settings: ReportSettings, linksMinShared: Int = 1) -> [ReportTable] {
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
            slots.set(
                k,
                Bridging.tables(
                    input, family: families[k], summaries: perCommunity.map { $0?[families[k]] }, settings: settings,
                    linksMinShared: linksMinShared))
        }
        return slots.results.flatMap { [$0!.0, $0!.1] }
    }
}
