import Dispatch
import SiltaEvents
import SiltaSupport

/// Deterministic synthetic activity logs in the events.md format, for tests
/// and benchmarks: heavy-tailed activity and community sizes, internal and
/// external communities that share people, replies and reactions mostly to
/// recent content, cross-community shares both ways, mentions, joins and
/// leaves, a weekly and daily rhythm, and one file per source and day
/// (`<out>/<source>/<source>-YYYY-MM-DD.ndjson.gz`).
///
/// Every file depends only on the configuration, so files are written in
/// parallel and the output is the same bytes whatever the worker count.
package enum LogGenerator {
    /// Writes the logs under `out`.
    package static func generate(_ config: GeneratorConfig, out: String) throws -> GeneratorSummary {
        let world = World(config: config)
        let counts = cellCounts(world: world, config: config)
        let communities = world.communities.count
        let days = config.days

        // Phase 1: the creations, day by day (a day refers to earlier days),
        // the communities of a day in parallel.
        let cells = CellStore(communities: communities, days: days)
        for d in 0..<days {
            DispatchQueue.concurrentPerform(iterations: communities) { c in
                let n = counts[c * days + d]
                let created = Int((Double(n) * 0.22).rounded())
                let cell = creations(
                    world: world, c: c, d: d, total: created, firstDay: config.firstDay, seed: config.seed,
                    earlier: { cells.get($0, $1)?.count ?? 0 })
                cells.set(c, d, cell)
            }
        }

        // Phase 2: one file per (source, day), in parallel.
        let sources = World.sources.count
        let files = (0..<days).flatMap { d in (0..<sources).map { (d, $0) } }.filter { !world.bySource[$0.1].isEmpty }
        for s in 0..<sources where !world.bySource[s].isEmpty {
            try FileSystem.createDirectory(out + "/" + World.sources[s])
        }
        let frozen = cells.all()
        let names = FileGenerator.Names(
            sources: ByteTable(World.sources), communities: ByteTable(world.communities.map(\.name)),
            types: ByteTable(EventType.allCases.map(\.name)), persons: world.personNames)
        let results = ResultStore(count: files.count)
        let group = DispatchGroup()
        for w in 0..<max(1, config.workers) {
            DispatchQueue(label: "silta.generate-\(w)").async(group: group) {
                let scratch: WorkerScratch
                do {
                    scratch = try WorkerScratch(level: config.compressionLevel)
                } catch {
                    results.fail(error)
                    return
                }
                while let i = results.claim() {
                    let (d, s) = files[i]
                    do {
                        let writer = FileGenerator(
                            world: world, config: config, cells: frozen, counts: counts, day: d, source: s)
                        results.set(i, .success(try writer.write(under: out, names: names, scratch: scratch)))
                    } catch {
                        results.set(i, .failure(error))
                    }
                }
            }
        }
        group.wait()
        var summary = GeneratorSummary()
        for r in results.all() {
            let s = try r.get()
            summary.files += 1
            summary.events += s.events
            summary.badLines += s.badLines
            summary.duplicates += s.duplicates
            summary.bytesUncompressed += s.bytesUncompressed
            summary.bytesWritten += s.bytesWritten
        }
        return summary
    }

    /// Events per (community, day), exactly `config.events` in all (largest remainder).
    static func cellCounts(world: World, config: GeneratorConfig) -> [Int] {
        let days = config.days
        let dayWeights = (0..<days).map { World.dayWeight(day: config.firstDay + $0, index: $0) }
        let totalDay = dayWeights.reduce(0, +)
        let totalCommunity = world.communities.reduce(0) { $0 + $1.weight }
        var counts: [Int] = []
        var remainders: [(Double, Int)] = []
        var assigned = 0
        for (c, community) in world.communities.enumerated() {
            for d in 0..<days {
                let exact = Double(config.events) * community.weight / totalCommunity * dayWeights[d] / totalDay
                let whole = Int(exact)
                counts.append(whole)
                remainders.append((exact - Double(whole), c * days + d))
                assigned += whole
            }
        }
        remainders.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        for k in 0..<(config.events - assigned) { counts[remainders[k % remainders.count].1] += 1 }
        return counts
    }
}

/// The creation cells, written once each in phase 1, then only read.
final class CellStore: @unchecked Sendable {
    private var cells: [CreationCell?]
    private let days: Int
    private let monitor = Monitor()

    init(communities: Int, days: Int) {
        self.days = days
        cells = Array(repeating: nil, count: communities * days)
    }

    func get(_ c: Int, _ d: Int) -> CreationCell? {
        guard d >= 0 && d < days else { return nil }
        return monitor.locked { cells[c * days + d] }
    }

    func set(_ c: Int, _ d: Int, _ cell: CreationCell) { monitor.locked { cells[c * days + d] = cell } }

    /// Every cell, for the read-only phase.
    func all() -> FrozenCells { FrozenCells(cells: monitor.locked { cells }, days: days) }

}

/// The creation cells once complete, flattened into a few arrays so that the
/// file writers read them without copying or reference counting.
struct FrozenCells: Sendable {
    let days: Int
    /// Index of each cell's first creation; one more entry at the end.
    private let starts: [Int]
    let ts: [Int64]
    let actor: [Int32]
    let type: [EventType]
    /// `community == -1` where there is no parent.
    let parent: [ContentRef]
    let parentActorShown: [Bool]
    private let mentionStarts: [Int]
    private let mentionList: [Int32]

    init(cells: [CreationCell?], days: Int) {
        self.days = days
        var starts = [0]
        var ts: [Int64] = []
        var actor: [Int32] = []
        var type: [EventType] = []
        var parent: [ContentRef] = []
        var shown: [Bool] = []
        var mentionStarts = [0]
        var mentionList: [Int32] = []
        for cell in cells {
            if let cell {
                ts += cell.ts
                actor += cell.actor
                type += cell.type
                parent += cell.parent.map { $0 ?? ContentRef(community: -1, day: 0, index: 0) }
                shown += cell.parentActorShown
                for m in cell.mentions {
                    mentionList += m
                    mentionStarts.append(mentionList.count)
                }
            }
            starts.append(ts.count)
        }
        self.starts = starts
        self.ts = ts
        self.actor = actor
        self.type = type
        self.parent = parent
        self.parentActorShown = shown
        self.mentionStarts = mentionStarts
        self.mentionList = mentionList
    }

    /// The flat index range of the creations of community `c` on day index `d` (empty outside the days).
    @inline(__always)
    func range(_ c: Int, _ d: Int) -> Range<Int> {
        guard d >= 0 && d < days else { return 0..<0 }
        return starts[c * days + d]..<starts[c * days + d + 1]
    }

    /// The flat index of a content reference.
    @inline(__always)
    func index(_ ref: ContentRef) -> Int { starts[Int(ref.community) * days + Int(ref.day)] + Int(ref.index) }

    @inline(__always)
    func mentions(_ i: Int) -> ArraySlice<Int32> { mentionList[mentionStarts[i]..<mentionStarts[i + 1]] }
}

/// Hands out files to workers and keeps their results.
final class ResultStore: @unchecked Sendable {
    private var results: [Result<GeneratorSummary, any Error>?]
    private let queue: WorkQueue
    private let monitor = Monitor()

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        queue = WorkQueue(count: count)
    }

    /// The next file to write, or nil when all are taken.
    func claim() -> Int? { queue.claim() }

    /// Fails every file not written yet.
    func fail(_ error: any Error) {
        queue.drain()
        monitor.locked {
            for i in results.indices where results[i] == nil { results[i] = .failure(error) }
        }
    }

    func set(_ i: Int, _ r: Result<GeneratorSummary, any Error>) { monitor.locked { results[i] = r } }

    func all() -> [Result<GeneratorSummary, any Error>] { monitor.locked { results.map { $0! } } }
}
