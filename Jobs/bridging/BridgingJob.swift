import ArgumentParser
import SiltaJobKit
import SiltaMetrics
import SiltaSupport

@main
struct BridgingJob: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "bridging") }

    static let configuration = CommandConfiguration(
        commandName: "bridging",
        abstract: "Writes the bridging and community-links reports, per period.",
        discussion: """
            Reads the warehouse and writes, for the families in --periods, bridging_P (the \
            organisation-wide view: people active and creating on the internal and external \
            sides, boundary spanners, advocacy rate, shares across communities) and \
            community_links_P (every pair of communities sharing creators or content), .csv \
            and .json, to --reports. See \(SiltaDocs.path("metrics.md")).

            """ + ReportJob.exitCodesHelp,
        version: SiltaVersion.of("bridging"))

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var links: LinksOptions

    func run() throws {
        try ReportJob.execute(name: "bridging", common: common, report: report) { input, settings in
            BridgingReport.tables(input, settings: settings, linksMinShared: links.linksMinShared)
        }
    }
}
