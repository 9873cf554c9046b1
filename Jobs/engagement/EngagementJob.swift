import ArgumentParser
import SiltaJobKit
import SiltaReportJobs

/// `engagement`: see ReportCatalog.engagement for what it writes and computes.
@main
struct EngagementJob: ParsableCommand {
    static let spec = ReportCatalog.engagement
    static let configuration = spec.configuration
    static func main() { JobEntry.main(Self.self, job: spec.job) }

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var kept: KeptReportOptions

    func run() throws { try ReportJob.execute(Self.spec, common: common, report: report, kept: kept) }
}
