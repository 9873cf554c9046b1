import ArgumentParser
import Foundation
import SiltaDashboard
import SiltaJobKit
import SiltaReportJobs
import SiltaReports
import SiltaSupport
import SiltaWarehouse

/// `dashboard`: REPORTS/dashboard.html from the report CSVs in REPORTS
/// (docs/dashboard.md).
@main
struct DashboardJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Writes REPORTS/dashboard.html: the reports as one page of charts, internal and external side by side.",
        discussion: """
            Reads the report CSVs of --dashboard-period in --reports (written by the report jobs) and the \
            warehouse's totals, and writes one self-contained page beside the reports: inline SVG and CSS, no \
            script that runs, nothing fetched. `nightly` runs it after the report jobs. See \
            \(SiltaDocs.path("dashboard.md")).

            Exit codes: 0 success; 64 bad arguments; 66 a report it needs is missing (run the report jobs \
            first); 65 a report is not whole; 73 the page cannot be written; 1 any other failure.
            """,
        version: SiltaVersion.of(ReportCatalog.dashboard))

    static func main() { JobEntry.main(Self.self, job: ReportCatalog.dashboard) }

    @OptionGroup var common: CommonOptions
    @OptionGroup var dashboard: DashboardOptions

    func run() throws {
        try JobFrame.run(job: ReportCatalog.dashboard, common: common, classify: Self.exit) { logger, record in
            let period = dashboard.family.adjective
            for report in ["bridging", "engagement"] {
                let path = common.reports + "/" + report + "_" + period + ".csv"
                if FileSystem.kind(of: path) != .file { throw DashboardInputMissing(path: path) }
            }
            // The as-of instant, the time zone and the identity file, from the
            // engagement report's JSON twin (its head: a few lines).
            let twin = ReportTwinHead.read(common.reports + "/engagement_" + period + ".json")
            let asOf = twin?["as_of"] as? String
            var identities: (ids: Int, persons: Int, bots: Int)?
            if let used = twin?["identities"] as? [String: Any] {
                identities = (used["ids"] as? Int ?? 0, used["persons"] as? Int ?? 0, used["bots"] as? Int ?? 0)
            }
            var data = try DashboardData.read(folder: common.reports, period: period, asOf: asOf, identities: identities)
            // Bots' events left out, from the run record of the night's engagement job.
            if let record = FileManager.default.contents(atPath: common.warehouse + "/nightly/engagement.json"),
                let object = try? JSONSerialization.jsonObject(with: record) as? [String: Any],
                let figures = object["figures"] as? [String: Any]
            {
                data.botEvents = figures["bot_events"] as? Int
            }
            // The warehouse's totals, read under its shared lock as the report jobs read it.
            var quality: WarehouseQuality?
            do {
                let lock = try FileLock(path: WarehouseLocation(root: common.warehouse).lockPath, mode: .shared, waitSeconds: common.wait)
                defer { lock.release() }
                quality = try WarehouseQuality.read(root: common.warehouse)
            } catch {
                logger.warning("the data-quality panel has no totals: the warehouse \(common.warehouse) could not be read (\(error))")
            }
            let page = try DashboardPage.render(data, asOf: asOf, timeZone: twin?["time_zone"] as? String, warehouse: quality)
            let path = common.reports + "/" + ReportCatalog.dashboardFile
            try AtomicFileWriter.write(page, to: path)
            record.set(.rows, .integer(data.periods.count))
            logger.info("wrote \(path): \(page.utf8.count) bytes, \(data.periods.count) \(period) periods")
            return .success
        }
    }

    static func exit(_ error: any Error) -> SiltaExit? {
        if error is DashboardInputMissing { return .inputUnavailable }
        if error is ReportReadError || error is ReportColumnMissing { return .warehouseDamaged }
        return nil
    }
}

/// A report the dashboard needs is not there.
struct DashboardInputMissing: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) is missing: run the report jobs first (make run-jobs), or point --reports at their folder" }
}
