import ArgumentParser
import Logging
import SiltaEvents
import SiltaIngest
import SiltaJobKit
import SiltaSupport

@main
struct Ingest: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "ingest") }

    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Reads new activity logs into the warehouse.",
        discussion: """
            Reads every *.ndjson.gz and *.ndjson file under --logs (recursively), skips files \
            already ingested with the same size and content, validates every line, drops duplicate \
            events, and commits the new events to the warehouse atomically. Rejected lines go to \
            WAREHOUSE/rejects/; what the run did goes to REPORTS/ingest_report.json. The input \
            format and every reject reason: \(SiltaDocs.path("input.md")).

            Exit codes: 0 success; 2 finished, but some files were damaged or unreadable; \
            64 bad arguments; 65 the warehouse is damaged; 66 the logs folder is missing or \
            unreadable; 73 an output folder cannot be written; 74 input/output error (a full disk?); \
            75 another run holds the warehouse lock; 1 any other failure.
            """,
        version: SiltaVersion.of("ingest"))

    @Option(help: "Folder of activity logs, read recursively.")
    var logs = "SampleData/logs"

    @OptionGroup var common: CommonOptions

    @OptionGroup var readLimits: ReadLimitOptions

    @OptionGroup var compaction: CompactionOptions

    /// A logs folder that is missing or no folder is 66; other errors go through ErrorReporting.
    static func exitStatus(for error: any Error) -> SiltaExit? { error is IngestError ? .inputUnavailable : nil }

    func run() throws {
        try JobFrame.run(job: "ingest", common: common, classify: Self.exitStatus) { logger, record in
            var options = IngestOptions(
                logs: logs, warehouse: common.warehouse, reports: common.reports, workers: common.workers)
            options.lockWaitSeconds = common.wait
            readLimits.apply(to: &options.limits)
            options.compactFanIn = compaction.fanIn
            let bar: ProgressBar?
            if ProgressBar.isWanted(quiet: common.quiet) {
                let progress = ByteProgress()
                options.readProgress = progress
                bar = ProgressBar(label: "ingest", progress: progress)
                bar!.start()
            } else {
                bar = nil
            }
            let report: IngestReport
            do {
                defer { bar?.finish() }
                report = try IngestRunner.run(options, progress: { logger.info("\($0)") }, detail: { logger.debug("\($0)") })
            }
            for d in report.damagedFiles { logger.warning("damaged: \(d.file): \(d.error)") }
            if let latest = report.latestFutureEvent {
                logger.warning(
                    "\(report.futureEvents) new event(s) are dated more than a day ahead of this machine's clock, the latest \(RFC3339.format(milliseconds: latest)); they count as events and move as-of (check the source's clock, or set AS_OF)"
                )
            }
            let summary =
                "done in \(report.seconds.rounded(places: 3)) s: \(report.filesRead) file(s) read, \(report.filesSkipped) skipped, "
                + "\(report.accepted) accepted (\(report.duplicates) duplicates), \(report.rejectedTotal) rejected, "
                + "\(report.damagedFiles.count) damaged"
            logger.info("\(summary)")
            record.set(.filesRead, .integer(report.filesRead))
            record.set(.filesSkipped, .integer(report.filesSkipped))
            record.set(.filesDamaged, .integer(report.damagedFiles.count))
            record.set(.lines, .integer(report.lines))
            record.set(.eventsIngested, .integer(report.stored))
            record.set(.duplicates, .integer(report.duplicates))
            record.set(.futureEvents, .integer(report.futureEvents))
            record.set(.linesRejected, .integer(report.rejectedTotal))
            record.set(.bytesCompressed, .integer(report.bytesCompressed))
            record.set(.bytesUncompressed, .integer(report.bytesUncompressed))
            record.set(.warehouseEvents, .integer(Int(report.warehouseEvents)))
            record.set(.warehouseGeneration, .integer(Int(report.generation)))
            return report.damagedFiles.isEmpty ? .success : .damagedInput
        }
    }
}

extension Double {
    func rounded(places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
