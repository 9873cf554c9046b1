import ArgumentParser
import Logging
import SiltaJobKit
import SiltaMetrics
import SiltaSupport

@main
struct EngagementJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engagement",
        abstract: "Writes the engagement reports, per community and period.",
        discussion: """
            Reads the warehouse and writes engagement_daily, engagement_weekly and \
            engagement_monthly (.csv and .json) to --reports, for the families in --periods: \
            events by type, active users, creators, reactors, lurkers, members, new members, \
            retention, response rate and time, new and core creators, creator Gini, interactions \
            and unresolved parents. See docs/metrics.md.

            Exit codes: 0 success; 64 bad arguments; 65 the warehouse is damaged; 73 the reports \
            folder cannot be written; 74 input/output error (a full disk?); 75 an ingest holds the \
            warehouse lock; 1 any other failure.
            """,
        version: SiltaVersion.string)

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions

    func run() throws {
        let logger = SiltaLogHandler.bootstrap(job: "engagement", level: common.logLevel)
        do {
            try ReportJob.run(name: "engagement", common: common, report: report, logger: logger) { input, settings in
                EngagementReport.tables(input, settings: settings)
            }
        } catch {
            throw ErrorReporting.fail(error, logger: logger)
        }
    }
}
