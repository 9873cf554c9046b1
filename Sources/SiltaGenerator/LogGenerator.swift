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
public enum LogGenerator {
    /// Writes the logs under `out`.
    public static func generate(_ config: GeneratorConfig, out: String) throws -> GeneratorSummary {
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
                    world: world, c: c, d: d, count: created, firstDay: config.firstDay, seed: config.seed,
                    earlier: { cells.get($0, $1) })
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
        let results = ResultStore(count: files.count)
        let queue = DispatchQueue(label: "silta.generate", attributes: .concurrent)
        let group = DispatchGroup()
        let semaphore = DispatchSemaphore(value: max(1, config.workers))
        for (i, (d, s)) in files.enumerated() {
            semaphore.wait()
            queue.async(group: group) {
                defer { semaphore.signal() }
                do {
                    let writer = FileGenerator(
                        world: world, config: config, cells: frozen, counts: counts, day: d, source: s)
                    results.set(i, .success(try writer.write(under: out)))
                } catch {
                    results.set(i, .failure(error))
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

/// The creation cells once complete: read by every file writer without locks.
struct FrozenCells: Sendable {
    let cells: [CreationCell?]
    let days: Int

    func get(_ c: Int, _ d: Int) -> CreationCell? {
        guard d >= 0 && d < days else { return nil }
        return cells[c * days + d]
    }
}

/// Per-file results, each slot written by one task.
final class ResultStore: @unchecked Sendable {
    private var results: [Result<GeneratorSummary, any Error>?]
    private let monitor = Monitor()

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<GeneratorSummary, any Error>) { monitor.locked { results[i] = r } }

    func all() -> [Result<GeneratorSummary, any Error>] { monitor.locked { results.map { $0! } } }
}
