import ArgumentParser
import Logging
import SiltaJobKit
import SiltaMetrics
import SiltaSupport

@main
struct SocialCapitalJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "social-capital",
        abstract: "Writes the social-capital reports: each community's interaction graph, per period.",
        discussion: """
            Reads the warehouse and writes social_capital_daily, social_capital_weekly and \
            social_capital_monthly (.csv and .json) to --reports, for the families in --periods: \
            nodes, edges, interactions, density, reciprocity, transitivity, average clustering, \
            components, Burt's constraint and effective size, and the bonding and bridging \
            indices. See docs/metrics.md.

            Exit codes: 0 success; 64 bad arguments; 65 the warehouse is damaged; 73 the reports \
            folder cannot be written; 74 input/output error (a full disk?); 75 an ingest holds the \
            warehouse lock; 1 any other failure.
            """,
        version: SiltaVersion.string)

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions

    func run() throws {
        let logger = SiltaLogHandler.bootstrap(job: "social-capital", level: common.logLevel)
        do {
            try ReportJob.run(name: "social-capital", common: common, report: report, logger: logger) { input, settings in
                SocialCapitalReport.tables(input, settings: settings)
            }
        } catch {
            throw ErrorReporting.fail(error, logger: logger)
        }
    }
}
