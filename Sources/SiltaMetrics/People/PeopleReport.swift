import Dispatch
import SiltaEvents
import SiltaIdentities
import SiltaReports
import SiltaSupport
import Synchronization

/// How the people report names a person (docs/people.md "Pseudonyms").
package enum PeopleIds: Sendable {
    /// The person id itself (`--people-ids raw`).
    case raw
    /// `p` and the first 16 hex digits of HMAC-SHA256(key, person id).
    case pseudonymous(key: [UInt8])

    /// The JSON twin's `people_ids`: `raw` or `pseudonymous`.
    package var name: String {
        switch self {
        case .raw: "raw"
        case .pseudonymous: "pseudonymous"
        }
    }
}

/// The `people_daily|weekly|monthly` tables.
package enum PeopleReport {
    /// The tables, named as `settings.peopleIds` says (raw ids without it).
    /// Each is made period by period while it is written; a family's tallies
    /// are counted when its table is written and dropped after it (the first
    /// family's with every person's first event, which all need).
    package static func tables(_ input: MetricsInput, settings: ReportSettings) -> [ReportTable] {
        let persons = input.personCount
        let families = settings.families
        let zone = settings.zone
        let workers = settings.workers
        guard let firstFamily = families.first else { return [] }
        var first = CommunityWorkers.map(input, workers: workers, scratch: People.Scratch(persons: persons)) { c, scratch in
            let e = input.events(of: c)
            return (
                seen: People.firstSeen(of: e, scratch: scratch),
                tallies: People.tallies(of: e, family: firstFamily, zone: zone, scratch: scratch)
            )
        }
        // Each person's first event, in any community.
        var firstTs = [Int64](repeating: .max, count: persons)
        for part in first {
            for f in part?.seen ?? [] where f.ts < firstTs[Int(f.person)] { firstTs[Int(f.person)] = f.ts }
        }
        let cells = personCells(input, seen: firstTs, ids: settings.peopleIds ?? .raw, workers: workers)
        let rank = ranks(of: cells, seen: firstTs)
        // From here on persons are numbered by their place in the report's
        // order: a period's rows then read their per-person state in
        // ascending addresses, not at random.
        var order = [Int](repeating: 0, count: rank.count(where: { $0 >= 0 }))
        for (p, r) in rank.enumerated() where r >= 0 { order[Int(r)] = p }
        var cellBytes: [UInt8] = []
        var cellEnds: [Int] = []
        cellEnds.reserveCapacity(order.count)
        for p in order {
            cellBytes += cells[p]
            cellEnds.append(cellBytes.count)
        }
        let table = PeopleTable(
            internalCommunity: input.snapshot.communityKinds.map { $0 == .internal },
            firstDay: order.map { Int32(zone.localDay(firstTs[$0])) }, cellBytes: cellBytes, cellEnds: cellEnds, settings: settings)
        // Moved out of `first`, so that renumbering finds each array unshared
        // and works in place instead of copying it.
        var firstLists: [People.CommunityTallies?] = []
        for c in first.indices { firstLists.append(first[c].take()?.tallies) }
        renumber(&firstLists, rank: rank, workers: workers)
        let held = HeldTallies(firstLists)
        return families.enumerated().map { k, family in
            ReportTable(
                report: "people", period: family.adjective, columns: People.identityColumns + People.columnNames,
                cells: { sink in
                    if k == 0, let kept = held.take() { return try table.rows(of: family, lists: kept, into: sink) }
                    var lists = CommunityWorkers.map(input, workers: workers, scratch: People.Scratch(persons: persons)) { c, scratch in
                        People.tallies(of: input.events(of: c), family: family, zone: zone, scratch: scratch)
                    }
                    renumber(&lists, rank: rank, workers: workers)
                    try table.rows(of: family, lists: lists, into: sink)
                })
        }
    }

    /// The first family's tallies, counted with the first events, until its
    /// table takes them.
    final class HeldTallies: Sendable {
        private let lists: Mutex<[People.CommunityTallies?]?>

        init(_ lists: [People.CommunityTallies?]) { self.lists = Mutex(lists) }

        /// The tallies, once; nil after.
        func take() -> [People.CommunityTallies?]? { lists.withLock { $0.take() } }
    }

    /// The tallies with each person as their rank, in place; the tallies of
    /// persons who never had an event (only ever the target of an
    /// interaction) go, since they have no row.
    static func renumber(_ lists: inout [People.CommunityTallies?], rank: [Int32], workers: Int) {
        let queue = WorkQueue(count: lists.count)
        lists.withUnsafeMutableBufferPointer { buffer in
            // Each worker takes whole elements, never the same one.
            nonisolated(unsafe) let lists = buffer
            DispatchQueue.concurrentPerform(iterations: max(1, min(workers, lists.count))) { _ in
                while let c = queue.claim() {
                    guard var list = lists[c].take() else { continue }
                    var kept = 0
                    var from = 0
                    for k in list.periods.indices {
                        let end = list.starts[k + 1]
                        while from < end {
                            var t = list.tallies[from]
                            from += 1
                            guard rank[Int(t.person)] >= 0 else { continue }
                            t.person = UInt32(rank[Int(t.person)])
                            list.tallies[kept] = t
                            kept += 1
                        }
                        list.starts[k + 1] = kept
                    }
                    list.tallies.removeLast(list.tallies.count - kept)
                    lists[c] = list
                }
            }
        }
    }

    /// Each person's `person` cell (empty for persons with no event), the
    /// pseudonyms made over `workers` threads.
    static func personCells(_ input: MetricsInput, seen firstTs: [Int64], ids: PeopleIds, workers: Int) -> [[UInt8]] {
        let persons = input.personCount
        let pseudonyms: Pseudonyms? =
            switch ids {
            case .raw: nil
            case .pseudonymous(let key): Pseudonyms(key: key)
            }
        let parts = max(1, min(workers, persons / 4096 + 1))
        let slots = ResultSlots<[[UInt8]]>(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var out: [[UInt8]] = []
            out.reserveCapacity(persons / parts + 1)
            for p in (persons * part / parts)..<(persons * (part + 1) / parts) {
                guard firstTs[p] != .max else {
                    out.append([])
                    continue
                }
                let id = input.identities?.bytes(of: UInt32(p), persons: input.snapshot.persons) ?? Array(input.snapshot.persons[p])
                out.append(pseudonyms?.of(id) ?? id)
            }
            slots.set(part, out)
        }
        return slots.results.flatMap { $0! }
    }

    /// The position of each seen person's cell in bytewise order (ties, which
    /// only two pseudonyms alike could make, by person number).
    static func ranks(of cells: [[UInt8]], seen firstTs: [Int64]) -> [Int32] {
        let order = cells.indices.filter { firstTs[$0] != .max }.sorted { a, b in
            let c = cells[a].withUnsafeBytes { x in cells[b].withUnsafeBytes { y in MetricsInput.compareBytes(x, y) } }
            return c < 0 || (c == 0 && a < b)
        }
        var rank = [Int32](repeating: -1, count: cells.count)
        for (k, p) in order.enumerated() { rank[p] = Int32(k) }
        return rank
    }
}

/// What every family's rows are made from besides its communities'
/// tallies: each person's first day and cell, persons numbered in report
/// order.
struct PeopleTable: Sendable {
    let internalCommunity: [Bool]
    let firstDay: [Int32]
    /// Person `r`'s cell is `cellBytes[cellEnds[r - 1] ..< cellEnds[r]]`.
    let cellBytes: [UInt8]
    let cellEnds: [Int]
    let settings: ReportSettings

    /// One person's state while a family is walked: the period being added
    /// up (its counts) and the periods before. One cache line per person.
    struct State {
        var figures = People.Tallied()
        var stamp = Int32.min
        var lastActive = Int32.min
        var activePeriods: Int32 = 0
    }

    /// The rows of `family`, in report order: periods ascending, each
    /// adding up its communities' tallies (`lists`, persons as ranks) in
    /// per-person counters.
    func rows(of family: PeriodFamily, lists: [People.CommunityTallies?], into sink: RowSink) throws {
        let periods = Set(lists.flatMap { $0?.periods ?? [] }).sorted()
        var cursor = [Int](repeating: 0, count: lists.count)
        var state = [State](repeating: State(), count: firstDay.count)
        var touched: [UInt32] = []
        let columns = People.Column.allCases
        for period in periods {
            let stamp = Int32(period)
            touched.removeAll(keepingCapacity: true)
            state.withUnsafeMutableBufferPointer { state in
                for (c, list) in lists.enumerated() {
                    guard let list, cursor[c] < list.periods.count, list.periods[cursor[c]] == period else { continue }
                    let k = cursor[c]
                    cursor[c] += 1
                    let inside = internalCommunity[c]
                    for t in list.tallies[list.starts[k]..<list.starts[k + 1]] {
                        let p = Int(t.person)
                        precondition(p < state.count)
                        if state[p].stamp != stamp {
                            state[p].stamp = stamp
                            state[p].figures = People.Tallied()
                            touched.append(t.person)
                        }
                        state[p].figures.add(t, inside: inside)
                    }
                }
            }
            // Only persons with an event have a row (targets alone do not).
            touched.removeAll { state[Int($0)].figures.events == 0 }
            let start = family.firstDay(of: period)
            if sink.skips(day: start) {
                // Kept from last night's files: only the state moves on.
                for r in touched {
                    state[Int(r)].activePeriods += 1
                    state[Int(r)].lastActive = stamp
                }
                try sink.skipRows(touched.count)
                continue
            }
            touched.sort()
            let complete = settings.complete(family, period)
            try cellBytes.withUnsafeBufferPointer { cellBytes in
                for r32 in touched {
                    let r = Int(r32)
                    var f = People.Figures(state[r].figures)
                    f.firstSeenDay = Int(firstDay[r])
                    f.isNew = family.index(ofLocalDay: f.firstSeenDay) == period
                    f.previousActive = state[r].lastActive == stamp - 1
                    state[r].activePeriods += 1
                    f.activePeriods = Int(state[r].activePeriods)
                    state[r].lastActive = stamp
                    try sink.date(start)
                    try sink.bool(complete)
                    try sink.text(UnsafeBufferPointer(rebasing: cellBytes[(r == 0 ? 0 : cellEnds[r - 1])..<cellEnds[r]]))
                    for column in columns { try People.write(column, f, to: sink) }
                    try sink.endRow()
                }
            }
        }
    }
}
