import ArgumentParser
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

            """ + ReportJob.exitCodesHelp,
        version: SiltaVersion.string)

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var links: LinksOptions

    func run() throws {
        try ReportJob.execute(name: "bridging", common: common, report: report) { input, settings in
            BridgingReport.tables(input, settings: settings, linksMinShared: links.linksMinShared)
        }
    }
}
