import SiltaEvents
import SiltaReports

/// Community links per period (metrics.md "Community links"): each pair of
/// communities that shares creators, or content through shares.
package enum CommunityLinks {
    /// The columns of `community_links_*` after the pair's identity, in
    /// metrics.md's order: each name next to its formula over one pair's ``Figures``.
    package static let columns: [MetricColumn<Figures>] = [
        MetricColumn("shared_creators") { .integer($0.sharedCreators) },
        MetricColumn("jaccard") { share($0.sharedCreators, of: $0.creatorsOfEither) },
        MetricColumn("shares_a_to_b") { .integer($0.sharesAToB) },
        MetricColumn("shares_b_to_a") { .integer($0.sharesBToA) },
    ]

    /// What one pair of communities (A before B in report order) shares in a period.
    package struct Figures: Sendable {
        /// Persons who create in both A and B.
        package var sharedCreators: Int
        /// Persons who create in A or B.
        package var creatorsOfEither: Int
        /// Shares in B of content created in A.
        package var sharesAToB: Int
        /// Shares in A of content created in B.
        package var sharesBToA: Int
    }

    /// The community-links table of one family, streamed: made period by
    /// period, community by community, while the file is written, so that
    /// memory grows with the creators of one period and the number of
    /// communities, never with the number of pairs.
    /// - Parameter minShared: a pair is a row when it has at least this many
    ///   shared creators, or a share between its communities (1: every pair
    ///   with either).
    package static func table(
        _ input: MetricsInput, family: PeriodFamily, periods: [Int], members byPeriod: [Int: [(UInt32, CommunityPeriodSummary)]],
        settings: ReportSettings, minShared: Int
    ) -> ReportTable {
        ReportTable(
            report: "community_links", period: family.adjective,
            columns: ["period_start", "complete", "kind_a", "community_a", "kind_b", "community_b"] + columns.names()
        ) { emit in
            var pairs = LinkPairs(input: input)
            for period in periods {
                try pairs.emitRows(of: byPeriod[period]!, minShared: minShared, input: input) { a, b, figures in
                    try emit(
                        columns.row(
                            [
                                .date(family.firstDay(of: period)), .bool(settings.complete(family, period)),
                                input.kindCell[Int(a)], input.nameCell[Int(a)], input.kindCell[Int(b)], input.nameCell[Int(b)],
                            ], figures))
                }
            }
        }
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

    /// Calls `row(a, b, figures)` for each pair
    /// of the period that passes `minShared`, A before B in report order.
    /// - Parameter members: the period's communities with their summaries.
    mutating func emitRows(
        of members: [(UInt32, CommunityPeriodSummary)], minShared: Int, input: MetricsInput,
        row: (UInt32, UInt32, CommunityLinks.Figures) throws -> Void
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
                    let figures = CommunityLinks.Figures(
                        sharedCreators: n, creatorsOfEither: creatorsA + (creatorCount[rb] ?? 0) - n, sharesAToB: ab, sharesBToA: ba)
                    try row(byRank[Int(ra)], byRank[b], figures)
                }
                shared[b] = 0
                sharesAB[b] = 0
                sharesBA[b] = 0
            }
            partners.removeAll(keepingCapacity: true)
        }
    }
}
