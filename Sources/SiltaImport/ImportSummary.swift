import SiltaEvents
import SiltaSupport

/// What an import did (docs/importers.md): events by type, communities,
/// persons, the first and last instant, the files written, and what was
/// skipped and why. Logged on standard error; `--summary FILE` writes it as JSON.
package struct ImportSummary: Sendable {
    package var importer: String
    package var byType: [EventType: Int] = [:]
    package var skipped: [String: Int] = [:]
    package var communities = Set<ByteKey>()
    package var persons = Set<ByteKey>()
    package var first: Int64?
    package var last: Int64?
    package var files = DaySpool.Outcome()
    /// Inputs read only in part (a damaged zip or gzip), with what was lost.
    package var damaged: [(file: String, error: String)] = []

    package init(importer: String) { self.importer = importer }

    package var events: Int { byType.values.reduce(0, +) }

    /// Counts `e`, or the reason it is refused; returns whether it is kept.
    package mutating func take(_ e: ImportEvent) -> Bool {
        if let why = e.missing {
            skip("\(e.type.name) with \(why)")
            return false
        }
        byType[e.type, default: 0] += 1
        communities.insert(ByteKey(e.community))
        persons.insert(ByteKey(e.actor))
        first = min(first ?? e.ms, e.ms)
        last = max(last ?? e.ms, e.ms)
        return true
    }

    package mutating func skip(_ reason: String, _ n: Int = 1) { skipped[reason, default: 0] += n }

    /// Adds what `other` counted (a part of the same import, read alongside).
    package mutating func merge(_ other: ImportSummary) {
        for (t, n) in other.byType { byType[t, default: 0] += n }
        for (r, n) in other.skipped { skipped[r, default: 0] += n }
        communities.formUnion(other.communities)
        persons.formUnion(other.persons)
        if let f = other.first { first = min(first ?? f, f) }
        if let l = other.last { last = max(last ?? l, l) }
        damaged += other.damaged
    }

    /// One line for the log.
    package var line: String {
        let types = EventType.allCases.compactMap { t in byType[t].map { "\($0) \(t.name)" } }.joined(separator: ", ")
        let skips = skipped.keys.sorted().map { "\(skipped[$0]!) \($0)" }.joined(separator: ", ")
        let range = first.map { "\(RFC3339.format(milliseconds: $0)) to \(RFC3339.format(milliseconds: last!))" } ?? "no events"
        return "\(events) events (\(types.isEmpty ? "none" : types)) in \(communities.count) communities by \(persons.count) persons, "
            + "\(range); \(files.written.count) day file(s) written, \(files.unchanged.count) unchanged"
            + (files.duplicates > 0 ? "; \(files.duplicates) event(s) the export holds twice written once" : "")
            + "; skipped: \(skips.isEmpty ? "nothing" : skips)"
    }

    /// The summary as JSON.
    package func json() -> String {
        var w = JSONWriter()
        w.beginReport("import")
        w.key("importer")
        w.string(importer)
        w.key("events")
        w.integer(events)
        w.key("duplicates")
        w.integer(files.duplicates)
        w.counts("by_type", EventType.allCases.compactMap { t in byType[t].map { (t.name, $0) } })
        w.key("communities")
        w.integer(communities.count)
        w.key("persons")
        w.integer(persons.count)
        w.key("first_ts")
        w.string(first.map { RFC3339.format(milliseconds: $0) })
        w.key("last_ts")
        w.string(last.map { RFC3339.format(milliseconds: $0) })
        w.counts("skipped", skipped.keys.sorted().map { ($0, skipped[$0]!) })
        w.key("skipped_total")
        w.integer(skipped.values.reduce(0, +))
        w.key("files_written")
        w.beginArray(.spaced)
        for f in files.written { w.string(f) }
        w.endArray()
        w.key("files_unchanged")
        w.integer(files.unchanged.count)
        w.fileErrors("damaged", damaged)
        w.endObject()
        w.finishLine()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

/// Bytes as a set member, hashed in one call: `[UInt8]`'s own hashing
/// feeds the hasher a byte at a time, which was a tenth of an import.
package struct ByteKey: Hashable, Sendable {
    package let bytes: [UInt8]

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    package func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
}
