import SiltaEvents
import SiltaReports

/// The people report (docs/people.md): one row per person and period with
/// their activity across every community.
///
/// Computed family by family, each while its table is written, in two
/// steps. Each community, on a worker of its own, counts what each person
/// did there in each period of the family (a ``Tally``: one per person,
/// community and period with activity, whatever the number of events).
/// Then the family walks its periods in order, adds up every community's
/// tallies of the period in per-person counters, and makes the period's rows.
/// Beyond the community being counted (one per worker, as in every report
/// job), memory grows with persons and with the person-periods of one
/// family, not with events: holding the three families' tallies at once
/// took the job to 2.1 GB at 20M events, one at a time to 0.64 GB.
package enum People {
    /// The columns after `period_start`, `complete` and `person`, in
    /// docs/people.md's order; ``write(_:_:to:)`` gives each its formula over
    /// one person's ``Figures`` in one period. (An enumeration with one
    /// switch rather than a list of closures like the other families: at
    /// millions of rows, calling a closure per cell cost a tenth of the job.)
    package enum Column: String, CaseIterable, Sendable {
        case events
        case contributions
        case reactions
        case internalCommunities = "internal_communities"
        case externalCommunities = "external_communities"
        case internalContributions = "internal_contributions"
        case externalContributions = "external_contributions"
        case boundarySpanner = "boundary_spanner"
        case interactionsOut = "interactions_out"
        case interactionsIn = "interactions_in"
        case firstSeen = "first_seen"
        case new
        case activePeriods = "active_periods"
        case previousActive = "previous_active"
    }

    /// The column names after the identity columns.
    package static let columnNames = Column.allCases.map(\.rawValue)

    /// The cell of `column` for the person's period `f`.
    @inline(__always)
    package static func write(_ column: Column, _ f: Figures, to sink: RowSink) throws {
        switch column {
        case .events: try sink.integer(Int(f.counts.events))
        case .contributions: try sink.integer(Int(f.counts.internalContributions + f.counts.externalContributions))
        case .reactions: try sink.integer(Int(f.counts.reactions))
        case .internalCommunities: try sink.integer(Int(f.counts.internalCommunities))
        case .externalCommunities: try sink.integer(Int(f.counts.externalCommunities))
        case .internalContributions: try sink.integer(Int(f.counts.internalContributions))
        case .externalContributions: try sink.integer(Int(f.counts.externalContributions))
        case .boundarySpanner: try sink.bool(f.counts.internalContributions > 0 && f.counts.externalContributions > 0)
        case .interactionsOut: try sink.integer(Int(f.counts.interactionsOut))
        case .interactionsIn: try sink.integer(Int(f.counts.interactionsIn))
        case .firstSeen: try sink.date(f.firstSeenDay)
        case .new: try sink.bool(f.isNew)
        case .activePeriods: try sink.integer(f.activePeriods)
        case .previousActive: try sink.bool(f.previousActive)
        }
    }

    /// The identity columns of `people_*`.
    package static let identityColumns = ["period_start", "complete", "person"]

    /// What a person's period adds up to over its communities' tallies.
    package struct Tallied: Sendable {
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

        package init() {}

        /// Adds one community's tally; `inside`: the community is internal.
        @inline(__always)
        mutating func add(_ t: Tally, inside: Bool) {
            events += t.events
            reactions += t.reactions
            interactionsOut += t.interactionsOut
            interactionsIn += t.interactionsIn
            let community: UInt32 = t.events > 0 ? 1 : 0
            if inside {
                internalContributions += t.contributions
                internalCommunities += community
            } else {
                externalContributions += t.contributions
                externalCommunities += community
            }
        }
    }

    /// One person's period: the named figures the columns are computed from.
    package struct Figures: Sendable {
        /// The period's counts over its communities.
        package var counts = Tallied()
        /// The local date of the person's first event ever.
        package var firstSeenDay = 0
        /// The first event falls in this period.
        package var isNew = false
        /// Periods of the family up to this one with an event of the person.
        package var activePeriods = 0
        /// The person has an event in the period before.
        package var previousActive = false

        package init() {}

        /// The counts `t`; the rest to be filled in.
        init(_ t: Tallied) { counts = t }
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

    /// Per-worker scratch: each person's tally in the period being counted.
    package final class Scratch {
        var slot: [Int32]

        package init(persons: Int) { slot = Array(repeating: -1, count: persons) }
    }

    /// The instant of each person's first event in one community (events in
    /// time order), in the order met.
    package static func firstSeen(of e: CommunityEvents, scratch: Scratch) -> [(person: UInt32, ts: Int64)] {
        var seen: [(person: UInt32, ts: Int64)] = []
        for i in 0..<e.count where scratch.slot[Int(e.actor[i])] < 0 {
            scratch.slot[Int(e.actor[i])] = 0
            seen.append((e.actor[i], e.ts[i]))
        }
        for f in seen { scratch.slot[Int(f.person)] = -1 }
        return seen
    }

    /// Counts one community's events (in time order) for one family. The
    /// tallies are held at their exact count: at 20M events the day family
    /// alone has about 15M of them.
    package static func tallies(of e: CommunityEvents, family: PeriodFamily, zone: ReportZone, scratch: Scratch) -> CommunityTallies {
        var out = CommunityTallies()
        let n = e.count
        guard n > 0 else { return out }
        let period = e.ts.map { family.index(ofLocalDay: zone.localDay($0)) }
        var all: [Tally] = []
        for group in PeriodGroups.of(period) {
            // A local array and the slots as a buffer: a nested function
            // that captured the tallies paid for exclusivity checks per event.
            var tallies: [Tally] = []
            scratch.slot.withUnsafeMutableBufferPointer { slot in
                for i in group.events {
                    let type = EventType(rawValue: e.type[i])!
                    let actor = e.actor[i]
                    if slot[Int(actor)] < 0 {
                        slot[Int(actor)] = Int32(tallies.count)
                        tallies.append(Tally(person: actor))
                    }
                    let k = Int(slot[Int(actor)])
                    tallies[k].events += 1
                    if type.createsContent { tallies[k].contributions += 1 }
                    if type == .react { tallies[k].reactions += 1 }
                    e.forEachInteraction(i, type) { _, target in
                        tallies[k].interactionsOut += 1
                        if slot[Int(target)] < 0 {
                            slot[Int(target)] = Int32(tallies.count)
                            tallies.append(Tally(person: target))
                        }
                        tallies[Int(slot[Int(target)])].interactionsIn += 1
                    }
                }
                for t in tallies { slot[Int(t.person)] = -1 }
            }
            all += tallies
            out.periods.append(group.period)
            out.starts.append(all.count)
        }
        out.tallies = all.withUnsafeBufferPointer { Array($0) }
        return out
    }
}
