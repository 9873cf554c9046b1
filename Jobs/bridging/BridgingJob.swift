import ArgumentParser
import SiltaJobKit
import SiltaReportJobs

/// `bridging`: see ReportCatalog.bridging for what it writes and computes.
@main
struct BridgingJob: ParsableCommand {
    static let spec = ReportCatalog.bridging
    static let configuration = spec.configuration
    static func main() { JobEntry.main(Self.self, job: spec.job) }

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var kept: KeptReportOptions
    @OptionGroup var links: LinksOptions

    func run() throws { try ReportJob.execute(Self.spec, common: common, report: report, kept: kept, links: links) }
}
