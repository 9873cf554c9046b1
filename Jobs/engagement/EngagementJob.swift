import ArgumentParser
import SiltaJobKit
import SiltaMetrics
import SiltaSupport

@main
struct EngagementJob: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "engagement") }

    static let configuration = CommandConfiguration(
        commandName: "engagement",
        abstract: "Writes the engagement reports, per community and period.",
        discussion: """
            Reads the warehouse and writes engagement_daily, engagement_weekly and \
            engagement_monthly (.csv and .json) to --reports, for the families in --periods: \
            events by type, active users, creators, reactors, lurkers, members, new members, \
            retention, response rate and time, new and core creators, creator Gini, interactions \
            and unresolved parents. See \(SiltaDocs.path("metrics.md")).

            """ + ReportJob.exitCodesHelp,
        version: SiltaVersion.of("engagement"))

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions

    func run() throws {
        try ReportJob.execute(name: "engagement", common: common, report: report) { input, settings in
            EngagementReport.tables(input, settings: settings)
        }
    }
}
