import SiltaEvents
import SiltaSupport

/// What one ingest run did: the content of `ingest_report.json` (reports.md).
public struct IngestReport: Sendable, Equatable {
    /// One file that could not be read to its end.
    public struct DamagedFile: Sendable, Equatable {
        public var file: String
        public var error: String
    }

    public var filesRead = 0
    public var filesSkipped = 0
    /// Non-blank lines read.
    public var lines = 0
    /// Accepted lines, duplicates included.
    public var accepted = 0
    /// Accepted lines that repeated an event already stored.
    public var duplicates = 0
    public var rejected: [RejectReason: Int] = [:]
    public var damagedFiles: [DamagedFile] = []
    public var bytesCompressed = 0
    public var bytesUncompressed = 0
    public var seconds = 0.0
    /// Accepted lines by event type (duplicates included).
    public var acceptedByType: [EventType: Int] = [:]
    /// Events added to the warehouse (accepted minus duplicates).
    public var stored = 0
    public var newPersons = 0
    public var newCommunities = 0
    public var newContents = 0
    /// The warehouse generation after the run (unchanged when nothing was read).
    public var generation: UInt64 = 0
    /// Events in the warehouse after the run.
    public var warehouseEvents: UInt64 = 0
    /// New events dated more than a day after ingest started (a source whose
    /// clock runs ahead, or a typo in a year): still counted as events.md
    /// says, but reported, since they move the as-of instant.
    public var futureEvents = 0
    /// The latest such event's instant (UTC epoch milliseconds).
    public var latestFutureEvent: Int64?
    /// Where this run's rejected lines are, if it rejected any.
    public var rejectsFile: String?
    public var workers = 0

    public init() {}

    public var rejectedTotal: Int { rejected.values.reduce(0, +) }

    /// The report as pretty-printed JSON, keys in a fixed order.
    public func json() -> String {
        func q(_ s: String) -> String { JSONText.quoted(s) }
        var out = "{\n"
        out += "  \"schema_version\": 1,\n"
        out += "  \"report\": \"ingest\",\n"
        out += "  \"generated_by\": \(q(SiltaVersion.generatedBy)),\n"
        out += "  \"files_read\": \(filesRead),\n"
        out += "  \"files_skipped\": \(filesSkipped),\n"
        out += "  \"lines\": \(lines),\n"
        out += "  \"accepted\": \(accepted),\n"
        out += "  \"duplicates\": \(duplicates),\n"
        let reasons = RejectReason.allCases.filter { (rejected[$0] ?? 0) > 0 }
        out += "  \"rejected\": {" + reasons.map { "\(q($0.name)): \(rejected[$0]!)" }.joined(separator: ", ") + "},\n"
        out += "  \"rejected_total\": \(rejectedTotal),\n"
        out += "  \"damaged_files\": ["
        out += damagedFiles.map { "\n    {\"file\": \(q($0.file)), \"error\": \(q($0.error))}" }.joined(separator: ",")
        out += damagedFiles.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"bytes_compressed\": \(bytesCompressed),\n"
        out += "  \"bytes_uncompressed\": \(bytesUncompressed),\n"
        out += "  \"seconds\": \(Clocks.seconds(seconds)),\n"
        let types = EventType.allCases.filter { (acceptedByType[$0] ?? 0) > 0 }
        out += "  \"by_type\": {" + types.map { "\(q($0.name)): \(acceptedByType[$0]!)" }.joined(separator: ", ") + "},\n"
        out += "  \"stored\": \(stored),\n"
        out += "  \"future_events\": \(futureEvents),\n"
        out += "  \"latest_future_event\": \(latestFutureEvent.map { q(RFC3339.format(milliseconds: $0)) } ?? "null"),\n"
        out += "  \"new_persons\": \(newPersons),\n"
        out += "  \"new_communities\": \(newCommunities),\n"
        out += "  \"new_contents\": \(newContents),\n"
        out += "  \"warehouse_generation\": \(generation),\n"
        out += "  \"warehouse_events\": \(warehouseEvents),\n"
        out += "  \"rejects_file\": \(rejectsFile.map(q) ?? "null"),\n"
        out += "  \"workers\": \(workers)\n"
        out += "}\n"
        return out
    }
}
