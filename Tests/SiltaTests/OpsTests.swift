import Foundation
import SiltaEvents
import SiltaJobKit
import SiltaOps
import SiltaReportJobs
import SiltaSupport
import Testing

/// The pieces of nightly operations, in process: dated copies and their
/// retention, the Prometheus text, run records, the progress bar.
@Suite struct OpsTests {
    static func makeReports(_ s: Scratch) -> ReportHistory {
        s.write("reports/engagement_daily.csv", "period_start,community\n")
        s.write("reports/engagement_daily.json", "{}\n")
        s.write("reports/notes.txt", "not a report\n")
        s.write("reports/.engagement_daily.csv.silta-tmp-1", "half\n")
        return ReportHistory(reports: s.sub("reports"))
    }

    @Test(arguments: [
        ("2026-11-28", true), ("2024-02-29", true), ("2026-02-29", false), ("2026-13-01", false),
        ("2026-00-10", false), ("2026-11-00", false), ("2026-11-31", false), ("26-11-28", false),
        ("2026-11-28x", false), ("../../etc", false), ("2026/11/28", false), ("２026-11-28", false),
    ])
    func onlyRealDatesNameAFolder(name: String, valid: Bool) {
        #expect((ReportHistory.day(of: name) != nil) == valid, "\(name)")
    }

    @Test func aDatedCopyHoldsTheReportsOnly() throws {
        let s = Scratch()
        let history = Self.makeReports(s)
        #expect(try history.reportFiles() == ["engagement_daily.csv", "engagement_daily.json"])
        let kept = try history.keep(date: "2026-11-28", files: try history.reportFiles(), extra: [("run_summary.json", "{\"n\":1}\n")])
        #expect(kept == "history/2026-11-28")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: s.sub("reports/history/2026-11-28")).sorted()
                == ["engagement_daily.csv", "engagement_daily.json", "run_summary.json"])
        // A second copy for the same date replaces the first whole.
        s.write("reports/engagement_daily.csv", "period_start,community\n2026-11-28,hr\n")
        try history.keep(date: "2026-11-28", files: ["engagement_daily.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.sub("reports/history/2026-11-28")) == ["engagement_daily.csv"])
        #expect(
            FileManager.default.contents(atPath: s.sub("reports/history/2026-11-28/engagement_daily.csv"))
                == Data("period_start,community\n2026-11-28,hr\n".utf8))
        #expect(throws: SystemError.self) { try history.keep(date: "../escape", files: []) }
        #expect(try history.dates() == ["2026-11-28"])
    }

    @Test func aDatedCopyIsASecondNameThatKeepsItsBytesWhenTheReportIsReplaced() throws {
        let s = Scratch()
        let history = Self.makeReports(s)
        try history.keep(date: "2026-11-28", files: ["engagement_daily.csv"])
        let top = s.sub("reports/engagement_daily.csv")
        let kept = s.sub("reports/history/2026-11-28/engagement_daily.csv")
        #expect(try FileManager.default.attributesOfItem(atPath: top)[.referenceCount] as? Int == 2, "a hard link, not a copy")
        // The next night replaces the report whole, as every report is written: the dated name keeps the old bytes.
        try AtomicFileWriter.write(Array("period_start,community\n2026-11-29,hr\n".utf8), to: top)
        #expect(FileManager.default.contents(atPath: kept) == Data("period_start,community\n".utf8))
        #expect(try FileManager.default.attributesOfItem(atPath: kept)[.referenceCount] as? Int == 1)
    }

    /// Sets a dated folder's modification time to noon UTC of `day` (as if made that day).
    /// `path` read through `gzip -dc`, an independent reader.
    static func gunzip(_ path: String) throws -> Data {
        let r = try runProgram(URL(fileURLWithPath: "/bin/gzip"), ["-dc", path])
        #expect(r.status == 0, "\(r.stderr)")
        return Data(r.stdout.utf8)
    }

    /// Earlier dated copies are compressed and shared where unchanged; the
    /// one just kept, the run's records, the dashboard and the workbook stay
    /// as they are; what a crash left is finished; the folders keep their
    /// modification time; a second pass changes nothing.
    @Test func earlierDatedCopiesAreCompressedAndSharedWhereUnchanged() throws {
        let s = Scratch()
        let history = Self.makeReports(s)
        let rows = (0..<3000).map { "2026-11-\($0 % 28 + 1),c\($0 % 7)\n" }.joined()
        func night(_ date: String, daily: String, weekly: String) throws {
            // Replaced whole, as the jobs write reports: the dated copies are second names.
            for (name, text) in [
                ("engagement_daily.csv", "period_start,community\n" + daily),
                ("engagement_weekly.csv", "period_start,community\n" + weekly), ("dashboard.html", "<html>\(date)</html>\n"),
            ] {
                try AtomicFileWriter.write(Array(text.utf8), to: s.sub("reports/" + name))
            }
            try history.keep(
                date: date, files: ["dashboard.html", "engagement_daily.csv", "engagement_weekly.csv"],
                extra: [("run_summary.json", "{\"night\":\"\(date)\"}\n"), ("ingest_report.json", "{}\n")])
            try Self.made(s.sub("reports/history/" + date), on: date)
        }
        try night("2026-11-26", daily: rows, weekly: "2026-11-23,a\n")
        try night("2026-11-27", daily: rows + "2026-11-27,b\n", weekly: "2026-11-23,a\n")
        try night("2026-11-28", daily: rows + "2026-11-28,b\n", weekly: "2026-11-23,a\n")
        let before = ["2026-11-26", "2026-11-27"].map {
            FileManager.default.contents(atPath: s.sub("reports/history/\($0)/engagement_daily.csv"))!
        }
        // A crash after a rename left a plain file beside its compressed twin, and a half-written temporary.
        let c = try history.compact(except: "2026-11-28", workers: 2)
        #expect(c.compressed == 4)
        #expect(c.shared == 1, "the weekly file did not change from the 26th to the 27th")
        #expect(c.storedBytes < c.plainBytes / 5)
        for (k, date) in ["2026-11-26", "2026-11-27"].enumerated() {
            let dir = s.sub("reports/history/" + date)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
                    == ["dashboard.html", "engagement_daily.csv.gz", "engagement_weekly.csv.gz", "ingest_report.json", "run_summary.json"])
            #expect(try Self.gunzip(dir + "/engagement_daily.csv.gz") == before[k])
            #expect(try Self.gunzip(dir + "/engagement_weekly.csv.gz") == Data("period_start,community\n2026-11-23,a\n".utf8))
            let made = try FileManager.default.attributesOfItem(atPath: dir)[.modificationDate] as? Date
            #expect(made == ISO8601DateFormatter().date(from: date + "T12:00:00Z"), "the retention reads this time")
        }
        let a = try FileManager.default.attributesOfItem(atPath: s.sub("reports/history/2026-11-26/engagement_weekly.csv.gz"))
        let b = try FileManager.default.attributesOfItem(atPath: s.sub("reports/history/2026-11-27/engagement_weekly.csv.gz"))
        #expect(a[.systemFileNumber] as? Int == b[.systemFileNumber] as? Int, "one file, two names")
        #expect(a[.systemFileNumber] as? Int != nil)
        // The copy just kept stays as the published files' second names.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: s.sub("reports/history/2026-11-28")).sorted()
                == ["dashboard.html", "engagement_daily.csv", "engagement_weekly.csv", "ingest_report.json", "run_summary.json"])
        #expect(try history.compact(except: "2026-11-28", workers: 2) == ReportHistory.Compaction())

        // What a crash leaves: a compressed file whose plain one was not yet
        // removed, and a temporary; the next pass finishes, bytes unchanged.
        let dir = s.sub("reports/history/2026-11-27")
        s.write("reports/history/2026-11-27/engagement_daily.csv", "stale plain twin\n")
        s.write("reports/history/2026-11-27/.engagement_weekly.csv.gz.silta-tmp-77", "half")
        try Self.made(dir, on: "2026-11-27")
        #expect(try history.compact(except: "2026-11-28", workers: 1).compressed == 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/engagement_daily.csv"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/.engagement_weekly.csv.gz.silta-tmp-77"))
        #expect(try Self.gunzip(dir + "/engagement_daily.csv.gz") == before[1])
        #expect(
            try FileManager.default.attributesOfItem(atPath: dir)[.modificationDate] as? Date
                == ISO8601DateFormatter().date(from: "2026-11-27T12:00:00Z"))
    }

    static func made(_ path: String, on day: String) throws {
        let date = ISO8601DateFormatter().date(from: day + "T12:00:00Z")!
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    @Test func retentionKeepsKeepDaysByTheMachinesClock() throws {
        let s = Scratch()
        let history = Self.makeReports(s)
        for d in ["2026-08-30", "2026-08-31", "2026-09-01", "2026-11-27", "2026-11-28"] {
            try history.keep(date: d, files: ["engagement_daily.csv"])
            try Self.made(s.sub("reports/history/" + d), on: d)
        }
        _ = s.folder("reports/history/keep-me")  // not a date: never touched
        let now = RFC3339.parse("2026-11-28T12:00:00Z")!
        // 90 days back from 2026-11-28 is 2026-08-30: that day is out, the 31st is in.
        #expect(try history.prune(keepDays: 90, now: now) == ["2026-08-30"])
        #expect(try history.prune(keepDays: 0, now: now) == [], "0 keeps everything")
        #expect(try history.prune(keepDays: 1, now: now, protecting: "2026-08-31") == ["2026-09-01", "2026-11-27"])
        #expect(try history.dates() == ["2026-08-31", "2026-11-28"])
        #expect(FileManager.default.fileExists(atPath: s.sub("reports/history/keep-me")))
    }

    @Test func aFutureDatedNightRemovesNoHistory() throws {
        // Issue 10.2: an event dated 9999-12-31 made as-of that date, and the
        // retention counted back from it and removed every copy.
        let s = Scratch()
        let history = Self.makeReports(s)
        for d in ["2026-09-15", "2026-10-01", "2026-11-27", "9999-12-31"] {
            try history.keep(date: d, files: ["engagement_daily.csv"])
        }
        for d in ["2026-09-15", "2026-10-01", "2026-11-27"] { try Self.made(s.sub("reports/history/" + d), on: d) }
        let now = RFC3339.parse("2026-11-28T02:30:00Z")!
        #expect(try history.prune(keepDays: 90, now: now, protecting: "9999-12-31") == [])
        #expect(try history.dates() == ["2026-09-15", "2026-10-01", "2026-11-27", "9999-12-31"])
        // Later, by the clock, the old copies go as usual; the future one stays.
        let later = RFC3339.parse("2027-01-10T02:30:00Z")!
        #expect(try history.prune(keepDays: 90, now: later) == ["2026-09-15", "2026-10-01"])
    }

    @Test func backfilledOldNightsAreKeptForKeepDaysFromWhenTheyWereMade() throws {
        let s = Scratch()
        let history = Self.makeReports(s)
        // Logs of 2020 read tonight: copies dated 2020, made now.
        for d in ["2020-01-01", "2020-01-02", "2020-06-30"] { try history.keep(date: d, files: ["engagement_daily.csv"]) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(try history.prune(keepDays: 90, now: now) == [])
        #expect(try history.prune(keepDays: 90, now: now + 91 * 86_400_000) == ["2020-01-01", "2020-01-02"])
    }

    @Test func aCrashWhileReplacingACopyIsUndoneOnTheNextRun() throws {
        let s = Scratch()
        let history = Self.makeReports(s)
        try history.keep(date: "2026-11-27", files: ["engagement_daily.csv"])
        // As a crash leaves things: a half-built copy, and a copy moved aside
        // whose replacement never arrived.
        s.write("reports/history/.building-2026-11-28-999/engagement_daily.csv", "half")
        try FileManager.default.moveItem(
            atPath: s.sub("reports/history/2026-11-27"), toPath: s.sub("reports/history/.replaced-2026-11-27"))
        try history.recover()
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.sub("reports/history")).sorted() == ["2026-11-27"])
    }

    @Test func prometheusNumbersAndEscapes() {
        let text = PrometheusText(families: [
            .init("a_seconds", help: "Back\\slash and\nnewline.", value: 1_795_959_669.866),
            .init("b", help: "h", samples: [([("job", "x\"y\\z")], 0.0005), ([("job", "n")], -3)]),
            .init("c", help: "h", value: .nan),
        ]).render()
        #expect(
            text == """
                # HELP a_seconds Back\\\\slash and\\nnewline.
                # TYPE a_seconds gauge
                a_seconds 1795959669.866
                # HELP b h
                # TYPE b gauge
                b{job="x\\"y\\\\z"} 0.001
                b{job="n"} -3
                # HELP c h
                # TYPE c gauge
                c NaN

                """)
        #expect(PrometheusText.value(of: "a_seconds", in: text) == 1_795_959_669.866)
        #expect(PrometheusText.value(of: "a", in: text) == nil)
    }

    @Test func aRunRecordReadsBackWhatWasWritten() throws {
        var record = JobRecord(job: "ingest", startedAt: 1_795_959_669_000)
        record.endedAt = 1_795_959_674_290
        record.exitCode = 2
        record.set(.filesRead, .integer(360))
        record.set(.asOfDate, .text("2026-11-28 \"q\""))
        record.set(.bytesUncompressed, .number(170.5))
        record.set(.filesRead, .integer(361))
        let text = record.json()
        #expect(text.hasPrefix("{\"job\":\"ingest\",\"exit_code\":2,\"started_at\":\"2026-11-29T13:41:09.000Z\""))
        let back = try #require(JobRecord(json: Array(text.utf8)))
        #expect(back.exitCode == 2 && back.endedAt == record.endedAt)
        #expect(back.integer(.filesRead) == 361)
        #expect(back.text(.asOfDate) == "2026-11-28 \"q\"")
        #expect(back.figures.map(\.figure.rawValue) == ["as_of_date", "bytes_uncompressed", "files_read"])
        // A figure of another Silta version is left out, not an error.
        let newer = try #require(JobRecord(json: Array(text.replacingOccurrences(of: "\"files_read\"", with: "\"files_later\"").utf8)))
        #expect(newer.figures.map(\.figure) == [.asOfDate, .bytesUncompressed])
        #expect(JobRecord(json: Array("{\"job\":1}".utf8)) == nil)
        #expect(JobRecord(json: Array("not json".utf8)) == nil)
    }

    @Test func theProgressBarText() {
        #expect(
            ProgressBar.render(label: "ingest", done: 412_000_000, total: 898_000_000, seconds: 2.4)
                == "ingest [#########...........]  45%  412 of 898 MB  172 MB/s  ETA 0:03")
        #expect(
            ProgressBar.render(label: "ingest", done: 0, total: 898_000_000, seconds: 0)
                == "ingest [....................]   0%  0 of 898 MB")
        #expect(
            ProgressBar.render(label: "ingest", done: 1_000_000, total: 7_300_000_000, seconds: 1)
                == "ingest [....................]   0%  1 of 7300 MB  1 MB/s  ETA 2:01:39")
        #expect(
            ProgressBar.render(label: "ingest", done: 900, total: 800, seconds: 1).hasPrefix("ingest [####################] 100%"))
        // The rate is of the inflated bytes, as in the log line.
        #expect(
            ProgressBar.render(label: "ingest", done: 100_000_000, total: 898_000_000, inflated: 700_000_000, seconds: 2)
                == "ingest [##..................]  11%  100 of 898 MB  350 MB/s  ETA 0:16")
    }

    @Test(arguments: [12, 20, 30, 40, 50, 60, 80, 120, 200])
    func theProgressBarFitsTheTerminal(columns: Int) {
        for done in [0, 1_000_000, 412_000_000, 7_300_000_000] {
            let text = ProgressBar.render(
                label: "ingest", done: done, total: 7_300_000_000, inflated: done * 6, seconds: 1.5, columns: columns)
            #expect(text.count <= columns - 1, "\(columns) columns: \(text)")
            #expect(text.hasPrefix("ingest"))
        }
        let at40 = ProgressBar.render(label: "ingest", done: 412_000_000, total: 898_000_000, seconds: 2.4, columns: 40)
        #expect(at40 == "ingest [####......]  45%  412 of 898 MB")
    }

    @Test func optionsInMakesWords() {
        #expect(JobEntry.inMakeWords("--wait must not be negative.") == "WAIT (--wait) must not be negative.")
        #expect(JobEntry.inMakeWords("--ingest-wait and --wait") == "INGEST_WAIT (--ingest-wait) and WAIT (--wait)")
        #expect(JobEntry.inMakeWords("--as-of ... in --time-zone") == "AS_OF (--as-of) ... in TZ_NAME (--time-zone)")
        #expect(JobEntry.inMakeWords("--bin-dir stays") == "--bin-dir stays")
    }

    @Test func asOfTakesADateAndTimeZonesGetSuggestions() throws {
        var o = try ReportOptions.parse(["--as-of", "2026-11-30", "--time-zone", "Europe/Helsinki"])
        #expect(o.asOfMilliseconds == RFC3339.parse("2026-11-30T22:00:00Z"))
        o = try ReportOptions.parse(["--as-of", "2026-03-29"])  // UTC
        #expect(o.asOfMilliseconds == RFC3339.parse("2026-03-30T00:00:00Z"))
        // The day the clocks go forward in Helsinki ends 23 hours after it began.
        o = try ReportOptions.parse(["--as-of", "2026-03-29", "--time-zone", "Europe/Helsinki"])
        #expect(o.asOfMilliseconds == RFC3339.parse("2026-03-29T21:00:00Z"))
        #expect(throws: (any Error).self) { try ReportOptions.parse(["--as-of", "2026-02-30"]) }
        #expect(ReportOptions.timeZoneSuggestions(for: "europe/helsinki") == ["Europe/Helsinki"])
        #expect(ReportOptions.timeZoneSuggestions(for: "Europe/Helsnki").first == "Europe/Helsinki")
        #expect(ReportOptions.timeZoneSuggestions(for: "Moon/Base Alpha").isEmpty)
    }
}
