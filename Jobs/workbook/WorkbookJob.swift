import ArgumentParser
import SiltaJobKit
import SiltaReportJobs
import SiltaReports
import SiltaSupport
import SiltaWorkbook

/// `workbook`: REPORTS/silta.xlsx from the report CSVs in REPORTS
/// (docs/workbook.md).
@main
struct WorkbookJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbook",
        abstract: "Writes REPORTS/silta.xlsx: every report as a sheet of one workbook, typed cells, and a Read me.",
        discussion: """
            Reads the report CSVs in --reports (written by the report jobs) and writes one .xlsx workbook beside \
            them: a sheet per report file, holding exactly its rows and columns (dates, true/false, numbers and \
            percentages typed; ids as text whatever they look like), the header frozen and filtered; the people \
            lists of the latest complete --dashboard-period; and a first sheet `Read me` with each column's \
            meaning. `nightly` runs it after the report jobs. See \(SiltaDocs.path("workbook.md")).

            Exit codes: 0 success; 64 bad arguments; 66 no report CSV in --reports (run the report jobs first); \
            65 a report is not whole; 73 the workbook cannot be written; 74 a write failed; 1 any other failure.
            """,
        version: SiltaVersion.of(ReportCatalog.workbook))

    static func main() { JobEntry.main(Self.self, job: ReportCatalog.workbook) }

    @OptionGroup var common: CommonOptions
    @OptionGroup var dashboard: DashboardOptions
    @OptionGroup var workbook: WorkbookOptions

    func run() throws {
        try JobFrame.run(job: ReportCatalog.workbook, common: common, classify: Self.exit) { logger, record in
            var plan = WorkbookPlan(reports: common.reports, highlights: dashboard.family.adjective)
            plan.people = PeopleSheets(rawValue: workbook.workbookPeople) ?? .auto
            plan.rowsPerSheet = workbook.sheetRows
            plan.workers = common.workers
            let summary = try Workbook.write(plan)
            for left in summary.peopleLeftOut {
                logger.info(
                    "\(left.file) (\(left.rows) rows) is not a sheet: the people report passes \(Workbook.peopleRowsAuto) rows (WORKBOOK_PEOPLE=full puts it in)"
                )
            }
            if summary.oddCells > 0 {
                logger.warning(
                    "\(summary.oddCells) cell(s) were not what their column holds and are text in the workbook (first: \(summary.firstOdd ?? "?")): was a report edited by hand?"
                )
            }
            let rows = summary.sheets.reduce(0) { $0 + $1.rows }
            record.set(.rows, .integer(rows))
            logger.info(
                "wrote \(common.reports)/\(Workbook.file): \(summary.bytes) bytes, \(summary.sheets.count + 1) sheets, \(rows) rows")
            return .success
        }
    }

    static func exit(_ error: any Error) -> SiltaExit? {
        if error is WorkbookInputMissing { return .inputUnavailable }
        if error is ReportReadError || error is ReportColumnMissing { return .warehouseDamaged }
        if error is ZipTooLarge { return .cannotWrite }
        return nil
    }
}
