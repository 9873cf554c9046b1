import SiltaEvents
import SiltaReports

/// The people report (docs/people.md): one row per person and period with
/// their activity across every community.
///
/// Computed in two steps. Each community, on a worker of its own, counts
/// what each person did there in each period (a ``Tally``: one per person,
/// community and period with activity, whatever the number of events).
/// Then each family walks its periods in order, adds up every community's
/// tallies of the period in per-person counters, and makes the period's rows
/// while the report is written. Memory grows with persons and person-periods,
/// never with events.
package enum People {
    /// The columns after `period_start`, `complete` and `person`, in
    /// docs/people.md's order: each name next to its formula over one
    /// person's ``Figures`` in one period.
    package static let columns: [MetricColumn<Figures>] = [
        MetricColumn("events") { .integer(Int($0.events)) },
        MetricColumn("contributions") { .integer(Int($0.internalContributions + $0.externalContributions)) },
        MetricColumn("reactions") { .integer(Int($0.reactions)) },
        MetricColumn("internal_communities") { .integer(Int($0.internalCommunities)) },
        MetricColumn("external_communities") { .integer(Int($0.externalCommunities)) },
        MetricColumn("internal_contributions") { .integer(Int($0.internalContributions)) },
        MetricColumn("external_contributions") { .integer(Int($0.externalContributions)) },
        MetricColumn("boundary_spanner") { .bool($0.internalContributions > 0 && $0.externalContributions > 0) },
        MetricColumn("interactions_out") { .integer(Int($0.interactionsOut)) },
        MetricColumn("interactions_in") { .integer(Int($0.interactionsIn)) },
        MetricColumn("first_seen") { .date($0.firstSeenDay) },
        MetricColumn("new") { .bool($0.isNew) },
        MetricColumn("active_periods") { .integer($0.activePeriods) },
        MetricColumn("previous_active") { .bool($0.previousActive) },
    ]

    /// The identity columns of `people_*`.
    package static let identityColumns = ["period_start", "complete", "person"]

    /// One person's period: the named figures the ``columns`` are computed from.
    package struct Figures: Sendable {
        /// Events in every community (bots' left out).
        package var events: UInt32 = 0
        /// `react` events.
        package var reactions: UInt32 = 0
        /// Internal and external communities with an event of the person.
        package var internalCommunities: UInt32 = 0
        package var externalCommunities: UInt32 = 0
        /// `post`, `reply` and `share` events in internal and external communities.
        package var internalContributions: UInt32 = 0
        package var externalContributions: UInt32 = 0
        /// Interactions made by the person's events.
        package var interactionsOut: UInt32 = 0
        /// Interactions made by anyone's events towards the person.
        package var interactionsIn: UInt32 = 0
        /// The local date of the person's first event ever.
        package var firstSeenDay = 0
        /// The first event falls in this period.
        package var isNew = false
        /// Periods of the family up to this one with an event of the person.
        package var activePeriods = 0
        /// The person has an event in the period before.
        package var previousActive = false

        package init() {}
    }

    /// What one person did in one community and period. A person who is
    /// only the target of interactions has a tally with no events.
    package struct Tally: Sendable {
        package var person: UInt32
        package var events: UInt32 = 0
        package var contributions: UInt32 = 0
        package var reactions: UInt32 = 0
        package var interactionsOut: UInt32 = 0
        package var interactionsIn: UInt32 = 0

        init(person: UInt32) { self.person = person }
    }

    /// One community's tallies of one family: period `periods[k]` has
    /// `tallies[starts[k] ..< starts[k + 1]]`.
    package struct CommunityTallies: Sendable {
        package var periods: [Int] = []
        package var starts: [Int] = [0]
        package var tallies: [Tally] = []
    }

    /// One community's part: its tallies per family, and the instant of each
    /// person's first event there.
    package struct CommunityPart: Sendable {
        package var families: [PeriodFamily: CommunityTallies] = [:]
        package var firstSeen: [(person: UInt32, ts: Int64)] = []
    }

    /// Per-worker scratch: each person's tally in the period being counted.
    package final class Scratch {
        var slot: [Int32]

        package init(persons: Int) { slot = Array(repeating: -1, count: persons) }
    }

    /// Counts one community's events (in time order) for each family.
    package static func part(of e: CommunityEvents, families: [PeriodFamily], zone: ReportZone, scratch: Scratch) -> CommunityPart {
        var part = CommunityPart()
        let n = e.count
        guard n > 0 else { return part }
        // First events: the events are in time order, so each person's first is the first met.
        for i in 0..<n where scratch.slot[Int(e.actor[i])] < 0 {
            scratch.slot[Int(e.actor[i])] = 0
            part.firstSeen.append((e.actor[i], e.ts[i]))
        }
        for f in part.firstSeen { scratch.slot[Int(f.person)] = -1 }
        let days = e.ts.map { zone.localDay($0) }
        for family in families {
            var out = CommunityTallies()
            let period = days.map { family.index(ofLocalDay: $0) }
            for group in PeriodGroups.of(period) {
                let base = out.tallies.count
                /// The tally of person `p` in this period, made on first need.
                @inline(__always) func tally(_ p: UInt32) -> Int {
                    let k = scratch.slot[Int(p)]
                    if k >= 0 { return Int(k) }
                    scratch.slot[Int(p)] = Int32(out.tallies.count - base)
                    out.tallies.append(Tally(person: p))
                    return out.tallies.count - base - 1
                }
                for i in group.events {
                    let type = EventType(rawValue: e.type[i])!
                    let k = base + tally(e.actor[i])
                    out.tallies[k].events += 1
                    if type.createsContent { out.tallies[k].contributions += 1 }
                    if type == .react { out.tallies[k].reactions += 1 }
                    e.forEachInteraction(i, type) { _, target in
                        out.tallies[k].interactionsOut += 1
                        let t = base + tally(target)
                        out.tallies[t].interactionsIn += 1
                    }
                }
                for t in out.tallies[base...] { scratch.slot[Int(t.person)] = -1 }
                out.periods.append(group.period)
                out.starts.append(out.tallies.count)
            }
            part.families[family] = out
        }
        return part
    }
}
