import ArgumentParser
import SiltaJobKit
import SiltaReportJobs

/// `people`: see ReportCatalog.people for what it writes and computes.
@main
struct PeopleJob: ParsableCommand {
    static let spec = ReportCatalog.people
    static let configuration = spec.configuration
    static func main() { JobEntry.main(Self.self, job: spec.job) }

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var kept: KeptReportOptions
    @OptionGroup var people: PeopleOptions

    func run() throws { try ReportJob.execute(Self.spec, common: common, report: report, kept: kept, people: people) }
}
