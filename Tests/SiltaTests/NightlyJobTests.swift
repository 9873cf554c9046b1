import Dispatch
import Foundation
import SiltaReportJobs
import SiltaSupport
import Testing

/// The nightly job and the cron wrapper, run as cron and an operator would
/// (issue "Nightly operations").
@Suite(.serialized) struct NightlyJobTests {
    static let wrapper = Paths.repository.appendingPathComponent("Jobs/cron/silta-nightly")
    static let sampleLogs = Paths.sampleData.appendingPathComponent("logs").path

    /// One line of any job's log: `2026-11-29T02:00:03.412Z ingest info: ...`.
    static let logLine = try! NSRegularExpression(
        pattern: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [a-z-]+ (trace|debug|info|notice|warning|error|critical): \S"#)

    static func isLogLine(_ line: Substring) -> Bool {
        let s = String(line)
        return logLine.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// cron's environment: nothing but what the crontab line sets.
    static func cronEnvironment(_ s: Scratch, logs: String = sampleLogs, extra: [String: String] = [:]) -> [String: String] {
        [
            "SILTA_HOME": Paths.repository.path, "SILTA_BIN": Paths.binaries.path, "SILTA_LOG_DIR": s.sub("log"),
            "LOGS": logs, "WAREHOUSE": s.sub("wh"), "REPORTS": s.sub("reports"), "WORKERS": "2",
        ].merging(extra) { $1 }
    }

    static func runWrapper(_ env: [String: String]) throws -> RunResult {
        // `env -i` semantics: the environment is exactly `env`, PATH included (none).
        try runProgram(URL(fileURLWithPath: "/bin/sh"), [wrapper.path], environment: env)
    }

    static func logText(_ s: Scratch) throws -> String {
        let folder = s.sub("log")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("silta-") }
        #expect(names.count == 1, "one dated log file: \(names)")
        return try String(contentsOfFile: folder + "/" + names[0], encoding: .utf8)
    }

    static func nightly(_ s: Scratch, _ extra: [String]) throws -> RunResult {
        try runJob(
            "nightly",
            ["--logs", sampleLogs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2"] + extra)
    }

    static func parseProm(_ path: String) throws -> [String: Double] {
        let r = try runProgram(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", Paths.tests.appendingPathComponent("ops/parse_prom.py").path, path])
        #expect(r.status == 0, "prometheus_client must parse \(path): \(r.stderr)")
        guard r.status == 0 else { return [:] }
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        return (object["samples"] as! [String: Any]).mapValues { ($0 as! NSNumber).doubleValue }
    }

    @Test func theWrapperRunsANightInCronsEnvironmentAndLogsPlainLines() throws {
        let s = Scratch()
        let r = try Self.runWrapper(Self.cronEnvironment(s))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.isEmpty, "a good night prints nothing, so cron mails nothing")
        let log = try Self.logText(s)
        #expect(!log.utf8.contains(0x1B) && !log.utf8.contains(0x0D), "no terminal escapes or carriage returns in a cron log")
        let lines = log.split(separator: "\n")
        for line in lines { #expect(Self.isLogLine(line), "not a whole log line: \(line)") }
        for job in ["silta-nightly", "nightly", "ingest", "engagement", "social-capital", "bridging"] {
            #expect(lines.contains { $0.contains(" \(job) info: ") }, "\(job) logged its steps")
        }
        #expect(log.contains("ingest info: done in"))
        #expect(log.contains("events") && log.contains("MB/s"))
        let summary = try readJSON(s.sub("reports/run_summary.json"))
        #expect(summary["exit_code"] as? Int == 0)
        #expect(summary["history"] as? String == "history/2026-11-01")
        #expect(FileManager.default.fileExists(atPath: s.sub("reports/history/2026-11-01/engagement_daily.csv")))
        let mode = try FileManager.default.attributesOfItem(atPath: s.sub("reports/run_summary.json"))[.posixPermissions] as! Int
        #expect(mode & 0o007 == 0, "umask 027: reports are not world-readable")

        // A failed night: cron mails this night's lines only, each a whole log line.
        let failed = try Self.runWrapper(Self.cronEnvironment(s, logs: s.sub("no-such-logs")))
        #expect(failed.status == 66)
        #expect(failed.stdout.isEmpty)
        let mailed = failed.stderr.split(separator: "\n")
        #expect(mailed.first?.contains("silta-nightly info: started") == true)
        #expect(!failed.stderr.contains("finished, exit 0"), "the good night's lines are not mailed again")
        #expect(failed.stderr.contains("ingest error: cannot read the logs folder"))
        #expect(mailed.last?.contains("silta-nightly error: finished, exit 66") == true)
        for line in mailed { #expect(Self.isLogLine(line), "not a whole log line: \(line)") }
        for line in try Self.logText(s).split(separator: "\n") { #expect(Self.isLogLine(line), "\(line)") }
    }

    @Test func aSecondNightWhileTheFirstRunsExits75AndTouchesNothing() throws {
        let s = Scratch()
        let wh = s.folder("wh")
        // The first night: holding the nightly lock, as its `nightly` process does.
        let first = try FileLock(path: wh + "/nightly.lock", mode: .exclusive, waitSeconds: 0)
        first.setNote("pid 4242, started 2026-11-29T02:30:00.000Z")
        let second = try Self.runWrapper(Self.cronEnvironment(s))
        #expect(second.status == 75)
        #expect(second.stderr.contains("nightly error: another nightly run (pid 4242, started 2026-11-29T02:30:00.000Z) holds"))
        #expect(second.stderr.contains("exit 75"))
        #expect(!FileManager.default.fileExists(atPath: s.sub("reports/run_summary.json")))
        #expect(!FileManager.default.fileExists(atPath: s.sub("reports/silta.prom")))
        #expect(!FileManager.default.fileExists(atPath: wh + "/MANIFEST"), "ingest did not run")
        // Waiting is an option; when the first night ends the next one runs.
        let waited = try Self.nightly(s, ["--wait", "0.3"])
        #expect(waited.status == 75)
        first.release()
        #expect(try Self.runWrapper(Self.cronEnvironment(s)).status == 0)
    }

    @Test func historyKeepsOneFolderPerAsOfDateAndRetentionGoesByTheClock() throws {
        let s = Scratch()
        var published: [String: [String: Data]] = [:]
        for day in ["01", "02", "03"] {
            let r = try Self.nightly(s, ["--as-of", "2026-11-\(day)T12:00:00Z"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("of earlier dated copies") == (day != "01"), "\(r.stderr)")
            published["2026-11-" + day] = try Self.topReports(s).filter { $0.key != "silta.prom" }
        }
        let history = s.sub("reports/history")
        func folders() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: history).sorted()
        }
        #expect(try folders() == ["2026-11-01", "2026-11-02", "2026-11-03"])
        // The copies before the last are compressed, each file read back by
        // gzip as the bytes that night published; the run's records, the
        // dashboard and the workbook stay plain, as does the last copy.
        for date in ["2026-11-01", "2026-11-02", "2026-11-03"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: history + "/" + date)
            for (name, bytes) in published[date]! {
                let plain =
                    name == "ingest_report.json" || name == "run_summary.json" || !(name.hasSuffix(".csv") || name.hasSuffix(".json"))
                if date == "2026-11-03" || plain {
                    #expect(names.contains(name), "\(date)/\(name)")
                    if name != "run_summary.json" {
                        #expect(FileManager.default.contents(atPath: history + "/" + date + "/" + name) == bytes)
                    }
                } else {
                    #expect(!names.contains(name) && names.contains(name + ".gz"), "\(date)/\(name)")
                    #expect(try OpsTests.gunzip(history + "/" + date + "/" + name + ".gz") == bytes, "\(date)/\(name)")
                }
            }
        }
        let kept = try String(contentsOfFile: history + "/2026-11-02/run_summary.json", encoding: .utf8)
        #expect(kept.contains("\"as_of\": \"2026-11-02T12:00:00.000Z\""))
        // Same as-of date again: the folder is replaced, not duplicated.
        #expect(try Self.nightly(s, ["--as-of", "2026-11-03T18:00:00Z"]).status == 0)
        #expect(try folders() == ["2026-11-01", "2026-11-02", "2026-11-03"])
        #expect(
            try String(contentsOfFile: history + "/2026-11-03/run_summary.json", encoding: .utf8)
                .contains("2026-11-03T18:00:00.000Z"))

        // A future as-of (an event dated 9999) removes nothing: retention goes by the clock.
        #expect(try Self.nightly(s, ["--as-of", "9999-12-30T12:00:00Z", "--keep-days", "2"]).status == 0)
        #expect(try folders() == ["2026-11-01", "2026-11-02", "2026-11-03", "9999-12-30"])
        try FileManager.default.removeItem(atPath: history + "/9999-12-30")

        // KEEP_DAYS 2: copies dated, and made, two or more days before the clock go.
        for day in ["2026-11-01", "2026-11-02"] { try OpsTests.made(history + "/" + day, on: day) }
        let pruned = try Self.nightly(s, ["--as-of", "2026-11-04T12:00:00Z", "--keep-days", "2"])
        #expect(pruned.status == 0)
        #expect(try folders() == ["2026-11-03", "2026-11-04"])
        #expect(pruned.stderr.contains("removed 2026-11-01, 2026-11-02"))
        let summary = try readJSON(s.sub("reports/run_summary.json"))
        #expect(summary["history_removed"] as? [String] == ["history/2026-11-01", "history/2026-11-02"])

        // KEEP_DAYS 1 never removes the latest night, nor the one just written.
        try OpsTests.made(history + "/2026-11-03", on: "2026-11-03")
        try OpsTests.made(history + "/2026-11-04", on: "2026-11-04")
        #expect(try Self.nightly(s, ["--as-of", "2026-10-20T12:00:00Z", "--keep-days", "1"]).status == 0)
        #expect(try folders() == ["2026-10-20", "2026-11-04"])
        // The latest reports stay at the top of REPORTS.
        #expect(FileManager.default.fileExists(atPath: s.sub("reports/engagement_daily.csv")))
    }

    @Test func thePrometheusFileParsesAndShowsAFailedNight() throws {
        let s = Scratch()
        #expect(try Self.nightly(s, []).status == 0)
        let prom = s.sub("reports/silta.prom")
        let good = try Self.parseProm(prom)
        #expect(good["silta_last_run_success"] == 1)
        #expect(good["silta_last_run_exit_code"] == 0)
        #expect(good["silta_events_ingested"] == 40_000)
        #expect(good["silta_lines_rejected"] == 75)
        #expect(good["silta_damaged_files"] == 0)
        #expect(good["silta_job_exit_code{job=bridging}"] == 0)
        let lastSuccess = try #require(good["silta_last_success_timestamp_seconds"])
        #expect(abs(lastSuccess - Date().timeIntervalSince1970) < 600)
        // Every line is HELP, TYPE or a sample.
        let text = try String(contentsOfFile: prom, encoding: .utf8)
        let sample = try NSRegularExpression(pattern: #"^[a-z_]+(\{job="[a-z-]+"\})? -?[0-9.]+$"#)
        for line in text.split(separator: "\n") where !line.hasPrefix("# HELP ") && !line.hasPrefix("# TYPE ") {
            let l = String(line)
            #expect(sample.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)) != nil, "bad line: \(l)")
        }

        // A failed night: the logs folder is gone.
        let failed = try runJob(
            "nightly",
            ["--logs", s.sub("no-such-logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2"])
        #expect(failed.status == 66)
        #expect(failed.stderr.contains("engagement: not run, because ingest failed (exit 66)"))
        let bad = try Self.parseProm(prom)
        #expect(bad["silta_last_run_success"] == 0)
        #expect(bad["silta_last_run_exit_code"] == 66)
        #expect(bad["silta_last_success_timestamp_seconds"] == lastSuccess, "the last success is carried over")
        #expect(bad["silta_job_exit_code{job=ingest}"] == 66)
        #expect(bad["silta_job_exit_code{job=engagement}"] == -1)
        #expect(bad["silta_events_ingested"] == 0)
        let summary = try readJSON(s.sub("reports/run_summary.json"))
        #expect(summary["exit_code"] as? Int == 66)
        #expect(summary["reports_complete"] as? Bool == false)
        #expect(summary["history"] is NSNull)
    }

    @Test func aJobKilledMidNightIsReportedAndKeepsNoHistory() throws {
        let s = Scratch()
        // The report writer dies between a CSV and its JSON twin.
        let env = ProcessInfo.processInfo.environment.merging(["SILTA_FAULT_POINT": "report-between-csv-and-json"]) { $1 }
        let r = try runJob(
            "nightly", ["--logs", Self.sampleLogs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2"],
            environment: env)
        #expect(r.status == 137, "128 + SIGKILL: \(r.stderr)")
        #expect(r.stderr.contains("engagement: killed by signal 9"))
        let summary = try readJSON(s.sub("reports/run_summary.json"))
        #expect(summary["exit_code"] as? Int == 137)
        #expect(summary["history"] is NSNull)
        #expect(!FileManager.default.fileExists(atPath: s.sub("reports/history")))
        let jobs = summary["jobs"] as! [[String: Any]]
        // The report jobs killed, so neither the dashboard nor the workbook run.
        #expect(jobs.map { $0["exit_code"] as? Int } == [0] + ReportCatalog.reportJobs.map { _ in 137 } + [nil, nil])
        #expect(jobs[1]["note"] as? String == "killed by signal 9")
        let prom = try Self.parseProm(s.sub("reports/silta.prom"))
        #expect(prom["silta_last_run_success"] == 0)
        #expect(prom["silta_last_success_timestamp_seconds"] == 0, "no night has succeeded yet")
    }

    @Test func damagedLogsStillKeepTheNightButExit2() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        try FileManager.default.copyItem(atPath: Self.sampleLogs, toPath: logs + "/sample")
        s.write("logs/broken.ndjson.gz", "not gzip at all\n")
        let r = try Self.runWrapper(Self.cronEnvironment(s, logs: logs))
        #expect(r.status == 2)
        #expect(r.stderr.contains("damaged: broken.ndjson.gz"), "cron mails the tail of the log")
        let summary = try readJSON(s.sub("reports/run_summary.json"))
        #expect(summary["exit_code"] as? Int == 2)
        #expect(summary["reports_complete"] as? Bool == true)
        #expect(summary["history"] as? String == "history/2026-11-01")
        let prom = try Self.parseProm(s.sub("reports/silta.prom"))
        #expect(prom["silta_damaged_files"] == 1)
        #expect(prom["silta_last_run_success"] == 0)
    }

    /// A night killed while it compresses the earlier dated copies loses none
    /// of them: each file is plain or whole compressed, and the next night
    /// finishes the job.
    @Test func aNightKilledWhileCompressingTheHistoryLosesNoCopy() throws {
        let s = Scratch()
        #expect(try Self.nightly(s, ["--as-of", "2026-11-01T12:00:00Z"]).status == 0)
        let first = try Self.topReports(s).filter { $0.key != "silta.prom" && $0.key != "run_summary.json" }
        var env = ProcessInfo.processInfo.environment
        env["SILTA_FAULT_POINT"] = "history-compress-before-rename"
        let args = ["--logs", Self.sampleLogs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2"]
        #expect(try runJob("nightly", args + ["--as-of", "2026-11-02T12:00:00Z"], environment: env).status == 9)
        let dir = s.sub("reports/history/2026-11-01")
        func intact() throws -> (plain: Int, compressed: Int) {
            var counts = (plain: 0, compressed: 0)
            for (name, bytes) in first {
                if let plain = FileManager.default.contents(atPath: dir + "/" + name) {
                    #expect(plain == bytes, "\(name)")
                    counts.plain += 1
                } else {
                    #expect(try OpsTests.gunzip(dir + "/" + name + ".gz") == bytes, "\(name)")
                    counts.compressed += 1
                }
            }
            return counts
        }
        #expect(try intact().plain == first.count, "killed before the first rename")
        #expect(try Self.nightly(s, ["--as-of", "2026-11-03T12:00:00Z"]).status == 0)
        #expect(try intact().plain == 3, "only the run's record, the dashboard and the workbook stay plain")
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.contains(AtomicFileWriter.temporaryMarker) }))
    }

    /// The report files at the top of REPORTS (not the history, not hidden files), by name.
    static func topReports(_ s: Scratch) throws -> [String: Data] {
        let dir = s.sub("reports")
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where !name.hasPrefix(".") {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir), !isDir.boolValue {
                out[name] = FileManager.default.contents(atPath: dir + "/" + name)
            }
        }
        return out
    }

    static let perNight: Set<String> = ["ingest_report.json", "run_summary.json", "silta.prom"]

    @Test func aNightsReportsAreOneSetAndStaleFamiliesLeave() throws {
        // Issue 10.7: after PERIODS=week, the daily and monthly files stayed at
        // the top of REPORTS, went into the history copy, and the summary said complete.
        let s = Scratch()
        #expect(try Self.nightly(s, []).status == 0)
        let reports = ReportCatalog.reportJobs.flatMap(\.reports).count
        #expect(try Self.topReports(s).keys.filter { $0.hasSuffix("_daily.csv") }.count == reports)
        let weekly = try Self.nightly(s, ["--periods", "week"])
        #expect(weekly.status == 0, "\(weekly.stderr)")
        let top = try Self.topReports(s).keys.filter { !Self.perNight.contains($0) }.sorted()
        #expect(top.count == 2 * reports + 2)
        #expect(
            top.allSatisfy { $0.contains("_weekly.") || $0 == ReportCatalog.dashboardFile || $0 == ReportCatalog.workbookFile }, "\(top)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: s.sub("reports/history/2026-11-01")).sorted()
        #expect(kept == (top + ["ingest_report.json", "run_summary.json"]).sorted())
        let summary = try readJSON(s.sub("reports/run_summary.json"))
        #expect(summary["reports_complete"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: s.sub("reports/.tonight")), "no staging folder left")
    }

    @Test func aFailedNightLeavesLastNightsReportsWhole() throws {
        // Issue 10.7: a full REPORTS disk left 14 files of tonight beside 10 of last night.
        let s = Scratch()
        #expect(try Self.nightly(s, []).status == 0)
        let before = try Self.topReports(s).filter { !Self.perNight.contains($0.key) }
        // Tonight the report jobs die while writing (as on a full disk).
        let env = ProcessInfo.processInfo.environment.merging(["SILTA_FAULT_POINT": "report-between-csv-and-json"]) { $1 }
        let r = try runJob(
            "nightly",
            [
                "--logs", Self.sampleLogs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2", "--as-of",
                "2026-11-30T00:00:00Z",
            ],
            environment: env)
        #expect(r.status == 137)
        #expect(r.stderr.contains("last night's reports stay"))
        #expect(try Self.topReports(s).filter { !Self.perNight.contains($0.key) } == before)
        #expect(!FileManager.default.fileExists(atPath: s.sub("reports/.tonight")))
    }

    @Test func aCrashWhilePublishingIsFinishedByTheNextNight() throws {
        let s = Scratch()
        #expect(try Self.nightly(s, []).status == 0)
        let env = ProcessInfo.processInfo.environment.merging(["SILTA_FAULT_POINT": "publish-after-first-rename"]) { $1 }
        let asOf = ["--as-of", "2026-11-30T00:00:00Z"]
        let r = try runJob(
            "nightly", ["--logs", Self.sampleLogs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2"] + asOf,
            environment: env)
        #expect(r.status != 0)
        #expect(FileManager.default.fileExists(atPath: s.sub("reports/.publishing")), "the journal of the cut publication")
        // The next night finishes the publication first, then writes its own set.
        #expect(try Self.nightly(s, asOf).status == 0)
        #expect(!FileManager.default.fileExists(atPath: s.sub("reports/.publishing")))
        let top = try Self.topReports(s).filter { !Self.perNight.contains($0.key) }
        // Every report, the dashboard and the workbook.
        #expect(top.count == 6 * ReportCatalog.reportJobs.flatMap(\.reports).count + 2)
        for (name, data) in top where name.hasSuffix(".json") {
            #expect(String(decoding: data, as: UTF8.self).contains("\"as_of\": \"2026-11-30T00:00:00.000Z\""), "\(name) is tonight's")
        }
    }

    @Test func theNightsIngestWaitsForAReportJobRunByHand() throws {
        // Issue 10.7: a report job run by hand made the night's ingest exit 75 at once.
        let s = Scratch()
        #expect(try Self.nightly(s, []).status == 0)
        let reader = try FileLock(path: s.sub("wh/LOCK"), mode: .shared, waitSeconds: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { reader.release() }
        let start = Date()
        let r = try Self.nightly(s, ["--ingest-wait", "30"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) >= 1.4)
        // A bounded wait: with --ingest-wait 0 (and WAIT 0) it is exit 75 at once, as before.
        let held = try FileLock(path: s.sub("wh/LOCK"), mode: .shared, waitSeconds: 0)
        defer { held.release() }
        #expect(try Self.nightly(s, ["--ingest-wait", "0"]).status == 75)
    }

    @Test func futureDatedEventsAreCountedAndWarnedAbout() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        s.write(
            "logs/a.ndjson",
            event(["id": "\"now\"", "ts": "\"2026-11-28T10:00:00Z\""]) + "\n"
                + event(["id": "\"future\"", "ts": "\"9999-12-31T10:00:00Z\""]) + "\n")
        let r = try runJob(
            "nightly", ["--logs", logs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("1 new event(s) are dated more than a day ahead of this machine's clock, the latest 9999-12-31T10:00:00"))
        let report = try readJSON(s.sub("reports/ingest_report.json"))
        #expect(report["future_events"] as? Int == 1)
        #expect(report["latest_future_event"] as? String == "9999-12-31T10:00:00.000Z")
        #expect(try Self.parseProm(s.sub("reports/silta.prom"))["silta_future_events"] == 1)
        // It still counts as events.md says: as-of is its instant.
        #expect(try readJSON(s.sub("reports/run_summary.json"))["as_of"] as? String == "9999-12-31T10:00:00.000Z")
    }

    @Test func aSettingsMistakeThroughMakeNamesTheMakeVariable() throws {
        // Issue 11: through make and cron, errors named --time-zone, had no timestamp, and gave no suggestion.
        let s = Scratch()
        let r = try Self.runWrapper(Self.cronEnvironment(s, extra: ["TZ_NAME": "europe/helsinki"]))
        #expect(r.status == 64, "\(r.stderr)")
        let log = try Self.logText(s)
        let line = log.split(separator: "\n").first { $0.contains("nightly error:") }
        #expect(line.map(Self.isLogLine) == true, "a timestamped log line: \(log)")
        #expect(
            line?.contains("TZ_NAME (--time-zone) \"europe/helsinki\" is not a known IANA time zone; did you mean Europe/Helsinki?") == true
        )
        // A plain date as AS_OF is the end of that day in TZ_NAME.
        let dated = try Self.runWrapper(Self.cronEnvironment(s, extra: ["AS_OF": "2026-11-30", "TZ_NAME": "Europe/Helsinki"]))
        #expect(dated.status == 0, "\(dated.stderr)")
        let engagement = try readJSON(s.sub("reports/engagement_daily.json"))
        #expect(engagement["as_of"] as? String == "2026-11-30T22:00:00.000Z")
        let wrong = try Self.runWrapper(Self.cronEnvironment(s, extra: ["AS_OF": "30.11.2026"]))
        #expect(wrong.status == 64)
        #expect(try Self.logText(s).contains("AS_OF (--as-of) \"30.11.2026\" is neither an RFC 3339 instant"))
    }

    @Test func theWrapperExplainsAMissingHome() throws {
        let s = Scratch()
        let r = try Self.runWrapper(Self.cronEnvironment(s, extra: ["SILTA_HOME": s.sub("nowhere")]))
        #expect(r.status == 78)
        #expect(r.stderr.contains("cannot enter SILTA_HOME="))
    }

    /// A checkout that was never built, with no usable `swift`: make fails
    /// before the nightly job runs, and the wrapper says so with 78, not
    /// make's 2 (which would read as "damaged logs"). The checkout is a copy
    /// of the Makefile, Package.swift and the wrapper, without `.build`.
    @Test func aBuildThatCannotRunStopsTheNightWith78() throws {
        let s = Scratch()
        for file in ["Makefile", "Package.swift", "Jobs/cron/silta-nightly"] {
            _ = s.sub("checkout/" + file)
            try FileManager.default.copyItem(atPath: Paths.repository.path + "/" + file, toPath: s.sub("checkout/" + file))
        }
        var env = Self.cronEnvironment(s, extra: ["SWIFT": "/no/such/swift", "SILTA_HOME": s.sub("checkout")])
        env["SILTA_BIN"] = nil
        let r = try runProgram(URL(fileURLWithPath: "/bin/sh"), [s.sub("checkout/Jobs/cron/silta-nightly")], environment: env)
        #expect(r.status == 78)
        #expect(r.stderr.contains("make run-jobs failed before the night started"))
        #expect(r.stderr.contains("log: " + s.sub("log") + "/silta-"), "an absolute SILTA_LOG_DIR is shown as it is")
        #expect(!FileManager.default.fileExists(atPath: s.sub("reports/run_summary.json")))
    }

    /// `--run-record`, which every job takes, holds the night's own exit code.
    @Test func theNightWritesItsOwnRunRecord() throws {
        let s = Scratch()
        #expect(try Self.nightly(s, ["--run-record", s.sub("night.json")]).status == 0)
        let good = try readJSON(s.sub("night.json"))
        #expect(good["job"] as? String == "nightly")
        #expect(good["exit_code"] as? Int == 0)
        let failed = try runJob(
            "nightly",
            [
                "--logs", s.sub("no-such-logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--run-record",
                s.sub("night.json"),
            ])
        #expect(failed.status == 66)
        #expect(try readJSON(s.sub("night.json"))["exit_code"] as? Int == 66)
    }

    @Test func everyJobHasVersionAndHelpWithExitCodes() throws {
        for job in ["nightly", "ingest", "engagement", "social-capital", "bridging", "generate-logs"] {
            let v = try runJob(job, ["--version"])
            #expect(v.status == 0 && v.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == SiltaVersion.of(job), "\(job)")
            let h = try runJob(job, ["--help"])
            #expect(h.status == 0 && h.stdout.contains("USAGE"), "\(job)")
        }
    }

    @Test func theProgressBarAppearsOnATerminalOnly() throws {
        let s = Scratch()
        let ingest = Paths.binary("ingest").path
        let command = "\(ingest) --logs \(Self.sampleLogs) --warehouse \(s.sub("wh1")) --reports \(s.sub("r1")) --workers 2"
        // `script` gives the job a pseudo-terminal, as an operator's shell would.
        let tty = try runProgram(
            URL(fileURLWithPath: "/usr/bin/script"), ["-qfec", command, "/dev/null"],
            environment: ["TERM": "xterm", "PATH": "/usr/bin:/bin"])
        #expect(tty.status == 0, "\(tty.stderr)")
        #expect(tty.stdout.contains("\r\u{1B}[Kingest [####################] 100%"))
        let plain = try runJob("ingest", ["--logs", Self.sampleLogs, "--warehouse", s.sub("wh2"), "--reports", s.sub("r2")])
        #expect(plain.status == 0)
        #expect(!plain.stderr.utf8.contains(0x1B) && !plain.stderr.utf8.contains(0x0D))
        let quiet = try runProgram(
            URL(fileURLWithPath: "/usr/bin/script"),
            ["-qfec", command.replacingOccurrences(of: "wh1", with: "wh3") + " --quiet", "/dev/null"],
            environment: ["TERM": "xterm", "PATH": "/usr/bin:/bin"])
        #expect(quiet.status == 0)
        #expect(!quiet.stdout.utf8.contains(0x1B), "--quiet draws no bar")
    }

    @Test(arguments: [40, 80, 200])
    func theProgressBarKeepsToOneLineOfTheTerminal(columns: Int) throws {
        let s = Scratch()
        let ingest = Paths.binary("ingest").path
        let command =
            "stty cols \(columns) rows 24; \(ingest) --logs \(Self.sampleLogs) --warehouse \(s.sub("wh")) --reports \(s.sub("r")) --workers 2"
        let tty = try runProgram(
            URL(fileURLWithPath: "/usr/bin/script"), ["-qfec", command, "/dev/null"],
            environment: ["TERM": "xterm", "PATH": "/usr/bin:/bin"])
        #expect(tty.status == 0, "\(tty.stderr)")
        // Every drawing of the bar: what follows "erase line" up to the next
        // carriage return or line end must fit in the width, less one.
        let drawings = tty.stdout.components(separatedBy: "\r\u{1B}[K").dropFirst().map {
            $0.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\r" || $0 == "\n" }).first.map(String.init) ?? ""
        }.filter { $0.hasPrefix("ingest [") || $0.hasPrefix("ingest ") && $0.contains("%") }
        #expect(!drawings.isEmpty, "the bar was drawn")
        for d in drawings { #expect(d.count <= columns - 1, "\(columns) columns: \(d)") }
    }
}
