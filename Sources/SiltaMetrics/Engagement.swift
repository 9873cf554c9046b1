import SiltaEvents
import SiltaReports

/// One row of an engagement report before its identity columns are added.
public struct MetricRow: Sendable {
    /// The period's index in its family.
    public var period: Int
    /// The community id (``MetricsInput/none`` for organisation-wide rows).
    public var community: UInt32
    /// The metric columns, in the report's order.
    public var values: [ReportValue]
}

/// Engagement per community and period (metrics.md "Engagement").
public enum Engagement {
    /// The metric columns, in metrics.md's order.
    public static let columns = [
        "events", "views", "posts", "replies", "reactions", "shares", "joins", "leaves",
        "active_users", "creators", "reactors", "lurkers", "members", "new_members",
        "lurker_share", "retention_rate", "response_rate", "median_response_s",
        "new_creators", "core_creators", "creator_gini", "interactions", "unresolved_parents",
    ]

    /// Per-worker scratch: a person-to-local-index map as large as the
    /// number of persons, reused from community to community.
    public final class Scratch {
        var localOf: [Int32]

        public init(persons: Int) { localOf = Array(repeating: -1, count: persons) }
    }

    /// The rows of one community for each family.
    /// - Complexity: O(n log n) for n events (sorting within a period for the
    ///   creator measures), O(n) otherwise per family.
    public static func rows(
        of e: CommunityEvents, community: UInt32, families: [PeriodFamily], zone: ReportZone, replies: ReplyIndex,
        scratch: Scratch
    ) -> [PeriodFamily: [MetricRow]] {
        let n = e.count
        guard n > 0 else { return [:] }
        // Community-local person indices.
        var local = [Int32](repeating: 0, count: n)
        var persons: [UInt32] = []
        for i in 0..<n {
            let p = Int(e.actor[i])
            if scratch.localOf[p] < 0 {
                scratch.localOf[p] = Int32(persons.count)
                persons.append(UInt32(p))
            }
            local[i] = scratch.localOf[p]
        }
        defer { for p in persons { scratch.localOf[Int(p)] = -1 } }
        let days = e.ts.map { zone.localDay($0) }

        var result: [PeriodFamily: [MetricRow]] = [:]
        for family in families {
            let period = days.map { family.index(ofLocalDay: $0) }
            result[family] = familyRows(
                e, community: community, local: local, personCount: persons.count, period: period, family: family, zone: zone,
                replies: replies)
        }
        return result
    }

    /// Groups event indices by period (stable: time order within a period), periods ascending.
    static func groupByPeriod(_ period: [Int]) -> [(period: Int, events: ArraySlice<Int>)] {
        let n = period.count
        let lo = period.min()!
        let hi = period.max()!
        var order: [Int]
        var bounds: [(Int, Int, Int)] = []  // period, start, end
        if hi - lo <= 4 * n + 4096 {
            var counts = [Int](repeating: 0, count: hi - lo + 2)
            for p in period { counts[p - lo + 1] += 1 }
            for k in 1..<counts.count { counts[k] += counts[k - 1] }
            order = [Int](repeating: 0, count: n)
            var next = counts
            for i in 0..<n {
                let k = period[i] - lo
                order[next[k]] = i
                next[k] += 1
            }
            for k in 0..<(hi - lo + 1) where counts[k + 1] > counts[k] { bounds.append((lo + k, counts[k], counts[k + 1])) }
        } else {
            order = (0..<n).sorted { (period[$0], $0) < (period[$1], $1) }
            var start = 0
            for k in 1...n where k == n || period[order[k]] != period[order[start]] {
                bounds.append((period[order[start]], start, k))
                start = k
            }
        }
        return bounds.map { ($0.0, order[$0.1..<$0.2]) }
    }

    static func familyRows(
        _ e: CommunityEvents, community: UInt32, local: [Int32], personCount: Int, period: [Int], family: PeriodFamily,
        zone: ReportZone, replies: ReplyIndex
    ) -> [MetricRow] {
        let n = e.count
        let none = MetricsInput.none
        // The period of each person's first event, and of their first creation.
        var firstPeriod = [Int](repeating: .min, count: personCount)
        var firstCreatePeriod = [Int](repeating: .min, count: personCount)
        for i in 0..<n {
            let p = Int(local[i])
            if firstPeriod[p] == .min { firstPeriod[p] = period[i] }
            if EventType(rawValue: e.type[i])!.createsContent && firstCreatePeriod[p] == .min { firstCreatePeriod[p] = period[i] }
        }
        var lastActive = [Int](repeating: .min, count: personCount)
        var flags = [UInt8](repeating: 0, count: personCount)
        var createCount = [Int](repeating: 0, count: personCount)
        var isMember = [Bool](repeating: false, count: personCount)
        var memberCount = 0
        var sweep = 0

        var rows: [MetricRow] = []
        var previous: (period: Int, active: Int)? = nil
        for group in groupByPeriod(period) {
            let P = group.period
            var byType = [Int](repeating: 0, count: EventType.allCases.count)
            var active: [Int32] = []
            var retained = 0
            var posts = 0
            var delays: [Int64] = []
            var interactions = 0
            var unresolved = 0
            for i in group.events {
                let type = EventType(rawValue: e.type[i])!
                byType[Int(type.rawValue)] += 1
                let p = Int(local[i])
                if lastActive[p] != P {
                    if lastActive[p] == P - 1 { retained += 1 }
                    lastActive[p] = P
                    flags[p] = 0
                    createCount[p] = 0
                    active.append(Int32(p))
                }
                if type.createsContent {
                    flags[p] |= 1
                    createCount[p] += 1
                } else if type == .react {
                    flags[p] |= 2
                }
                if type == .post {
                    posts += 1
                    if let d = replies.firstResponse(content: e.content[i], postActor: e.actor[i], postTs: e.ts[i]) {
                        delays.append(d)
                    }
                }
                if type.needsParent {
                    let author = e.parentAuthor[i]
                    if author == none {
                        unresolved += 1
                    } else if author != e.actor[i] {
                        interactions += 1
                    }
                }
                if type.takesMentions {
                    for m in e.mentions(of: i) where m != e.actor[i] { interactions += 1 }
                }
            }
            var creators = 0
            var reactors = 0
            var newMembers = 0
            var newCreators = 0
            var counts: [Int] = []
            for p32 in active {
                let p = Int(p32)
                if flags[p] & 1 != 0 {
                    creators += 1
                    counts.append(createCount[p])
                    if firstCreatePeriod[p] == P { newCreators += 1 }
                } else if flags[p] & 2 != 0 {
                    reactors += 1
                }
                if firstPeriod[p] == P { newMembers += 1 }
            }
            // Members at the period's end: every event before it, in time order.
            let end = family.end(of: P, in: zone)
            while sweep < n && e.ts[sweep] < end {
                let p = Int(local[sweep])
                if e.type[sweep] == EventType.leave.rawValue {
                    if isMember[p] { memberCount -= 1 }
                    isMember[p] = false
                } else {
                    if !isMember[p] { memberCount += 1 }
                    isMember[p] = true
                }
                sweep += 1
            }
            let previousActive = previous?.period == P - 1 ? previous!.active : 0
            let activeUsers = active.count
            var values: [ReportValue] = [.integer(group.events.count)]
            for t in [EventType.view, .post, .reply, .react, .share, .join, .leave] { values.append(.integer(byType[Int(t.rawValue)])) }
            values += [
                .integer(activeUsers), .integer(creators), .integer(reactors), .integer(activeUsers - creators - reactors),
                .integer(memberCount), .integer(newMembers),
                .ratio(Double(activeUsers - creators - reactors), Double(activeUsers)),
                .ratio(Double(retained), Double(previousActive)),
                .ratio(Double(delays.count), Double(posts)),
                median(delays),
                .integer(newCreators),
                coreCreators(counts),
                gini(counts),
                .integer(interactions), .integer(unresolved),
            ]
            rows.append(MetricRow(period: P, community: community, values: values))
            previous = (P, activeUsers)
        }
        return rows
    }

    /// The median delay in seconds (milliseconds exact; the mean of the two
    /// middle values for an even count), or empty.
    static func median(_ delays: [Int64]) -> ReportValue {
        guard !delays.isEmpty else { return .empty }
        let s = delays.sorted()
        let k = s.count / 2
        if s.count % 2 == 1 { return .number(Double(s[k]) / 1000) }
        return .number(Double(s[k - 1] + s[k]) / 2000)
    }

    /// The fewest creators whose creations, largest first, make at least half
    /// of the period's creations (the CHAOSS contributor absence factor).
    static func coreCreators(_ counts: [Int]) -> ReportValue {
        guard !counts.isEmpty else { return .empty }
        let total = counts.reduce(0, +)
        var sum = 0
        for (k, c) in counts.sorted(by: >).enumerated() {
            sum += c
            if 2 * sum >= total { return .integer(k + 1) }
        }
        return .integer(counts.count)
    }

    /// `sum_i sum_j |x_i - x_j| / (2 n^2 mean)`, computed exactly in integers
    /// as `2 sum_k (2k - n - 1) x_(k) / (2 n sum x)` over ascending x, then divided once.
    static func gini(_ counts: [Int]) -> ReportValue {
        guard !counts.isEmpty else { return .empty }
        let x = counts.sorted()
        let n = x.count
        var numerator = 0
        for (k, v) in x.enumerated() { numerator += (2 * (k + 1) - n - 1) * v }
        let total = x.reduce(0, +)
        return .number(Double(2 * numerator) / Double(2 * n * total))
    }
}
