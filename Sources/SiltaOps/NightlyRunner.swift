import ArgumentParser
import Dispatch
import Logging
import SiltaEvents
import SiltaIdentities
import SiltaJobKit
import SiltaReportJobs
import SiltaReports
import SiltaSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The options only the night has (reports.md: `LOGS`, `KEEP_DAYS`,
/// `PROM_FILE`, `INGEST_WAIT`), declared once for `nightly`'s command line.
package struct NightlyOptions: ParsableArguments, Sendable {
    @Option(help: "Folder of activity logs, read recursively.")
    package var logs = "SampleData/logs"

    @Option(
        help: ArgumentHelp(
            "The sources file: one export per line for the importers to write into --logs before ingest (docs/importers.md).",
            valueName: "file"))
    package var sources: String?

    @Option(help: "Days of dated report copies to keep in REPORTS/history (0 keeps all).")
    package var keepDays = 90

    @Option(help: ArgumentHelp("The Prometheus textfile to write (default: REPORTS/silta.prom).", valueName: "file"))
    package var promFile: String?

    @Option(help: ArgumentHelp("Folder of the job executables (default: this executable's folder).", valueName: "folder"))
    package var binDir: String?

    @Option(
        help: ArgumentHelp(
            "Seconds the night's ingest waits for report jobs run by hand, which read under the warehouse lock (at least --wait).",
            valueName: "seconds"))
    package var ingestWait = Seconds(600)

    @Flag(
        help:
            "Write every period of every report anew, keeping nothing from last night's reports (docs/warehouse.md \"Kept reports\"; the same bytes, slower)."
    )
    package var full = false

    package init() {}

    package mutating func validate() throws {
        if keepDays < 0 { throw ValidationError("--keep-days must be 0 (keep all) or more.") }
        if sources?.isEmpty == true { sources = nil }
    }
}

/// What a nightly run is asked to do: the option groups the jobs parse,
/// as `nightly` parsed them, passed on to each child by the groups' own
/// ``CommonOptions/arguments(reports:wait:runRecord:)`` and `arguments`.
package struct NightlySettings: Sendable {
    package var night: NightlyOptions
    package var common: CommonOptions
    package var report: ReportOptions
    package var links: LinksOptions
    package var people: PeopleOptions
    package var dashboard: DashboardOptions
    package var workbook: WorkbookOptions
    package var readLimits: ReadLimitOptions
    package var compaction: CompactionOptions
    /// The folder holding the job executables.
    package var binDir: String

    package init(
        night: NightlyOptions, common: CommonOptions, report: ReportOptions, links: LinksOptions,
        people: PeopleOptions = PeopleOptions(), dashboard: DashboardOptions = DashboardOptions(),
        workbook: WorkbookOptions = WorkbookOptions(), readLimits: ReadLimitOptions, compaction: CompactionOptions = CompactionOptions(),
        binDir: String
    ) {
        self.night = night
        self.common = common
        self.report = report
        self.links = links
        self.people = people
        self.dashboard = dashboard
        self.workbook = workbook
        self.readLimits = readLimits
        self.compaction = compaction
        self.binDir = binDir
    }

    package var logs: String { night.logs }
    package var warehouse: String { common.warehouse }
    package var reports: String { common.reports }
    package var workers: Int { common.workers }
    /// Seconds to wait for the nightly lock (and, in the report jobs, the warehouse lock).
    package var wait: Double { common.wait }
    /// Days of dated report copies to keep; 0 keeps all.
    package var keepDays: Int { night.keepDays }
    /// Seconds the night's ingest waits for the warehouse lock: at least ``wait``.
    package var ingestWait: Double { max(common.wait, night.ingestWait.value) }
    /// The Prometheus file's path.
    package var promPath: String { night.promFile ?? reports + "/silta.prom" }
}

/// How one job of the night went.
package struct JobOutcome: Sendable {
    package var job: String
    /// `nil` when the job was not run.
    package var ending: ChildProcess.Ending?
    package var seconds: Double?
    /// What the job wrote to `--run-record`; `nil` when it died first.
    package var record: JobRecord?
    /// Why it was not run, or why it has no record.
    package var note: String?

    /// The job ran and did its work: it exited 0 or, for ingest or an
    /// importer, 2 (some files damaged, every readable part still used).
    package var completed: Bool {
        guard let code = ending?.code else { return false }
        return code == SiltaExit.success.rawValue || (mayBeDamaged && code == SiltaExit.damagedInput.rawValue)
    }

    /// Ingest and the importers may finish with damaged input (exit 2).
    var mayBeDamaged: Bool { job == NightlyRunner.ingestJob || isImporter }

    /// An importer of the sources file, whose failure stops nothing else.
    package var isImporter: Bool { ReportCatalog.importers.contains(job) }
}

/// The whole night: ingest, then every report job, under the nightly lock,
/// then `run_summary.json`, the dated copy of the reports, the retention, and
/// `silta.prom`.
package enum NightlyRunner {
    /// The ingest job, which runs first.
    package static let ingestJob = ReportCatalog.ingest
    /// The report jobs, in the order of ``ReportCatalog/reportJobs``.
    package static var reportJobs: [String] { ReportCatalog.reportJobs.map(\.job) }

    /// The lock that keeps two nights apart, in the warehouse folder.
    package static func lockPath(warehouse: String) -> String { warehouse + "/nightly.lock" }

    /// Runs the night. Returns the pipeline's exit status: the first failing
    /// job's code; else 2 when ingest met damaged files; else 0.
    /// - Throws: ``FileLock/Busy`` when another night holds the lock (nothing
    ///   is run or written then), or a ``SystemError`` when the warehouse
    ///   folder cannot be created.
    package static func run(_ options: NightlySettings, logger: Logger) throws -> SiltaExit.RawValue {
        let started = Clocks.epochMilliseconds()
        let clockStart = Clocks.monotonicSeconds()
        try FileSystem.createDirectory(options.warehouse)
        let lockPath = lockPath(warehouse: options.warehouse)
        let lock: FileLock
        do {
            lock = try FileLock(path: lockPath, mode: .exclusive, waitSeconds: options.wait)
        } catch let busy as FileLock.Busy {
            throw NightlyBusy(path: busy.path, owner: FileLock.note(at: lockPath))
        }
        defer { lock.release() }
        lock.setNote("pid \(getpid()), started \(RFC3339.format(milliseconds: started))")
        logger.info(
            "started: logs \(options.logs), warehouse \(options.warehouse), reports \(options.reports), \(options.workers) worker(s)")

        // The identity file is checked before anything runs: ingest does not
        // need it, but no report job is started with a file that is wrong.
        var identities = NightlySummary.Identities(file: options.report.identities)
        var identityFile: IdentityFile?
        if let path = options.report.identities {
            do {
                let file = try IdentityFile.load(path: path)
                identityFile = file
                identities.used = IdentitiesUsed(sha256: file.sha256, ids: file.ids, persons: file.persons, bots: file.bots)
            } catch {
                identities.error = error.description
                logger.error(
                    "\(error) (exit \(SiltaExit.badSetting.rawValue)): the report jobs will not run, and last night's reports stay")
            }
        }
        // The sources file is read whole before anything runs: a wrong one runs nothing.
        var sources: SourcesFile?
        if let path = options.night.sources {
            do {
                sources = try SourcesFile.load(path: path)
            } catch {
                logger.error("\(error) (exit \(SiltaExit.badSetting.rawValue)): nothing was run")
                throw error
            }
        }
        let recordFolder = options.warehouse + "/nightly"
        try FileSystem.createDirectory(recordFolder)
        // Tonight's reports are written aside and published as one set.
        let set = ReportSet(reports: options.reports)
        try set.prepare()
        var outcomes: [JobOutcome] = []
        // The importers write into LOGS; one that fails is reported, and the night goes on.
        for entry in sources?.entries ?? [] {
            let logFlags = options.common.quiet ? ["--quiet"] : (options.common.verbose ? ["--verbose"] : [])
            var outcome = runChild(
                entry.job, arguments: entry.arguments + ["--out", options.logs] + logFlags, options, recordFolder: recordFolder,
                record: "\(entry.job)-line\(entry.line)", logger: logger)
            outcome.note = outcome.note ?? "sources file line \(entry.line)"
            outcomes.append(outcome)
        }
        let ingest = runJob(
            ingestJob, arguments: ["--logs", options.logs] + options.readLimits.arguments + options.compaction.arguments, options,
            recordFolder: recordFolder,
            reports: options.reports, wait: options.ingestWait, logger: logger)
        outcomes.append(ingest)
        let ingestCode = ingest.ending?.code ?? SiltaExit.failure.rawValue
        if ingest.completed && identities.error == nil {
            // The report jobs start together: the map made once here is
            // read back by all three instead of each making it.
            if let identityFile, let error = ReportJob.keepPersonMap(of: identityFile, warehouse: options.warehouse, wait: options.wait) {
                logger.debug("could not keep the identity map for the report jobs (each makes its own): \(error)")
            }
            let reports = runReportJobs(options, recordFolder: recordFolder, reports: set.staging, logger: logger)
            outcomes += reports
            // The page and the workbook of tonight's reports, beside them: published with them, or not at all.
            if reports.allSatisfy(\.completed) {
                outcomes += runPresenters(options, recordFolder: recordFolder, reports: set.staging, logger: logger)
            } else {
                for job in presenters {
                    logger.warning("\(job): not run, because a report job failed")
                    outcomes.append(JobOutcome(job: job, note: "not run: a report job failed"))
                }
            }
        } else {
            let why = ingest.completed ? "the identity file is invalid" : "ingest failed (exit \(ingestCode))"
            for job in reportJobs + presenters {
                logger.warning("\(job): not run, because \(why)")
                outcomes.append(JobOutcome(job: job, note: "not run: " + why))
            }
        }

        var summary = NightlySummary(options: options, started: started, outcomes: outcomes)
        summary.identities = identities
        var exit = summary.pipelineExit
        /// A step after the jobs failed: logged, and its code is the night's unless a job failed first.
        func stepFailed(_ what: String, _ error: any Error, then advice: String = "") {
            let code = (error as? SystemError).map(SiltaExit.forWriting) ?? .failure
            logger.error("could not \(what): \(error) (exit \(code.rawValue): \(code.meaning))\(advice)")
            if exit == 0 || exit == SiltaExit.damagedInput.rawValue { exit = code.rawValue }
        }
        if summary.jobsComplete {
            do {
                summary.published = try set.publish()
                logger.info("published \(summary.published.count) report file(s) in \(options.reports)")
            } catch {
                stepFailed("publish tonight's reports", error, then: "; the next night finishes the publication")
            }
        } else {
            set.discard()
            logger.warning("tonight's reports are not all written: last night's reports stay at the top of \(options.reports)")
        }
        if summary.reportsComplete {
            do {
                let history = ReportHistory(reports: options.reports)
                summary.history = "history/" + summary.historyDate
                summary.ended = Clocks.epochMilliseconds()
                summary.seconds = Clocks.monotonicSeconds() - clockStart
                var files = summary.published
                if FileSystem.kind(of: options.reports + "/ingest_report.json") == .file { files.append("ingest_report.json") }
                try history.keep(date: summary.historyDate, files: files.sorted(), extra: [("run_summary.json", summary.json())])
                summary.removed = try history.prune(keepDays: options.keepDays, now: started, protecting: summary.historyDate)
                let pruned =
                    summary.removed.isEmpty
                    ? "" : "; removed \(summary.removed.joined(separator: ", ")) (older than KEEP_DAYS \(options.keepDays))"
                logger.info("kept \(summary.history!) in \(options.reports)\(pruned)")
            } catch {
                stepFailed("keep the dated copy of the reports", error)
                summary.history = nil
            }
            if summary.history != nil {
                let t0 = Clocks.monotonicSeconds()
                do {
                    let c = try ReportHistory(reports: options.reports).compact(except: summary.historyDate, workers: options.workers)
                    if c.compressed > 0 {
                        logger.info(
                            "compressed \(c.compressed) report file(s) of earlier dated copies, \(c.plainBytes / 1_000_000) MB to \(c.storedBytes / 1_000_000) MB (\(c.shared) shared with the day before's; \(c.copiedMembers) of \(c.members) gzip members copied from it), in \(Clocks.seconds(Clocks.monotonicSeconds() - t0)) s"
                        )
                    }
                } catch {
                    stepFailed(
                        "compress the earlier dated copies", error,
                        then: "; what was not compressed stays as it is, and the next night tries again")
                }
            }
        }
        summary.exitCode = exit
        summary.ended = Clocks.epochMilliseconds()
        summary.seconds = Clocks.monotonicSeconds() - clockStart
        do {
            try FileSystem.createDirectory(options.reports)
            try AtomicFileWriter.write(summary.json(), to: options.reports + "/run_summary.json")
        } catch {
            stepFailed("write run_summary.json", error)
            summary.exitCode = exit
        }
        do {
            let previous = (try? PosixFile.readAll(options.promPath)).map { String(decoding: $0, as: UTF8.self) }
            let lastSuccess = previous.flatMap { PrometheusText.value(of: NightlySummary.lastSuccessMetric, in: $0) }
            if let slash = options.promPath.lastIndex(of: "/") {
                try FileSystem.createDirectory(String(options.promPath[..<slash]))
            }
            try AtomicFileWriter.write(summary.prometheus(previousSuccess: lastSuccess).render(), to: options.promPath)
        } catch {
            stepFailed("write \(options.promPath)", error)
        }
        let line = "done in \(Clocks.seconds(summary.seconds)) s: exit \(exit) (\(NightlySummary.meaning(of: exit)))"
        if exit == 0 { logger.info("\(line)") } else { logger.error("\(line)") }
        return exit
    }

    /// The jobs that present tonight's reports, after the report jobs.
    static let presenters = [ReportCatalog.dashboard, ReportCatalog.workbook]

    /// Runs the report jobs: all at once when `workers` > 1, since each
    /// leaves cores idle while it loads the warehouse or writes its files
    /// (they only read the warehouse, under a shared lock, and write
    /// different report files); one after the other with one worker, so that
    /// `WORKERS=1` keeps the night on one core. Outcomes come back in
    /// ``reportJobs`` order either way.
    static func runReportJobs(_ options: NightlySettings, recordFolder: String, reports: String, logger: Logger) -> [JobOutcome] {
        let jobs = ReportCatalog.reportJobs.map { spec in
            (
                spec.job,
                options.report.arguments + (spec.takesLinks ? options.links.arguments : [])
                    + (spec.takesPeople ? options.people.arguments : [])
                    // Tonight's reports are written into the staging folder;
                    // last night's, whose unchanged periods they keep, are
                    // the published ones.
                    + ["--previous-reports", options.reports] + (options.night.full ? ["--full"] : [])
            )
        }
        return runTogether(jobs, options, recordFolder: recordFolder, reports: reports, logger: logger)
    }

    /// Runs the dashboard and the workbook over tonight's reports, together
    /// as the report jobs are.
    static func runPresenters(_ options: NightlySettings, recordFolder: String, reports: String, logger: Logger) -> [JobOutcome] {
        let families = options.report.families
        let jobs = [
            (ReportCatalog.dashboard, options.dashboard.arguments(families: families)),
            (ReportCatalog.workbook, options.dashboard.arguments(families: families) + options.workbook.arguments),
        ]
        return runTogether(jobs, options, recordFolder: recordFolder, reports: reports, logger: logger)
    }

    /// Runs `jobs` (each a name and its own arguments): all at once when
    /// `workers` > 1, one after the other otherwise; outcomes in `jobs` order.
    static func runTogether(
        _ jobs: [(String, [String])], _ options: NightlySettings, recordFolder: String, reports: String, logger: Logger
    ) -> [JobOutcome] {
        let run: @Sendable (String, [String]) -> JobOutcome = { job, arguments in
            runJob(job, arguments: arguments, options, recordFolder: recordFolder, reports: reports, wait: options.wait, logger: logger)
        }
        guard options.workers > 1 else { return jobs.map(run) }
        // One queue each (not concurrentPerform, which runs only as many at
        // once as there are processors): they start together and each
        // thread just waits for its child.
        let outcomes = Mutex([JobOutcome?](repeating: nil, count: jobs.count))
        let group = DispatchGroup()
        for (k, (job, arguments)) in jobs.enumerated() {
            DispatchQueue(label: "silta.nightly." + job).async(group: group) {
                let outcome = run(job, arguments)
                outcomes.withLock { $0[k] = outcome }
            }
        }
        group.wait()
        return outcomes.withLock { $0.map { $0! } }
    }

    /// Runs one job as a child process and reads its record.
    static func runJob(
        _ job: String, arguments: [String], _ options: NightlySettings, recordFolder: String, reports: String, wait: Double,
        logger: Logger
    ) -> JobOutcome {
        let recordPath = recordFolder + "/" + job + ".json"
        return runChild(
            job, arguments: arguments + options.common.arguments(reports: reports, wait: wait, runRecord: recordPath), options,
            recordFolder: recordFolder, record: job, logger: logger, argumentsHaveRecord: true)
    }

    /// Runs `job` from the jobs' folder with `arguments` (and, unless they
    /// have one, `--run-record RECORD_FOLDER/<record>.json`), and reads its record.
    static func runChild(
        _ job: String, arguments: [String], _ options: NightlySettings, recordFolder: String, record: String, logger: Logger,
        argumentsHaveRecord: Bool = false
    ) -> JobOutcome {
        let recordPath = recordFolder + "/" + record + ".json"
        try? FileSystem.remove(recordPath)
        let all = argumentsHaveRecord ? arguments : arguments + ["--run-record", recordPath]
        let start = Clocks.monotonicSeconds()
        var outcome = JobOutcome(job: job)
        do {
            let ending = try ChildProcess.run(options.binDir + "/" + job, all)
            outcome.ending = ending
            outcome.seconds = Clocks.monotonicSeconds() - start
            outcome.record = (try? PosixFile.readAll(recordPath)).flatMap { JobRecord(json: $0) }
            if outcome.record == nil { outcome.note = "no run record: the job ended before writing it" }
            if case .signalled(let s) = ending {
                outcome.note = "killed by signal \(s)"
                logger.error("\(job): killed by signal \(s) after \(Clocks.seconds(outcome.seconds!)) s")
            } else if ending.code != 0 {
                logger.warning(
                    "\(job): exit \(ending.code) (\(NightlySummary.meaning(of: ending.code))) after \(Clocks.seconds(outcome.seconds!)) s")
            } else {
                logger.info("\(job): exit 0 in \(Clocks.seconds(outcome.seconds!)) s")
            }
        } catch {
            outcome.ending = .exited(127)
            outcome.seconds = Clocks.monotonicSeconds() - start
            outcome.note = "could not start: \(error)"
            logger.error(
                "\(job): could not start \(options.binDir)/\(job): \(error) (build it with `make build`, or set SILTA_BIN to the installed jobs)"
            )
        }
        return outcome
    }
}

/// Another night holds the nightly lock.
package struct NightlyBusy: Error, CustomStringConvertible {
    package let path: String
    package let owner: String?
    package var description: String {
        "another nightly run (\(owner ?? "owner unknown")) holds \(path); this run changes nothing. "
            + "If nights overlap often, start the cron job earlier, or let it wait with WAIT=SECONDS (--wait)"
    }
}
