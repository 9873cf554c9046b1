import SiltaEvents
import SiltaJobKit
import SiltaReportJobs
import SiltaReports
import SiltaSupport

/// `run_summary.json` and `silta.prom`: what one night did.
package struct NightlySummary: Sendable {
    package var options: NightlySettings
    /// UTC epoch milliseconds.
    package var started: Int64
    package var ended: Int64
    package var seconds = 0.0
    package var outcomes: [JobOutcome]
    package var exitCode: Int32 = 0
    /// The dated copy kept, relative to `REPORTS`.
    package var history: String?
    /// Dated copies removed by the retention.
    package var removed: [String] = []
    /// The identity file of the night, and what became of it.
    package var identities = Identities(file: nil)

    /// The night's identity file: none, used, or invalid (then no report job runs).
    package struct Identities: Sendable {
        package var file: String?
        package var used: IdentitiesUsed?
        /// Why the file is refused, when it is.
        package var error: String?

        package init(file: String?) { self.file = file }
    }

    package init(options: NightlySettings, started: Int64, outcomes: [JobOutcome]) {
        self.options = options
        self.started = started
        self.ended = started
        self.outcomes = outcomes
        self.exitCode = pipelineExit
    }

    /// The first failing job's code (an importer's included); else 78 when
    /// the identity file is invalid; else 2 when ingest or an importer met
    /// damaged files; else 0.
    package var pipelineExit: Int32 {
        for o in outcomes {
            if let code = o.ending?.code, !o.completed { return code }
        }
        if identities.error != nil { return SiltaExit.badSetting.rawValue }
        return outcomes.contains { $0.ending?.code == SiltaExit.damagedInput.rawValue } ? SiltaExit.damagedInput.rawValue : 0
    }

    /// The report files published tonight (``ReportSet``), sorted.
    package var published: [String] = []

    /// True when ingest finished (0 or 2) and every report job succeeded
    /// (an importer that failed does not keep tonight's reports back: they
    /// are what the logs hold; the exit code says it failed).
    package var jobsComplete: Bool { outcomes.filter { !$0.isImporter }.allSatisfy(\.completed) }

    /// True when every job succeeded and tonight's set was published: the
    /// reports at the top of `REPORTS` are all this night's.
    package var reportsComplete: Bool { jobsComplete && !published.isEmpty }

    /// The first report job's record.
    private var reportRecord: JobRecord? {
        outcomes.first { ReportCatalog.reportJob($0.job) != nil && $0.record != nil }?.record
    }

    /// The as-of date of the reports in their time zone; without events, the
    /// UTC date the night started.
    package var historyDate: String {
        if let d = reportRecord?.text(.asOfDate), ReportHistory.day(of: d) != nil { return d }
        return RFC3339.formatDate(days: Int(started / 86_400_000))
    }

    /// The ingest record, when ingest wrote one.
    private var ingestRecord: JobRecord? { outcomes.first { $0.job == NightlyRunner.ingestJob }?.record }

    static func meaning(of code: Int32) -> String {
        if let known = SiltaExit(rawValue: code) { return known.meaning }
        if code == 127 { return "a job could not be started" }
        if code > 128 { return "a job was killed by signal \(code - 128)" }
        return "exit \(code)"
    }

    /// The summary as pretty-printed JSON, keys in a fixed order.
    package func json() -> String {
        var w = JSONWriter()
        w.beginReport("run_summary")
        w.key("started_at")
        w.string(RFC3339.format(milliseconds: started))
        w.key("ended_at")
        w.string(RFC3339.format(milliseconds: ended))
        w.key("seconds")
        w.value { $0 += Array(Clocks.seconds(seconds).utf8) }
        w.key("exit_code")
        w.integer(exitCode)
        w.key("meaning")
        w.string(Self.meaning(of: exitCode))
        w.key("reports_complete")
        w.bool(reportsComplete)
        w.key("as_of")
        w.string(reportRecord?.text(.asOf))
        w.key("as_of_date")
        w.string(reportRecord?.text(.asOfDate))
        w.key("time_zone")
        w.string(options.report.timeZone)
        w.key("identities")
        if let file = identities.file {
            w.beginObject(.spaced)
            w.key("file")
            w.string(file)
            if let used = identities.used {
                w.key("sha256")
                w.string(used.sha256)
                for (key, n) in [("ids", used.ids), ("persons", used.persons), ("bots", used.bots)] {
                    w.key(key)
                    w.integer(n)
                }
            }
            w.key("error")
            w.string(identities.error)
            w.endObject()
        } else {
            w.null()
        }
        w.key("bot_events")
        if let n = reportRecord?.integer(.botEvents) { w.integer(n) } else { w.null() }
        w.key("history")
        w.string(history)
        w.key("history_removed")
        w.beginArray(.spaced)
        for r in removed { w.string("history/" + r) }
        w.endArray()
        w.key("settings")
        w.beginObject(.spaced)
        for (key, value) in [("logs", options.logs), ("warehouse", options.warehouse), ("reports", options.reports)] {
            w.key(key)
            w.string(value)
        }
        w.key("workers")
        w.integer(options.workers)
        w.key("periods")
        w.beginArray(.spaced)
        for f in options.report.families { w.string(f.rawValue) }
        w.endArray()
        w.key("keep_days")
        w.integer(options.keepDays)
        w.key("prom_file")
        w.string(options.promPath)
        w.endObject()
        w.key("jobs")
        w.beginArray(.lines(indent: 4))
        for o in outcomes {
            w.beginObject(.spaced)
            w.key("job")
            w.string(o.job)
            w.key("exit_code")
            if let code = o.ending?.code { w.integer(code) } else { w.null() }
            w.key("meaning")
            w.string(o.ending.map { Self.meaning(of: $0.code) })
            w.key("seconds")
            if let s = o.seconds { w.value { $0 += Array(Clocks.seconds(s).utf8) } } else { w.null() }
            w.key("note")
            w.string(o.note)
            w.key("figures")
            if let record = o.record { record.writeFigures(to: &w) } else { w.null() }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.finishLine()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The metric that carries the last success over from night to night.
    package static let lastSuccessMetric = "silta_last_success_timestamp_seconds"

    /// The Prometheus metrics of this night.
    /// - Parameter previousSuccess: the last success time in the previous
    ///   file, kept when this night failed.
    package func prometheus(previousSuccess: Double?) -> PrometheusText {
        let startSeconds = Double(started) / 1000
        let endSeconds = Double(ended) / 1000
        let success = exitCode == 0
        let ingest = ingestRecord
        func figure(_ f: JobRecord.Figure) -> Double { Double(ingest?.integer(f) ?? 0) }
        typealias F = PrometheusText.Family
        return PrometheusText(families: [
            F("silta_last_run_start_timestamp_seconds", help: "When the last nightly run started (Unix time).", value: startSeconds),
            F("silta_last_run_end_timestamp_seconds", help: "When the last nightly run ended (Unix time).", value: endSeconds),
            F("silta_last_run_duration_seconds", help: "How long the last nightly run took.", value: seconds),
            F(
                "silta_last_run_exit_code", help: "Exit code of the last nightly run (0 success, 2 damaged input; README).",
                value: Double(exitCode)),
            F("silta_last_run_success", help: "1 when the last nightly run exited 0, else 0.", value: success ? 1 : 0),
            F(
                Self.lastSuccessMetric, help: "When the last nightly run that exited 0 ended (Unix time); 0 if none yet.",
                value: success ? endSeconds : (previousSuccess ?? 0)),
            F("silta_events_ingested", help: "New events the last run stored in the warehouse.", value: figure(.eventsIngested)),
            F("silta_lines_rejected", help: "Log lines the last run rejected (see WAREHOUSE/rejects).", value: figure(.linesRejected)),
            F("silta_damaged_files", help: "Log files the last run found damaged or unreadable.", value: figure(.filesDamaged)),
            F(
                "silta_future_events", help: "New events the last run found dated more than a day ahead of the clock.",
                value: figure(.futureEvents)),
            F("silta_warehouse_events", help: "Events in the warehouse after the last run.", value: figure(.warehouseEvents)),
            F(
                "silta_import_failures", help: "Importers of the sources file that failed in the last run.",
                value: Double(outcomes.filter { $0.isImporter && !$0.completed }.count)),
            F(
                "silta_identities_invalid", help: "1 when the last run refused its identity file (no report job ran), else 0.",
                value: identities.error == nil ? 0 : 1),
            F(
                "silta_bot_events", help: "Events the last run's reports left out as bots' (identity file).",
                value: Double(reportRecord?.integer(.botEvents) ?? 0)),
            F(
                "silta_job_exit_code", help: "Each job's exit code in the last run; -1 when it did not run.",
                samples: outcomes.map { ([("job", $0.job)], Double($0.ending?.code ?? -1)) }),
            F(
                "silta_job_duration_seconds", help: "Each job's running time in the last run; 0 when it did not run.",
                samples: outcomes.map { ([("job", $0.job)], $0.seconds ?? 0) }),
        ])
    }
}
