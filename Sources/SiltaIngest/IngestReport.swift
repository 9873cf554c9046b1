import SiltaEvents
import SiltaSupport

/// What one ingest run did: the content of `ingest_report.json` (reports.md).
package struct IngestReport: Sendable, Equatable {
    /// One file that could not be read to its end.
    package struct DamagedFile: Sendable, Equatable {
        package var file: String
        package var error: String
    }

    package var filesRead = 0
    package var filesSkipped = 0
    /// Non-blank lines read.
    package var lines = 0
    /// Accepted lines, duplicates included.
    package var accepted = 0
    /// Accepted lines that repeated an event already stored.
    package var duplicates = 0
    package var rejected: [RejectReason: Int] = [:]
    package var damagedFiles: [DamagedFile] = []
    package var bytesCompressed = 0
    package var bytesUncompressed = 0
    package var seconds = 0.0
    /// Accepted lines by event type (duplicates included).
    package var acceptedByType: [EventType: Int] = [:]
    /// Events added to the warehouse (accepted minus duplicates).
    package var stored = 0
    package var newPersons = 0
    package var newCommunities = 0
    package var newContents = 0
    /// Days of de-duplication keys moved out of memory to the spill file,
    /// and loaded back (``DedupeIndex``; logged, not in the report file).
    package var dedupeDaysSpilled = 0
    package var dedupeDaysReloaded = 0
    /// The warehouse generation after the run (unchanged when nothing was read).
    package var generation: UInt64 = 0
    /// Events in the warehouse after the run.
    package var warehouseEvents: UInt64 = 0
    /// New events dated more than a day after ingest started (a source whose
    /// clock runs ahead, or a typo in a year): still counted as events.md
    /// says, but reported, since they move the as-of instant.
    package var futureEvents = 0
    /// The latest such event's instant (UTC epoch milliseconds).
    package var latestFutureEvent: Int64?
    /// Run files merged after the run committed (``RunCompaction``), and
    /// why merging stopped early, if it did.
    package var compactions = 0
    package var compactionError: String?
    /// Run files in the warehouse after the run.
    package var runFiles = 0
    /// Where this run's rejected lines are, if it rejected any.
    package var rejectsFile: String?
    package var workers = 0

    package init() {}

    package var rejectedTotal: Int { rejected.values.reduce(0, +) }

    /// The report as pretty-printed JSON, keys in a fixed order.
    package func json() -> String {
        var w = JSONWriter()
        w.beginReport("ingest")
        for (key, n) in [
            ("files_read", filesRead), ("files_skipped", filesSkipped), ("lines", lines), ("accepted", accepted),
            ("duplicates", duplicates),
        ] {
            w.key(key)
            w.integer(n)
        }
        w.counts("rejected", RejectReason.allCases.compactMap { r in rejected[r].flatMap { $0 > 0 ? (r.name, $0) : nil } })
        w.key("rejected_total")
        w.integer(rejectedTotal)
        w.fileErrors("damaged_files", damagedFiles.map { ($0.file, $0.error) })
        w.key("bytes_compressed")
        w.integer(bytesCompressed)
        w.key("bytes_uncompressed")
        w.integer(bytesUncompressed)
        w.key("seconds")
        w.value { $0 += Array(Clocks.seconds(seconds).utf8) }
        w.counts("by_type", EventType.allCases.compactMap { t in acceptedByType[t].flatMap { $0 > 0 ? (t.name, $0) : nil } })
        w.key("stored")
        w.integer(stored)
        w.key("future_events")
        w.integer(futureEvents)
        w.key("latest_future_event")
        w.string(latestFutureEvent.map { RFC3339.format(milliseconds: $0) })
        for (key, n) in [("new_persons", newPersons), ("new_communities", newCommunities), ("new_contents", newContents)] {
            w.key(key)
            w.integer(n)
        }
        w.key("warehouse_generation")
        w.integer(generation)
        w.key("warehouse_events")
        w.integer(warehouseEvents)
        w.key("run_files")
        w.integer(runFiles)
        w.key("compactions")
        w.integer(compactions)
        w.key("compaction_error")
        w.string(compactionError)
        w.key("rejects_file")
        w.string(rejectsFile)
        w.key("workers")
        w.integer(workers)
        w.endObject()
        w.finishLine()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
