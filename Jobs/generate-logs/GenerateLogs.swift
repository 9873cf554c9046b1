import ArgumentParser
import Logging
import SiltaEvents
import SiltaGenerator
import SiltaJobKit
import SiltaSupport

@main
struct GenerateLogs: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "generate-logs") }

    static let configuration = CommandConfiguration(
        commandName: "generate-logs",
        abstract: "Writes deterministic synthetic activity logs for tests and benchmarks.",
        discussion: """
            Writes one file per source system and day, <out>/<source>/<source>-YYYY-MM-DD.ndjson.gz, \
            in the activity log format. The same options always give the same bytes, whatever \
            the number of workers. Heavy-tailed activity (most members only view) and community \
            sizes, internal and external communities sharing people, replies and reactions mostly \
            to recent content, cross-community shares in both directions, mentions, joins and \
            leaves, and a weekly and daily rhythm.
            """,
        version: SiltaVersion.of("generate-logs"))

    @Option(help: "Folder to write the logs to (created if missing).")
    var out: String

    @Option(help: "Valid, distinct events to generate; bad lines and duplicates come on top.")
    var events = 100_000

    @Option(help: "Days of activity.")
    var days = 28

    @Option(help: "The first day, YYYY-MM-DD.")
    var start = "2026-09-01"

    @Option(help: "Random seed: the same seed gives the same logs.")
    var seed: UInt64 = 1

    @Option(help: "Persons (0: one per 25 events, at least 60).")
    var persons = 0

    @Option(help: "Communities (0: about one per 40,000 events, 6 to 400).")
    var communities = 0

    @Option(help: "Rate of extra bad lines, cycling through every reject reason (0 to 1).")
    var badLines = 0.0

    @Option(help: "Rate of extra duplicate events, some differing from the original (0 to 1).")
    var duplicates = 0.0

    @Option(help: "gzip level, 1 (fast) to 9; 0 writes plain .ndjson files.")
    var level = 1

    @Option(name: .customLong("workers"), help: ArgumentHelp("Concurrent workers.", valueName: "n"))
    var workerCount: WorkerCount = .processors

    var workers: Int { workerCount.value }

    mutating func validate() throws {
        guard RFC3339.parse(start + "T00:00:00Z") != nil else { throw ValidationError("--start must be a date, YYYY-MM-DD.") }
        if events < 0 { throw ValidationError("--events must not be negative.") }
        if days < 1 || days > 36_500 { throw ValidationError("--days must be between 1 and 36500.") }
        if !(0...1).contains(badLines) || !(0...1).contains(duplicates) {
            throw ValidationError("--bad-lines and --duplicates are rates between 0 and 1.")
        }
        if !(0...9).contains(level) { throw ValidationError("--level must be between 0 and 9.") }
        if workers < 1 { throw ValidationError("--workers must be at least 1.") }
    }

    func run() throws {
        let logger = SiltaLogHandler.bootstrap(job: "generate-logs", level: .info)
        var config = GeneratorConfig()
        config.events = events
        config.days = days
        config.firstDay = Int(RFC3339.parse(start + "T00:00:00Z")! / 86_400_000)
        config.seed = seed
        config.persons = persons
        config.communities = communities
        config.badLineRate = badLines
        config.duplicateRate = duplicates
        config.compressionLevel = level
        config.workers = workers
        let started = Clocks.monotonicSeconds()
        do {
            let s = try LogGenerator.generate(config, out: out)
            let seconds = Clocks.monotonicSeconds() - started
            let rate = seconds > 0 ? Int(Double(s.events) / seconds) : 0
            logger.info(
                "wrote \(s.files) files under \(out): \(s.events) events, \(s.duplicates) duplicates, \(s.badLines) bad lines, \(s.bytesUncompressed) bytes uncompressed, \(s.bytesWritten) on disk, in \(Int(seconds * 1000)) ms (\(rate) events/s)"
            )
        } catch {
            throw ErrorReporting.fail(error, logger: logger)
        }
    }
}
