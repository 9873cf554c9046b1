import ArgumentParser
import SiltaJobKit
import SiltaOps
import SiltaSupport

@main
struct Nightly: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "nightly") }

    static let configuration = CommandConfiguration(
        commandName: "nightly",
        abstract: "Runs the whole night: ingest, every report, run summary, dated copy, monitoring file.",
        discussion: """
            What `make run-jobs` calls. Under a lock (WAREHOUSE/nightly.lock) that keeps two nights \
            apart, it runs ingest, then engagement, social-capital and bridging (each a child process, \
            found next to this executable or in --bin-dir; the three at once when --workers is more \
            than 1). Then it writes REPORTS/run_summary.json \
            (each job's exit code and figures), keeps a dated copy of the reports in \
            REPORTS/history/YYYY-MM-DD/ (the as-of date) when every report was written, removes copies \
            older than --keep-days, and writes the Prometheus file (--prom-file). See \(SiltaDocs.path("operations.md")).

            Exit codes: the first failing job's code (64, 65, 66, 73, 74, 75, 1; 128+N when a job was \
            killed by signal N; 127 when a job could not be started); else 2 when ingest found damaged \
            files; else 0. 75 also when another nightly run holds the lock: then nothing is run or written.
            """,
        version: SiltaVersion.of("nightly"))

    @Option(help: "Folder of activity logs, read recursively.")
    var logs = "SampleData/logs"

    @OptionGroup var common: CommonOptions
    @OptionGroup var report: ReportOptions

    @Option(help: "Days of dated report copies to keep in REPORTS/history (0 keeps all).")
    var keepDays = 90

    @Option(help: ArgumentHelp("The Prometheus textfile to write (default: REPORTS/silta.prom).", valueName: "file"))
    var promFile: String?

    @Option(help: ArgumentHelp("Folder of the job executables (default: this executable's folder).", valueName: "folder"))
    var binDir: String?

    @Option(
        help: ArgumentHelp(
            "Seconds the night's ingest waits for report jobs run by hand, which read under the warehouse lock (at least --wait).",
            valueName: "seconds"))
    var ingestWait = Seconds(600)

    @OptionGroup var readLimits: ReadLimitOptions
    @OptionGroup var links: LinksOptions

    mutating func validate() throws {
        if keepDays < 0 { throw ValidationError("--keep-days must be 0 (keep all) or more.") }
    }

    func run() throws {
        let logger = SiltaLogHandler.bootstrap(job: "nightly", level: common.logLevel)
        guard let bin = binDir ?? FileSystem.executableFolder() else {
            logger.error("cannot tell where the jobs are installed; pass --bin-dir (exit 64)")
            throw SiltaExit.usage.exitCode
        }
        var options = NightlyOptions(
            logs: logs, warehouse: common.warehouse, reports: common.reports, workers: common.workers, binDir: bin)
        options.periods = report.families.map(\.rawValue)
        options.timeZone = report.timeZone
        options.asOf = report.asOf
        options.keepDays = keepDays
        options.promFile = promFile
        options.wait = common.wait
        options.ingestWait = ingestWait.value
        options.readLimits = readLimits
        options.links = links
        options.logFlag = common.quiet ? "--quiet" : (common.verbose ? "--verbose" : nil)
        var record = JobRecord(job: "nightly", startedAt: Clocks.epochMilliseconds())
        let code: Int32
        do {
            code = try NightlyRunner.run(options, logger: logger)
        } catch let busy as NightlyBusy {
            logger.error("\(busy) (exit \(SiltaExit.locked.rawValue): another night is running)")
            code = SiltaExit.locked.rawValue
        } catch {
            code = ErrorReporting.fail(error, logger: logger).rawValue
        }
        JobFrame.finish(&record, exitCode: code, common: common, logger: logger)
        if code != 0 { throw ExitCode(code) }
    }
}
