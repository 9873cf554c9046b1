import ArgumentParser
import Logging
import SiltaJobKit
import SiltaMetrics
import SiltaSupport

@main
struct BridgingJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridging",
        abstract: "Writes the bridging and community-links reports, per period.",
        discussion: """
            Reads the warehouse and writes, for the families in --periods, bridging_P (the \
            organisation-wide view: people active and creating on the internal and external \
            sides, boundary spanners, advocacy rate, shares across communities) and \
            community_links_P (every pair of communities sharing creators or content), .csv \
            and .json, to --reports. See docs/metrics.md.

            Exit codes: 0 success; 64 bad arguments; 65 the warehouse is damaged; 73 the reports \
            folder cannot be written; 74 input/output error (a full disk?); 75 an ingest holds the \
            warehouse lock; 1 any other failure.
            """,
        version: SiltaVersion.string)

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions

    func run() throws {
        let logger = SiltaLogHandler.bootstrap(job: "bridging", level: common.logLevel)
        do {
            try ReportJob.run(name: "bridging", common: common, report: report, logger: logger) { input, settings in
                BridgingReport.tables(input, settings: settings)
            }
        } catch {
            throw ErrorReporting.fail(error, logger: logger)
        }
    }
}
