import ArgumentParser
import SiltaJobKit
import SiltaMetrics
import SiltaSupport

@main
struct SocialCapitalJob: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "social-capital") }

    static let configuration = CommandConfiguration(
        commandName: "social-capital",
        abstract: "Writes the social-capital reports: each community's interaction graph, per period.",
        discussion: """
            Reads the warehouse and writes social_capital_daily, social_capital_weekly and \
            social_capital_monthly (.csv and .json) to --reports, for the families in --periods: \
            nodes, edges, interactions, density, reciprocity, transitivity, average clustering, \
            components, Burt's constraint and effective size, and the bonding and bridging \
            indices. See \(SiltaDocs.path("metrics.md")).

            """ + ReportJob.exitCodesHelp,
        version: SiltaVersion.of("social-capital"))

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions

    func run() throws {
        try ReportJob.execute(name: "social-capital", common: common, report: report) { input, settings in
            SocialCapitalReport.tables(input, settings: settings)
        }
    }
}
