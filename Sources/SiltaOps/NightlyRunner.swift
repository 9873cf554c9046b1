import Dispatch
import Logging
import Synchronization
import SiltaEvents
import SiltaJobKit
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a nightly run is asked to do: the make variables of reports.md and
/// the operations settings (history retention, the Prometheus file).
public struct NightlyOptions: Sendable {
    public var logs: String
    public var warehouse: String
    public var reports: String
    public var workers: Int
    public var periods: [String] = ["day", "week", "month"]
    public var timeZone = "UTC"
    public var asOf: String?
    /// Days of dated report copies to keep; 0 keeps all.
    public var keepDays = 90
    /// Where `silta.prom` goes; `nil` for `REPORTS/silta.prom`.
    public var promFile: String?
    /// Seconds to wait for the nightly lock (and, in the report jobs, the warehouse lock).
    public var wait: Double = 0
    /// Seconds the night's ingest waits for the warehouse lock (report jobs
    /// run by hand read under it); at least ``wait``.
    public var ingestWait: Double = 600
    /// What one log file may cost ingest.
    public var readLimits = ReadLimitOptions()
    /// The community-links setting of the bridging job.
    public var links = LinksOptions()
    /// The folder holding the job executables.
    public var binDir: String
    /// `-q` or `-v`, passed to every job.
    public var logFlag: String?

    public init(logs: String, warehouse: String, reports: String, workers: Int, binDir: String) {
        self.logs = logs
        self.warehouse = warehouse
        self.reports = reports
        self.workers = workers
        self.binDir = binDir
    }

    /// The Prometheus file's path.
    public var promPath: String { promFile ?? reports + "/silta.prom" }
}

/// How one job of the night went.
public struct JobOutcome: Sendable {
    public var job: String
    /// `nil` when the job was not run.
    public var ending: ChildProcess.Ending?
    public var seconds: Double?
    /// What the job wrote to `--run-record`; `nil` when it died first.
    public var record: JobRecord?
    /// Why it was not run, or why it has no record.
    public var note: String?

    /// The job ran and did its work: it exited 0 or, for ingest, 2 (some
    /// files damaged, every readable line still ingested).
    public var completed: Bool {
        guard let code = ending?.code else { return false }
        return code == SiltaExit.success.rawValue || (job == NightlyRunner.ingestJob && code == SiltaExit.damagedInput.rawValue)
    }
}

/// The whole night: ingest, then every report job, under the nightly lock,
/// then `run_summary.json`, the dated copy of the reports, the retention, and
/// `silta.prom`.
public enum NightlyRunner {
    /// The jobs, in the order they run.
    public static let ingestJob = "ingest"
    public static let reportJobs = ["engagement", "social-capital", "bridging"]

    /// The lock that keeps two nights apart, in the warehouse folder.
    public static func lockPath(warehouse: String) -> String { warehouse + "/nightly.lock" }

    /// Runs the night. Returns the pipeline's exit status: the first failing
    /// job's code; else 2 when ingest met damaged files; else 0.
    /// - Throws: ``FileLock/Busy`` when another night holds the lock (nothing
    ///   is run or written then), or a ``SystemError`` when the warehouse
    ///   folder cannot be created.
    public static func run(_ options: NightlyOptions, logger: Logger) throws -> SiltaExit.RawValue {
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

        let recordFolder = options.warehouse + "/nightly"
        try FileSystem.createDirectory(recordFolder)
        // Tonight's reports are written aside and published as one set.
        let set = ReportSet(reports: options.reports)
        try set.prepare()
        var outcomes: [JobOutcome] = []
        let ingest = runJob(
            ingestJob, arguments: ["--logs", options.logs] + options.readLimits.arguments, options, recordFolder: recordFolder,
            reports: options.reports, wait: max(options.wait, options.ingestWait), logger: logger)
        outcomes.append(ingest)
        let ingestCode = ingest.ending?.code ?? SiltaExit.failure.rawValue
        var reportArguments = ["--periods"] + options.periods + ["--time-zone", options.timeZone]
        if let asOf = options.asOf { reportArguments += ["--as-of", asOf] }
        if ingest.completed {
            outcomes += runReportJobs(
                arguments: reportArguments, options, recordFolder: recordFolder, reports: set.staging, logger: logger)
        } else {
            for job in reportJobs {
                logger.warning("\(job): not run, because ingest failed (exit \(ingestCode))")
                outcomes.append(JobOutcome(job: job, note: "not run: ingest failed"))
            }
        }

        var summary = NightlySummary(options: options, started: started, outcomes: outcomes)
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

    /// Runs the report jobs: all at once when `workers` > 1, since each
    /// leaves cores idle while it loads the warehouse or writes its files
    /// (they only read the warehouse, under a shared lock, and write
    /// different report files); one after the other with one worker, so that
    /// `WORKERS=1` keeps the night on one core. Outcomes come back in
    /// ``reportJobs`` order either way.
    static func runReportJobs(
        arguments: [String], _ options: NightlyOptions, recordFolder: String, reports: String, logger: Logger
    ) -> [JobOutcome] {
        let run: @Sendable (String) -> JobOutcome = { job in
            let own = job == "bridging" ? options.links.arguments : []
            return runJob(
                job, arguments: arguments + own, options, recordFolder: recordFolder, reports: reports, wait: options.wait,
                logger: logger)
        }
        guard options.workers > 1 else { return reportJobs.map(run) }
        // One queue each (not concurrentPerform, which runs only as many at
        // once as there are processors): the three start together and each
        // thread just waits for its child.
        let outcomes = Mutex([JobOutcome?](repeating: nil, count: reportJobs.count))
        let group = DispatchGroup()
        for (k, job) in reportJobs.enumerated() {
            DispatchQueue(label: "silta.nightly." + job).async(group: group) {
                let outcome = run(job)
                outcomes.withLock { $0[k] = outcome }
            }
        }
        group.wait()
        return outcomes.withLock { $0.map { $0! } }
    }

    /// Runs one job as a child process and reads its record.
    static func runJob(
        _ job: String, arguments: [String], _ options: NightlyOptions, recordFolder: String, reports: String, wait: Double,
        logger: Logger
    ) -> JobOutcome {
        let recordPath = recordFolder + "/" + job + ".json"
        try? FileSystem.remove(recordPath)
        var all = arguments + [
            "--warehouse", options.warehouse, "--reports", reports, "--workers", String(options.workers),
            "--wait", String(wait), "--run-record", recordPath,
        ]
        if let flag = options.logFlag { all.append(flag) }
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
                logger.warning("\(job): exit \(ending.code) (\(NightlySummary.meaning(of: ending.code))) after \(Clocks.seconds(outcome.seconds!)) s")
            } else {
                logger.info("\(job): exit 0 in \(Clocks.seconds(outcome.seconds!)) s")
            }
        } catch {
            outcome.ending = .exited(127)
            outcome.seconds = Clocks.monotonicSeconds() - start
            outcome.note = "could not start: \(error)"
            logger.error(
                "\(job): could not start \(options.binDir)/\(job): \(error) (build it with `make build`, or set SILTA_BIN to the installed jobs)")
        }
        return outcome
    }
}

/// Another night holds the nightly lock.
public struct NightlyBusy: Error, CustomStringConvertible {
    public let path: String
    public let owner: String?
    public var description: String {
        "another nightly run (\(owner ?? "owner unknown")) holds \(path); this run changes nothing. "
            + "If nights overlap often, start the cron job earlier, or let it wait with WAIT=SECONDS (--wait)"
    }
}
