import Foundation
import SiltaEvents
import SiltaIdentities
import SiltaMetrics
import SiltaReports
import SiltaWarehouse
import Testing

/// One event line for hand-made fixtures.
func line(
    _ id: String, _ ts: String, _ community: String = "hr", kind: String = "internal", actor: String, _ type: String,
    content: String? = nil, parent: String? = nil, parentActor: String? = nil, mentions: [String] = []
) -> String {
    var fields = [
        "\"id\":\"\(id)\"", "\"ts\":\"\(ts)\"", "\"community\":\(JSONTextForTests.quote(community))", "\"kind\":\"\(kind)\"",
        "\"actor\":\"\(actor)\"", "\"type\":\"\(type)\"",
    ]
    if let content { fields.append("\"content\":\"\(content)\"") }
    if let parent { fields.append("\"parent\":\"\(parent)\"") }
    if let parentActor { fields.append("\"parent_actor\":\"\(parentActor)\"") }
    if !mentions.isEmpty { fields.append("\"mentions\":[" + mentions.map { "\"\($0)\"" }.joined(separator: ",") + "]") }
    return "{" + fields.joined(separator: ",") + "}"
}

enum JSONTextForTests {
    static func quote(_ s: String) -> String {
        String(data: try! JSONSerialization.data(withJSONObject: [s]), encoding: .utf8)!.dropFirst().dropLast().description
    }
}

/// A report's rows as column name -> CSV cell text.
typealias Rows = [[String: String]]

func rowsOf(_ table: ReportTable) -> Rows {
    var out: Rows = []
    try! table.forEachRow { row in
        out.append(
            Dictionary(uniqueKeysWithValues: zip(table.columns, row.map { String(decoding: ReportFormat.csvCell($0), as: UTF8.self) })))
    }
    return out
}

/// Loads the warehouse and computes the tables of one report.
func reportTables(
    warehouse: String, families: [PeriodFamily] = [.day, .week, .month], timeZone: String = "UTC", asOf: Int64? = nil,
    workers: Int = 2, identities: String? = nil, _ make: (MetricsInput, ReportSettings) -> [ReportTable]
) throws -> [PeriodFamily: Rows] {
    let file = try identities.map { try IdentityFile.load(path: $0) }
    let input = MetricsInput(snapshot: try WarehouseSnapshot(root: warehouse), workers: workers, identities: file)
    let settings = try ReportSettings.make(input: input, families: families, timeZone: timeZone, asOf: asOf, workers: workers)
    let tables = make(input, settings)
    var out: [PeriodFamily: Rows] = [:]
    for (f, t) in zip(settings.families, tables) { out[f] = rowsOf(t) }
    return out
}

/// Ingests `lines` (one file) and returns the engagement rows.
func engagement(
    _ files: [String: [String]], families: [PeriodFamily] = [.day, .week, .month], timeZone: String = "UTC", asOf: Int64? = nil
) throws -> [PeriodFamily: Rows] {
    let s = Scratch()
    for (name, lines) in files { s.write("logs/" + name, lines.joined(separator: "\n") + "\n") }
    try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
    return try reportTables(warehouse: s.sub("wh"), families: families, timeZone: timeZone, asOf: asOf) {
        EngagementReport.tables($0, settings: $1)
    }
}

extension Array where Element == [String: String] {
    /// The row of `community` starting on `start`.
    func row(_ start: String, _ community: String = "hr") -> [String: String]? {
        first { $0["period_start"] == start && $0["community"] == community }
    }
}

typealias SiltaEventsRFC3339 = RFC3339
