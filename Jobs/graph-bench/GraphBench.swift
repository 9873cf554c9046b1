import ArgumentParser
import Foundation
import SiltaEvents
import SiltaJobKit
import SiltaMetrics
import SiltaSupport
import SiltaWarehouse

/// Times Silta's graph measures on the largest community graphs of one week
/// and writes those graphs as edge lists, so that the same graphs can be timed
/// in NetworkX and igraph (Jobs/bench/graphs-vs-peers.py). A benchmark tool,
/// not part of the nightly run.
@main
struct GraphBench: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "graph-bench") }

    static let configuration = CommandConfiguration(
        commandName: "graph-bench",
        abstract: "Times the social-capital graph measures on the largest graphs of one week.",
        discussion: """
            Picks the week (UTC) with the most interactions, or --week, and its --top largest \
            community graphs; builds each graph once, then computes their measures --repeat times \
            and prints the best time of the measures alone (graph building left out, as the peers' \
            is) as JSON on standard output, with the building's time beside it; writes each graph's directed, weighted edges to \
            --out/<n>.tsv (source, target, weight) for the peers.
            """,
        version: SiltaVersion.of("graph-bench"))

    @Option(help: "The warehouse to read.")
    var warehouse = "var/warehouse"

    @Option(help: "Monday of the week to use, YYYY-MM-DD (default: the week with the most interactions).")
    var week: String?

    @Option(help: "The period family of the graphs: week (default) or day (smaller graphs).")
    var family = "week"

    @Option(help: "How many community graphs, largest first (0: every community of the week).")
    var top = 3

    @Option(name: .customLong("repeat"), help: "Repetitions; the best time is reported.")
    var repetitions = 5

    @Option(help: "Folder for the edge lists.")
    var out: String

    var periodFamily: PeriodFamily { PeriodFamily(rawValue: family) ?? .week }

    mutating func validate() throws {
        if PeriodFamily(rawValue: family) == nil { throw ValidationError("--family is day, week or month.") }
    }

    func run() throws {
        let snapshot = try WarehouseSnapshot(root: warehouse)
        let input = MetricsInput(snapshot: snapshot, workers: 2)
        var graphs: [(community: UInt32, period: Int, pairs: [(Int32, Int32)], nodes: Int)] = []
        let scratch = SocialCapital.Scratch(persons: snapshot.persons.count)
        for c in 0..<UInt32(input.communityCount) {
            let e = input.events(of: c)
            let days = e.ts.map { ReportZone.utc.localDay($0) }
            for g in SocialCapital.interactions(of: e, family: periodFamily, days: days, scratch: scratch) {
                graphs.append((c, g.period, g.pairs, g.nodes))
            }
        }
        var chosenWeek: Int
        if let week, let ms = RFC3339.parse(week + "T00:00:00Z") {
            chosenWeek = periodFamily.index(ofLocalDay: Int(ms / 86_400_000))
        } else {
            var totals: [Int: Int] = [:]
            for g in graphs { totals[g.period, default: 0] += g.pairs.count }
            chosenWeek = totals.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key ?? 0
        }
        var selected = graphs.filter { $0.period == chosenWeek }
        selected.sort { ($0.pairs.count, $1.community) > ($1.pairs.count, $0.community) }
        if top > 0 { selected = Array(selected.prefix(top)) }
        try FileSystem.createDirectory(out)
        // Built once, outside the timed part: the peers' graphs are built before their clocks start too.
        let building = ReportJobClock.now()
        let built = selected.map { InteractionGraph(interactions: $0.pairs, nodeCount: $0.nodes) }
        let buildSeconds = ReportJobClock.now() - building
        var best = Double.infinity
        var measures: [InteractionGraph.Measures] = []
        for _ in 0..<max(1, repetitions) {
            let start = ReportJobClock.now()
            measures = built.map { $0.measures() }
            best = min(best, ReportJobClock.now() - start)
        }
        var rows: [String] = []
        for (k, g) in selected.enumerated() {
            var weight: [Int64: Int] = [:]
            for p in g.pairs { weight[Int64(p.0) << 32 | Int64(p.1), default: 0] += 1 }
            let text = weight.keys.sorted().map { "\($0 >> 32)\t\($0 & 0xFFFF_FFFF)\t\(weight[$0]!)" }.joined(separator: "\n") + "\n"
            try AtomicFileWriter.write(text, to: out + "/\(k).tsv")
            let m = measures[k]
            rows.append(
                "{\"file\": \"\(k).tsv\", \"community\": \(JSONText.quoted(snapshot.communityName(g.community))), \"nodes\": \(m.nodes), \"edges\": \(m.edges), \"interactions\": \(m.interactions), \"mean_constraint\": \(m.meanConstraint), \"mean_effective_size\": \(m.meanEffectiveSize), \"transitivity\": \(m.transitivity), \"avg_clustering\": \(m.averageClustering), \"reciprocity\": \(m.reciprocity)}"
            )
        }
        let weekStart = RFC3339.formatDate(days: periodFamily.firstDay(of: chosenWeek))
        print(
            "{\"week\": \"\(weekStart)\", \"silta_seconds\": \(best), \"silta_build_seconds\": \(buildSeconds), \"repeat\": \(max(1, repetitions)), \"graphs\": [\n  "
                + rows.joined(separator: ",\n  ") + "\n]}")
    }
}

enum ReportJobClock {
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
