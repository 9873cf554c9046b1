import ArgumentParser
import Foundation
import SiltaDashboard
import SiltaJobKit
import SiltaReports
import SiltaSupport

/// `dashboard`: REPORTS/dashboard.html from the report CSVs in REPORTS
/// (docs/dashboard.md).
@main
struct DashboardJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Writes REPORTS/dashboard.html: the reports as one page of charts, internal and external side by side.",
        discussion: """
            Reads the report CSVs of --dashboard-period in --reports (written by the report jobs) and writes \
            one self-contained page beside them: inline SVG and CSS, no script that runs, nothing fetched. \
            See \(SiltaDocs.path("dashboard.md")).

            Exit codes: 0 success; 64 bad arguments; 66 a report it needs is missing (run the report jobs \
            first); 65 a report is not whole; 73 the page cannot be written; 1 any other failure.
            """,
        version: SiltaVersion.of("dashboard"))

    static func main() { JobEntry.main(Self.self, job: "dashboard") }

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("The period family of the series: day, week or month.", valueName: "family"))
    var dashboardPeriod = "week"

    func validate() throws {
        guard ["day", "week", "month"].contains(dashboardPeriod) else {
            throw ValidationError("--dashboard-period takes day, week or month; \"\(dashboardPeriod)\" is none of them.")
        }
    }

    func run() throws {
        try JobFrame.run(job: "dashboard", common: common, classify: Self.exit) { logger, record in
            let period = ["day": "daily", "week": "weekly", "month": "monthly"][dashboardPeriod]!
            for report in ["bridging", "engagement"] {
                let path = common.reports + "/" + report + "_" + period + ".csv"
                if FileSystem.kind(of: path) != .file {
                    throw DashboardInputMissing(path: path)
                }
            }
            let data = try DashboardData.read(folder: common.reports, period: period)
            // The as-of instant and time zone, from the bridging report's JSON twin (a few lines).
            let twin =
                try? JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: common.reports + "/bridging_" + period + ".json"))) as? [String: Any]
            let page = try DashboardPage.render(data, asOf: twin?["as_of"] as? String, timeZone: twin?["time_zone"] as? String)
            let path = common.reports + "/dashboard.html"
            try AtomicFileWriter.write(page, to: path)
            record.set(.rows, .integer(data.periods.count))
            logger.info("wrote \(path): \(page.utf8.count) bytes, \(data.periods.count) \(period) periods")
            return .success
        }
    }

    static func exit(_ error: any Error) -> SiltaExit? {
        if error is DashboardInputMissing { return .inputUnavailable }
        if error is ReportReadError { return .warehouseDamaged }
        return nil
    }
}

/// A report the dashboard needs is not there.
struct DashboardInputMissing: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) is missing: run the report jobs first (make run-jobs), or point --reports at their folder" }
}
