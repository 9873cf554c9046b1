import ArgumentParser
import SiltaJobKit
import SiltaOps
import SiltaReportJobs
import SiltaSupport

@main
struct Nightly: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: ReportCatalog.nightly) }

    static let configuration = CommandConfiguration(
        commandName: ReportCatalog.nightly,
        abstract: "Runs the whole night: ingest, every report, run summary, dated copy, monitoring file.",
        discussion: """
            What `make run-jobs` calls. Under a lock (WAREHOUSE/nightly.lock) that keeps two nights \
            apart, it runs the importers of --sources into --logs, then ingest, then \(reportJobNames) (each a child process, \
            found next to this executable or in --bin-dir; all at once when --workers is more \
            than 1), then the dashboard and the workbook over tonight's reports. Then it writes REPORTS/run_summary.json \
            (each job's exit code and figures), keeps a dated copy of the reports in \
            REPORTS/history/YYYY-MM-DD/ (the as-of date) when every report was written, removes copies \
            older than --keep-days, gzip-compresses the earlier copies' report files, and writes the \
            Prometheus file (--prom-file). See \(SiltaDocs.path("operations.md")).

            Exit codes: the first failing job's code (64, 65, 66, 73, 74, 75, 1; 128+N when a job was \
            killed by signal N; 127 when a job could not be started; an importer that fails stops \
            nothing else), else 78 when the identity file is refused, else 2 when ingest or an importer \
            found damaged input, else 0. 78 also for a sources file that cannot be read or parsed, and \
            75 when another nightly run holds the lock: then nothing is run or written.
            """,
        version: SiltaVersion.of(ReportCatalog.nightly))

    /// "engagement, social-capital and bridging".
    static var reportJobNames: String {
        let names = ReportCatalog.reportJobs.map(\.job)
        return names.dropLast().joined(separator: ", ") + (names.count > 1 ? " and " : "") + (names.last ?? "")
    }

    @OptionGroup var night: NightlyOptions
    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var readLimits: ReadLimitOptions
    @OptionGroup var compaction: CompactionOptions
    @OptionGroup var links: LinksOptions
    @OptionGroup var people: PeopleOptions
    @OptionGroup var dashboard: DashboardOptions
    @OptionGroup var workbook: WorkbookOptions

    @Flag(help: "Print every job of Silta (job, role, the files it writes, tab-separated) and exit.")
    var listJobs = false

    func run() throws {
        if listJobs {
            print(ReportCatalog.listing(families: report.families), terminator: "")
            return
        }
        let logger = SiltaLogHandler.bootstrap(job: ReportCatalog.nightly, level: common.logLevel)
        guard let bin = night.binDir ?? FileSystem.executableFolder() else {
            logger.error("cannot tell where the jobs are installed; pass --bin-dir (exit 64)")
            throw SiltaExit.usage.exitCode
        }
        let settings = NightlySettings(
            night: night, common: common, report: report, links: links, people: people, dashboard: dashboard, workbook: workbook,
            readLimits: readLimits, compaction: compaction, binDir: bin)
        var record = JobRecord(job: ReportCatalog.nightly, startedAt: Clocks.epochMilliseconds())
        let code: Int32
        do {
            code = try NightlyRunner.run(settings, logger: logger)
        } catch let busy as NightlyBusy {
            logger.error("\(busy) (exit \(SiltaExit.locked.rawValue): another night is running)")
            code = SiltaExit.locked.rawValue
        } catch is SourcesFile.Fault {
            code = SiltaExit.badSetting.rawValue  // logged where it was found
        } catch {
            code = ErrorReporting.fail(error, logger: logger).rawValue
        }
        JobFrame.finish(&record, exitCode: code, common: common, logger: logger)
        if code != 0 { throw ExitCode(code) }
    }
}
