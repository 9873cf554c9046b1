import SiltaEvents
import SiltaReports

/// Engagement per community and period (metrics.md "Engagement").
package enum Engagement {
    /// The columns of `engagement_*`, in metrics.md's order: each name next
    /// to its formula over one period's ``Figures``.
    package static let columns: [MetricColumn<Figures>] = [
        MetricColumn("events") { .integer($0.events) },
        MetricColumn("views") { .integer($0.count(.view)) },
        MetricColumn("posts") { .integer($0.count(.post)) },
        MetricColumn("replies") { .integer($0.count(.reply)) },
        MetricColumn("reactions") { .integer($0.count(.react)) },
        MetricColumn("shares") { .integer($0.count(.share)) },
        MetricColumn("joins") { .integer($0.count(.join)) },
        MetricColumn("leaves") { .integer($0.count(.leave)) },
        MetricColumn("active_users") { .integer($0.activeUsers) },
        MetricColumn("creators") { .integer($0.creators) },
        MetricColumn("reactors") { .integer($0.reactors) },
        MetricColumn("lurkers") { .integer($0.lurkers) },
        MetricColumn("members") { .integer($0.members) },
        MetricColumn("new_members") { .integer($0.newMembers) },
        MetricColumn("lurker_share") { share($0.lurkers, of: $0.activeUsers) },
        MetricColumn("retention_rate") { share($0.retained, of: $0.previousActive) },
        MetricColumn("response_rate") { share($0.responseDelays.count, of: $0.posts) },
        MetricColumn("median_response_s") { median($0.responseDelays) },
        MetricColumn("new_creators") { .integer($0.newCreators) },
        MetricColumn("core_creators") { coreCreators($0.creations) },
        MetricColumn("creator_gini") { gini($0.creations) },
        MetricColumn("interactions") { .integer($0.interactions) },
        MetricColumn("unresolved_parents") { .integer($0.unresolvedParents) },
    ]

    /// What one community's period adds up to: the named figures the
    /// ``columns`` are computed from.
    package struct Figures: Sendable {
        /// Events of the period.
        package var events = 0
        /// Events by type, indexed by ``EventType/rawValue``.
        package var byType = [Int](repeating: 0, count: EventType.allCases.count)
        /// Distinct persons with any event.
        package var activeUsers = 0
        /// Active persons with a `post`, `reply` or `share`.
        package var creators = 0
        /// Active persons with a `react` and no creation.
        package var reactors = 0
        /// Members at the period's end.
        package var members = 0
        /// Persons whose first event in the community falls in the period.
        package var newMembers = 0
        /// Persons active in this period and the one before.
        package var retained = 0
        /// Persons active in the period before (0 when it had no events).
        package var previousActive = 0
        /// `post` events.
        package var posts = 0
        /// For each answered post, the delay to its first answer (ms).
        package var responseDelays: [Int64] = []
        /// Creators whose first creation in the community falls in the period.
        package var newCreators = 0
        /// Each creator's `post`+`reply`+`share` count.
        package var creations: [Int] = []
        /// Directed person-to-person interactions made by the period's events.
        package var interactions = 0
        /// `reply`, `react` and `share` events whose parent's author is unknown.
        package var unresolvedParents = 0

        package init() {}

        /// Active persons who neither create nor react.
        package var lurkers: Int { activeUsers - creators - reactors }
        /// Events of `type`.
        package func count(_ type: EventType) -> Int { byType[Int(type.rawValue)] }
    }

    /// Per-worker scratch: a person-to-local-index map as large as the
    /// number of persons, reused from community to community.
    package final class Scratch {
        var localOf: [Int32]

        package init(persons: Int) { localOf = Array(repeating: -1, count: persons) }
    }

    /// The rows of one community for each family.
    /// - Complexity: O(n log n) for n events (sorting within a period for the
    ///   creator measures), O(n) otherwise per family.
    /// - Parameter kept: whether a period's row is kept from last night's
    ///   report (``ReportSettings/isKept(_:_:)``): it is then a placeholder
    ///   (the state the later periods read still moves on).
    package static func rows(
        of e: CommunityEvents, community: UInt32, families: [PeriodFamily], zone: ReportZone, replies: ReplyIndex,
        scratch: Scratch, kept: (PeriodFamily, Int) -> Bool = { _, _ in false }
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
                replies: replies, kept: { kept(family, $0) })
        }
        return result
    }

    static func familyRows(
        _ e: CommunityEvents, community: UInt32, local: [Int32], personCount: Int, period: [Int], family: PeriodFamily,
        zone: ReportZone, replies: ReplyIndex, kept: (Int) -> Bool = { _ in false }
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
        var role = [UInt8](repeating: 0, count: personCount)
        var createCount = [Int](repeating: 0, count: personCount)
        var isMember = [Bool](repeating: false, count: personCount)
        var memberCount = 0
        var sweep = 0
        // Members at a period's end: every event before it, in time order.
        func sweepMembers(before end: Int64) {
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
        }

        var rows: [MetricRow] = []
        var previous: (period: Int, active: Int)? = nil
        for group in PeriodGroups.of(period) {
            let current = group.period
            if kept(current) {
                // A kept period's row is a placeholder: only the state the
                // later periods read moves on (who was active, for the next
                // period's retained and previous active; the members, swept
                // below), not its figures. Roles and creation counts are
                // reset at a person's first event of each counted period.
                var active = 0
                for i in group.events {
                    let p = Int(local[i])
                    if lastActive[p] != current {
                        lastActive[p] = current
                        active += 1
                    }
                }
                sweepMembers(before: family.end(of: current, in: zone))
                rows.append(MetricRow(period: current, community: community, values: []))
                previous = (current, active)
                continue
            }
            var f = Figures()
            f.events = group.events.count
            // The per-event loop counts in locals, which stay in registers;
            // the figures take them after it.
            var byType = f.byType
            var retained = 0
            var posts = 0
            var delays: [Int64] = []
            var unresolved = 0
            var interactions = 0
            var active: [Int32] = []
            for i in group.events {
                let type = EventType(rawValue: e.type[i])!
                byType[Int(type.rawValue)] += 1
                let p = Int(local[i])
                if lastActive[p] != current {
                    if lastActive[p] == current - 1 { retained += 1 }
                    lastActive[p] = current
                    role[p] = 0
                    createCount[p] = 0
                    active.append(Int32(p))
                }
                if type.createsContent {
                    role[p] |= Role.creator
                    createCount[p] += 1
                } else if type == .react {
                    role[p] |= Role.reactor
                }
                if type == .post {
                    posts += 1
                    if let d = replies.firstResponse(content: e.content[i], postActor: e.actor[i], postTs: e.ts[i]) { delays.append(d) }
                }
                if type.needsParent && e.parentAuthor[i] == none { unresolved += 1 }
                e.forEachInteraction(i, type) { _, _ in interactions += 1 }
            }
            f.byType = byType
            f.retained = retained
            f.posts = posts
            f.responseDelays = delays
            f.unresolvedParents = unresolved
            f.interactions = interactions
            f.activeUsers = active.count
            for p32 in active {
                let p = Int(p32)
                if role[p] & Role.creator != 0 {
                    f.creators += 1
                    f.creations.append(createCount[p])
                    if firstCreatePeriod[p] == current { f.newCreators += 1 }
                } else if role[p] & Role.reactor != 0 {
                    f.reactors += 1
                }
                if firstPeriod[p] == current { f.newMembers += 1 }
            }
            sweepMembers(before: family.end(of: current, in: zone))
            f.members = memberCount
            f.previousActive = previous?.period == current - 1 ? previous!.active : 0
            rows.append(MetricRow(period: current, community: community, values: columns.cells(f)))
            previous = (current, f.activeUsers)
        }
        return rows
    }

    /// What a person did in the period being counted: bits of a byte per person.
    enum Role {
        /// Made a `post`, `reply` or `share`.
        static let creator: UInt8 = 1
        /// Made a `react`.
        static let reactor: UInt8 = 2
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
