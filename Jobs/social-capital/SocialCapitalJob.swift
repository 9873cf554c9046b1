import ArgumentParser
import SiltaJobKit
import SiltaReportJobs

/// `social-capital`: see ReportCatalog.socialCapital for what it writes and computes.
@main
struct SocialCapitalJob: ParsableCommand {
    static let spec = ReportCatalog.socialCapital
    static let configuration = spec.configuration
    static func main() { JobEntry.main(Self.self, job: spec.job) }

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var kept: KeptReportOptions

    func run() throws { try ReportJob.execute(Self.spec, common: common, report: report, kept: kept) }
}
