import SiltaEvents
import SiltaJobKit
import SiltaSupport

/// `run_summary.json` and `silta.prom`: what one night did.
public struct NightlySummary: Sendable {
    public var options: NightlyOptions
    /// UTC epoch milliseconds.
    public var started: Int64
    public var ended: Int64
    public var seconds = 0.0
    public var outcomes: [JobOutcome]
    public var exitCode: Int32 = 0
    /// The dated copy kept, relative to `REPORTS`.
    public var history: String?
    /// Dated copies removed by the retention.
    public var removed: [String] = []

    public init(options: NightlyOptions, started: Int64, outcomes: [JobOutcome]) {
        self.options = options
        self.started = started
        self.ended = started
        self.outcomes = outcomes
        self.exitCode = pipelineExit
    }

    /// The first failing job's code; else 2 when ingest met damaged files; else 0.
    public var pipelineExit: Int32 {
        for o in outcomes {
            if let code = o.ending?.code, !o.completed { return code }
        }
        return outcomes.contains { $0.ending?.code == SiltaExit.damagedInput.rawValue } ? SiltaExit.damagedInput.rawValue : 0
    }

    /// The report files published tonight (``ReportSet``), sorted.
    public var published: [String] = []

    /// True when ingest finished (0 or 2) and every report job succeeded.
    public var jobsComplete: Bool { outcomes.allSatisfy(\.completed) }

    /// True when every job succeeded and tonight's set was published: the
    /// reports at the top of `REPORTS` are all this night's.
    public var reportsComplete: Bool { jobsComplete && !published.isEmpty }

    /// The first report job's record.
    private var reportRecord: JobRecord? {
        outcomes.first { $0.job != NightlyRunner.ingestJob && $0.record != nil }?.record
    }

    /// The as-of date of the reports in their time zone; without events, the
    /// UTC date the night started.
    public var historyDate: String {
        if let d = reportRecord?.text("as_of_date"), ReportHistory.day(of: d) != nil { return d }
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
    public func json() -> String {
        func q(_ s: String) -> String { JSONText.quoted(s) }
        func opt(_ s: String?) -> String { s.map(q) ?? "null" }
        var out = "{\n"
        out += "  \"schema_version\": 1,\n"
        out += "  \"report\": \"run_summary\",\n"
        out += "  \"generated_by\": \(q(SiltaVersion.generatedBy)),\n"
        out += "  \"started_at\": \(q(RFC3339.format(milliseconds: started))),\n"
        out += "  \"ended_at\": \(q(RFC3339.format(milliseconds: ended))),\n"
        out += "  \"seconds\": \(Clocks.seconds(seconds)),\n"
        out += "  \"exit_code\": \(exitCode),\n"
        out += "  \"meaning\": \(q(Self.meaning(of: exitCode))),\n"
        out += "  \"reports_complete\": \(reportsComplete),\n"
        out += "  \"as_of\": \(opt(reportRecord?.text("as_of"))),\n"
        out += "  \"as_of_date\": \(opt(reportRecord?.text("as_of_date"))),\n"
        out += "  \"time_zone\": \(q(options.timeZone)),\n"
        out += "  \"history\": \(opt(history)),\n"
        out += "  \"history_removed\": [" + removed.map { q("history/" + $0) }.joined(separator: ", ") + "],\n"
        out += "  \"settings\": {\"logs\": \(q(options.logs)), \"warehouse\": \(q(options.warehouse)), "
        out += "\"reports\": \(q(options.reports)), \"workers\": \(options.workers), "
        out += "\"periods\": [" + options.periods.map(q).joined(separator: ", ") + "], "
        out += "\"keep_days\": \(options.keepDays), \"prom_file\": \(q(options.promPath))},\n"
        out += "  \"jobs\": ["
        out += outcomes.map { o in
            var j = "\n    {\"job\": \(q(o.job)), "
            j += "\"exit_code\": \(o.ending.map { String($0.code) } ?? "null"), "
            j += "\"meaning\": \(o.ending.map { q(Self.meaning(of: $0.code)) } ?? "null"), "
            j += "\"seconds\": \(o.seconds.map(Clocks.seconds) ?? "null"), "
            j += "\"note\": \(opt(o.note)), "
            j += "\"figures\": \(o.record?.figuresJSON ?? "null")}"
            return j
        }.joined(separator: ",")
        out += "\n  ]\n}\n"
        return out
    }

    /// The metric that carries the last success over from night to night.
    public static let lastSuccessMetric = "silta_last_success_timestamp_seconds"

    /// The Prometheus metrics of this night.
    /// - Parameter previousSuccess: the last success time in the previous
    ///   file, kept when this night failed.
    public func prometheus(previousSuccess: Double?) -> PrometheusText {
        let startSeconds = Double(started) / 1000
        let endSeconds = Double(ended) / 1000
        let success = exitCode == 0
        let ingest = ingestRecord
        func figure(_ name: String) -> Double { Double(ingest?.integer(name) ?? 0) }
        typealias F = PrometheusText.Family
        return PrometheusText(families: [
            F("silta_last_run_start_timestamp_seconds", help: "When the last nightly run started (Unix time).", value: startSeconds),
            F("silta_last_run_end_timestamp_seconds", help: "When the last nightly run ended (Unix time).", value: endSeconds),
            F("silta_last_run_duration_seconds", help: "How long the last nightly run took.", value: seconds),
            F("silta_last_run_exit_code", help: "Exit code of the last nightly run (0 success, 2 damaged input; README).",
              value: Double(exitCode)),
            F("silta_last_run_success", help: "1 when the last nightly run exited 0, else 0.", value: success ? 1 : 0),
            F(Self.lastSuccessMetric, help: "When the last nightly run that exited 0 ended (Unix time); 0 if none yet.",
              value: success ? endSeconds : (previousSuccess ?? 0)),
            F("silta_events_ingested", help: "New events the last run stored in the warehouse.", value: figure("events_ingested")),
            F("silta_lines_rejected", help: "Log lines the last run rejected (see WAREHOUSE/rejects).", value: figure("lines_rejected")),
            F("silta_damaged_files", help: "Log files the last run found damaged or unreadable.", value: figure("files_damaged")),
            F("silta_future_events", help: "New events the last run found dated more than a day ahead of the clock.",
              value: figure("future_events")),
            F("silta_warehouse_events", help: "Events in the warehouse after the last run.", value: figure("warehouse_events")),
            F("silta_job_exit_code", help: "Each job's exit code in the last run; -1 when it did not run.",
              samples: outcomes.map { ([("job", $0.job)], Double($0.ending?.code ?? -1)) }),
            F("silta_job_duration_seconds", help: "Each job's running time in the last run; 0 when it did not run.",
              samples: outcomes.map { ([("job", $0.job)], $0.seconds ?? 0) }),
        ])
    }
}
