import ArgumentParser
import Foundation
import Logging
import SiltaEvents
import SiltaSupport

/// What one run of a job did: its exit code, when it ran, and its figures.
/// A job writes it as JSON to `--run-record FILE` when asked; the `nightly`
/// job asks, and gathers the records into `run_summary.json` and `silta.prom`.
///
///     {"job":"ingest","exit_code":0,"started_at":"2026-11-29T02:00:00.120Z",
///      "ended_at":"2026-11-29T02:00:05.410Z","seconds":5.29,
///      "figures":{"files_read":360,"events_ingested":4985012,...}}
package struct JobRecord: Sendable {
    /// One figure's value.
    package enum Value: Sendable, Equatable {
        case integer(Int)
        case number(Double)
        case text(String)
    }

    /// Every figure a job reports, by the name it has in the record, in
    /// `run_summary.json` and in the Prometheus file's sources: the job sets
    /// it and the night reads it through the same case.
    package enum Figure: String, CaseIterable, Sendable {
        // ingest
        case filesRead = "files_read"
        case filesSkipped = "files_skipped"
        case filesDamaged = "files_damaged"
        case lines
        case eventsIngested = "events_ingested"
        case duplicates
        case futureEvents = "future_events"
        case linesRejected = "lines_rejected"
        case bytesCompressed = "bytes_compressed"
        case bytesUncompressed = "bytes_uncompressed"
        case warehouseEvents = "warehouse_events"
        case warehouseGeneration = "warehouse_generation"
        // report jobs
        case events
        case communities
        case tables
        case rows
        case timeZone = "time_zone"
        case asOf = "as_of"
        case asOfDate = "as_of_date"
        case botEvents = "bot_events"
        case identitiesSHA256 = "identities_sha256"
        /// Rows kept from the reports written before (docs/warehouse.md "Kept reports").
        case keptRows = "kept_rows"
        // importers
        case eventsImported = "events_imported"
        case recordsSkipped = "records_skipped"
        case filesWritten = "files_written"
    }

    package var job: String
    package var exitCode: Int32 = 0
    /// UTC epoch milliseconds.
    package var startedAt: Int64
    package var endedAt: Int64
    /// The figures, in the order they are written.
    package private(set) var figures: [(figure: Figure, value: Value)] = []

    package init(job: String, startedAt: Int64) {
        self.job = job
        self.startedAt = startedAt
        self.endedAt = startedAt
    }

    /// Sets `figure`, replacing an earlier value.
    package mutating func set(_ figure: Figure, _ value: Value) {
        if let i = figures.firstIndex(where: { $0.figure == figure }) {
            figures[i].value = value
        } else {
            figures.append((figure, value))
        }
    }

    /// The record as one JSON object, with a final newline.
    package func json() -> String {
        var w = JSONWriter()
        w.beginObject(.compact)
        w.key("job")
        w.string(job)
        w.key("exit_code")
        w.integer(exitCode)
        w.key("started_at")
        w.string(RFC3339.format(milliseconds: startedAt))
        w.key("ended_at")
        w.string(RFC3339.format(milliseconds: endedAt))
        w.key("seconds")
        w.number(Double(endedAt - startedAt) / 1000)
        w.key("figures")
        writeFigures(to: &w)
        w.endObject()
        w.finishLine()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The figures as one compact JSON object, in their order.
    package func writeFigures(to w: inout JSONWriter) {
        w.beginObject(.compact)
        for (figure, value) in figures {
            w.key(figure.rawValue)
            switch value {
            case .integer(let n): w.integer(n)
            case .number(let x): w.number(x)
            case .text(let s): w.string(s)
            }
        }
        w.endObject()
    }
}

/// The frame every job's `run()` goes through: logging set up, the work
/// done, any error logged as one sentence and turned into its exit code, and
/// the ``JobRecord`` written to `--run-record` whatever the outcome.
package enum JobFrame {
    /// Runs `body` as job `name`.
    /// - Parameters:
    ///   - classify: the exit code for errors only this job knows; others go
    ///     through ``ErrorReporting``.
    ///   - body: does the work, fills in the record's figures and returns how
    ///     it finished (``SiltaExit/success`` or ``SiltaExit/damagedInput``).
    /// - Throws: `ExitCode` when the job must end with a non-zero code.
    package static func run(
        job name: String, common: CommonOptions, classify: (any Error) -> SiltaExit? = { _ in nil },
        body: (Logger, inout JobRecord) throws -> SiltaExit
    ) throws {
        let logger = SiltaLogHandler.bootstrap(job: name, level: common.logLevel)
        var record = JobRecord(job: name, startedAt: Clocks.epochMilliseconds())
        let status: SiltaExit
        do {
            status = try body(logger, &record)
        } catch {
            status = classify(error) ?? ErrorReporting.status(for: error) ?? .failure
            logger.error("\(error) (exit \(status.rawValue): \(status.meaning))")
        }
        finish(&record, exitCode: status.rawValue, common: common, logger: logger)
        if status != .success { throw status.exitCode }
    }

    /// Ends `record` now with `exitCode` and writes it to `--run-record` when
    /// one was asked for; a record that cannot be written is logged, never fatal.
    package static func finish(_ record: inout JobRecord, exitCode: Int32, common: CommonOptions, logger: Logger) {
        record.exitCode = exitCode
        record.endedAt = Clocks.epochMilliseconds()
        guard let path = common.runRecord else { return }
        do {
            try AtomicFileWriter.write(record.json(), to: path)
        } catch {
            logger.warning("could not write the run record \(path): \(error)")
        }
    }
}

extension JobRecord {
    /// Reads a record that ``json()`` wrote; `nil` when `bytes` is not one.
    /// Figures come back sorted by name; names no ``Figure`` has (from
    /// another version of Silta) are left out.
    package init?(json bytes: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let job = object["job"] as? String, let code = object["exit_code"] as? Int,
            let started = (object["started_at"] as? String).flatMap(RFC3339.parse),
            let ended = (object["ended_at"] as? String).flatMap(RFC3339.parse),
            let figures = object["figures"] as? [String: Any]
        else { return nil }
        self.init(job: job, startedAt: started)
        exitCode = Int32(truncatingIfNeeded: code)
        endedAt = ended
        for name in figures.keys.sorted() {
            guard let figure = Figure(rawValue: name) else { continue }
            switch figures[name] {
            case let s as String: set(figure, .text(s))
            case let n as Int: set(figure, .integer(n))
            case let x as Double: set(figure, .number(x))
            default: continue
            }
        }
    }

    /// `figure` as an integer, when it is one.
    package func integer(_ figure: Figure) -> Int? {
        guard case .integer(let n)? = figures.first(where: { $0.figure == figure })?.value else { return nil }
        return n
    }

    /// `figure` as text, when it is text.
    package func text(_ figure: Figure) -> String? {
        guard case .text(let s)? = figures.first(where: { $0.figure == figure })?.value else { return nil }
        return s
    }
}
