import SiltaEvents

/// What `generate-logs` makes. Every field has a default that gives
/// realistic logs; the same configuration always gives the same bytes.
package struct GeneratorConfig: Sendable {
    /// Valid, distinct events to generate (bad lines and duplicates come on top).
    package var events = 100_000
    /// Days of activity, each written as one file per source.
    package var days = 28
    /// The first day, as days since 1970-01-01 (default 2026-09-01).
    package var firstDay = RFC3339.daysFromCivil(year: 2026, month: 9, day: 1)
    package var seed: UInt64 = 1
    /// Persons; 0 picks one person per 25 events (at least 60).
    package var persons = 0
    /// Communities; 0 picks about one per 40,000 events (between 6 and 400).
    package var communities = 0
    /// Share of extra lines that are bad, cycling through every reject reason.
    package var badLineRate = 0.0
    /// Share of extra lines that repeat an earlier event (a tenth of them
    /// differ from the original in a field other than `id` and `ts`).
    package var duplicateRate = 0.0
    /// gzip level 1 to 9; 0 writes plain `.ndjson`.
    package var compressionLevel = 1
    /// Concurrent workers.
    package var workers = 2

    package init() {}

    var personCount: Int { persons > 0 ? persons : max(60, events / 25) }
    var communityCount: Int { communities > 0 ? communities : min(400, max(6, events / 40_000)) }
}

/// What was written.
package struct GeneratorSummary: Sendable {
    package var files = 0
    package var events = 0
    package var badLines = 0
    package var duplicates = 0
    package var bytesUncompressed = 0
    package var bytesWritten = 0
}
