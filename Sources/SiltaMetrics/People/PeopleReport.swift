import Dispatch
import SiltaEvents
import SiltaIdentities
import SiltaReports
import SiltaSupport

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
    /// Each is made period by period while it is written.
    package static func tables(_ input: MetricsInput, settings: ReportSettings) -> [ReportTable] {
        let persons = input.personCount
        let families = settings.families
        let zone = settings.zone
        let parts = CommunityWorkers.map(input, workers: settings.workers, scratch: People.Scratch(persons: persons)) { c, scratch in
            People.part(of: input.events(of: c), families: families, zone: zone, scratch: scratch)
        }
        // Each person's first event, in any community.
        var firstTs = [Int64](repeating: .max, count: persons)
        for part in parts {
            for f in part?.firstSeen ?? [] where f.ts < firstTs[Int(f.person)] { firstTs[Int(f.person)] = f.ts }
        }
        let firstDay = firstTs.map { $0 == .max ? Int.min : zone.localDay($0) }
        let cells = personCells(input, seen: firstTs, ids: settings.peopleIds ?? .raw, workers: settings.workers)
        let rank = ranks(of: cells, seen: firstTs)
        let internalCommunity = input.snapshot.communityKinds.map { $0 == .internal }
        let table = PeopleTable(
            parts: parts, internalCommunity: internalCommunity, firstDay: firstDay, cells: cells, rank: rank, settings: settings)
        return families.map { family in
            ReportTable(
                report: "people", period: family.adjective, columns: People.identityColumns + People.columns.names(),
                stream: { emit in try table.rows(of: family, emit: emit) })
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
            cells[a].lexicographicallyPrecedes(cells[b]) || (cells[a] == cells[b] && a < b)
        }
        var rank = [Int32](repeating: -1, count: cells.count)
        for (k, p) in order.enumerated() { rank[p] = Int32(k) }
        return rank
    }
}

/// What every family's rows are made from: the communities' tallies and
/// each person's first day, cell and rank.
struct PeopleTable: Sendable {
    let parts: [People.CommunityPart?]
    let internalCommunity: [Bool]
    let firstDay: [Int]
    let cells: [[UInt8]]
    let rank: [Int32]
    let settings: ReportSettings

    /// The rows of `family`, in report order: periods ascending, each
    /// adding up its communities' tallies in per-person counters.
    func rows(of family: PeriodFamily, emit: ([ReportValue]) throws -> Void) throws {
        let lists = parts.map { $0?.families[family] }
        let periods = Set(lists.flatMap { $0?.periods ?? [] }).sorted()
        var cursor = [Int](repeating: 0, count: lists.count)
        let persons = cells.count
        var figures = [People.Figures](repeating: People.Figures(), count: persons)
        var stamp = [Int](repeating: .min, count: persons)
        var activePeriods = [Int](repeating: 0, count: persons)
        var lastActive = [Int](repeating: .min, count: persons)
        var touched: [UInt32] = []
        for period in periods {
            touched.removeAll(keepingCapacity: true)
            for (c, list) in lists.enumerated() {
                guard let list, cursor[c] < list.periods.count, list.periods[cursor[c]] == period else { continue }
                let k = cursor[c]
                cursor[c] += 1
                let inside = internalCommunity[c]
                for t in list.tallies[list.starts[k]..<list.starts[k + 1]] {
                    let p = Int(t.person)
                    if stamp[p] != period {
                        stamp[p] = period
                        figures[p] = People.Figures()
                        touched.append(t.person)
                    }
                    figures[p].events += t.events
                    figures[p].reactions += t.reactions
                    figures[p].interactionsOut += t.interactionsOut
                    figures[p].interactionsIn += t.interactionsIn
                    if inside {
                        figures[p].internalContributions += t.contributions
                        if t.events > 0 { figures[p].internalCommunities += 1 }
                    } else {
                        figures[p].externalContributions += t.contributions
                        if t.events > 0 { figures[p].externalCommunities += 1 }
                    }
                }
            }
            // Only persons with an event have a row; targets alone do not.
            touched.removeAll { figures[Int($0)].events == 0 }
            touched.sort { rank[Int($0)] < rank[Int($1)] }
            let start = ReportValue.date(family.firstDay(of: period))
            let complete = ReportValue.bool(settings.complete(family, period))
            for p32 in touched {
                let p = Int(p32)
                var f = figures[p]
                f.firstSeenDay = firstDay[p]
                f.isNew = family.index(ofLocalDay: firstDay[p]) == period
                f.previousActive = lastActive[p] == period - 1
                activePeriods[p] += 1
                f.activePeriods = activePeriods[p]
                lastActive[p] = period
                try emit(People.columns.row([start, complete, .text(cells[p])], f))
            }
        }
    }
}
