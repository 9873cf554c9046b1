import SiltaReportJobs
import SiltaReports

/// The workbook's first sheet, `Read me`: what the reports were made with,
/// what each sheet is, and each column's meaning next to its definition.
enum ReadMe {
    /// One cell of the Read me.
    enum Cell {
        case text(String, CellStyle = .plain)
        case count(Int)
    }

    /// What one row of each report is, as docs/reports.md "Which files" says.
    static let rowIs: [String: String] = [
        "engagement": "engagement: one row per community and period with at least one event",
        "social_capital": "social capital: one row per community and period with at least one interaction",
        "bridging": "bridging between the internal and external sides: one row per period with at least one event",
        "community_links": "community links: one row per pair of communities linked in the period",
        "people": "people: one row per person and period with at least one event of the person",
    ]

    static func typeWords(_ type: ColumnType) -> String {
        switch type {
        case .date: "date"
        case .boolean: "true or false"
        case .text: "text, as the events have it"
        case .count: "whole number"
        case .number: "number"
        case .ratio: "share, shown as a percentage"
        }
    }

    static func sheet(plan: WorkbookPlan, sources: [Workbook.Source], sheets: [Sheet], lists: [Sheet], summary: WorkbookSummary) -> Sheet {
        var rows: [[Cell]] = [[.text("Silta reports: read me", .title)], []]
        // What the reports were made with, from a twin's head.
        let twin = sources.lazy.compactMap { ReportTwinHead.read(String($0.path.dropLast(4)) + ".json") }.first
        let people = ReportTwinHead.read(plan.reports + "/people_" + plan.highlights + ".json")
        func value(_ key: String, _ head: [String: Any]?) -> String? { head?[key] as? String }
        rows.append([.text("as of", .header), .text(value("as_of", twin) ?? "no events")])
        rows.append([.text("time zone", .header), .text(value("time_zone", twin) ?? "unknown")])
        var identities = "none: every id is its own person and nobody is a bot"
        if let used = twin?["identities"] as? [String: Any] {
            identities =
                "\(used["ids"] as? Int ?? 0) ids: \(used["persons"] as? Int ?? 0) persons, \(used["bots"] as? Int ?? 0) of them bots (sha256 \(used["sha256"] as? String ?? "?"))"
        }
        rows.append([.text("identity file", .header), .text(identities)])
        if let ids = value("people_ids", people ?? twin) {
            rows.append([
                .text("people", .header),
                .text(
                    ids == "raw" ? "raw person ids: personal data" : "pseudonyms (p and 16 hex digits), the same every night under one key"),
            ])
        }
        rows.append([.text("made by", .header), .text(value("generated_by", twin) ?? "silta")])
        rows.append([
            .text("for programs", .header),
            .text(
                "the CSV and JSON files beside this workbook hold the same rows, and are what scripts should read (docs/reports.md)"),
        ])
        rows.append([])

        rows.append([.text("sheet", .header), .text("rows", .header), .text("what it holds", .header)])
        var k = 0
        for source in sources {
            var first = true
            while k < sheets.count && (sheets[k].name == source.stem || sheets[k].name.hasPrefix(source.stem + " (")) {
                let what = (rowIs[source.report] ?? source.report) + ", " + source.stem.split(separator: "_").last.map(String.init)!
                rows.append([.text(sheets[k].name), .count(sheets[k].rows), .text(first ? what : "continued from the sheet before")])
                first = false
                k += 1
            }
        }
        for left in summary.peopleLeftOut {
            rows.append([
                .text(String(left.file.dropLast(4))), .count(left.rows),
                .text(
                    "not in this workbook: the people report has more rows than a workbook serves; open \(left.file), or set WORKBOOK_PEOPLE=full (docs/workbook.md)"
                ),
            ])
        }
        for list in lists {
            let what = PeopleHighlight(rawValue: list.name).map { h in
                h.title + ": " + h.meaning + ", "
                    + (summary.highlightsStart.map { periodName(family: plan.highlights, start: $0) } ?? "no complete period yet")
            }
            rows.append([.text(list.name), .count(list.rows), .text(what ?? list.name)])
        }
        rows.append([])

        rows.append([
            .text("report", .header), .text("column", .header), .text("type", .header), .text("what it tells you", .header),
            .text("exact definition", .header),
        ])
        var seen = Set<String>()
        for source in sources where seen.insert(source.report).inserted {
            for column in ReportCatalog.reportJobs.flatMap(\.reports).first(where: { $0.name == source.report })?.columns ?? [] {
                guard let entry = ColumnGuide.entry(report: source.report, column: column) else { continue }
                rows.append([
                    .text(source.report), .text(column), .text(typeWords(entry.type)), .text(entry.meaning, .wrapped),
                    .text(entry.definition, .wrapped),
                ])
            }
        }
        if !lists.isEmpty {
            rows.append([
                .text("people lists"), .text("rank"), .text(typeWords(.count)), .text("the place in the list, 1 first", .wrapped),
                .text("by the list's figure, largest first; ties in the people report's order", .wrapped),
            ])
            for (column, _) in Workbook.highlightColumns where column != "rank" {
                guard let entry = ColumnGuide.entry(report: "people", column: column) else { continue }
                rows.append([
                    .text("people lists"), .text(column), .text(typeWords(entry.type)), .text(entry.meaning, .wrapped),
                    .text(entry.definition, .wrapped),
                ])
            }
        }
        return render(rows, level: plan.level)
    }

    static func render(_ rows: [[Cell]], level: Int32) -> Sheet {
        let m = ZipMember(name: "xl/worksheets/readme.xml", level: level)
        m.append(WorkbookParts.xmlHead)
        m.append(#"<worksheet xmlns="\#(WorkbookParts.main)" xmlns:r="\#(WorkbookParts.relationships)">"#)
        m.append(#"<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>"#)
        m.append(
            #"<cols><col min="1" max="1" width="26" customWidth="1"/><col min="2" max="2" width="24" customWidth="1"/><col min="3" max="3" width="60" customWidth="1"/><col min="4" max="4" width="60" customWidth="1"/><col min="5" max="5" width="80" customWidth="1"/></cols><sheetData>"#
        )
        m.withPending { out in
            for (r, cells) in rows.enumerated() where !cells.isEmpty {
                out.append(contentsOf: #"<row r=""#.utf8)
                SheetXML.append(r + 1, to: &out)
                out.append(contentsOf: #"">"#.utf8)
                for (k, cell) in cells.enumerated() {
                    let column = k
                    switch cell {
                    // Silta's own words, and report names: UTF-8 always.
                    case .text(let text, let style): try? SheetXML.text(Array(text.utf8), column, r + 1, style: style, to: &out)
                    case .count(let n): SheetXML.number(n, column, r + 1, to: &out)
                    }
                }
                out.append(contentsOf: "</row>".utf8)
            }
        }
        m.append("</sheetData></worksheet>")
        m.finish()
        return Sheet(name: "Read me", member: m, rows: rows.count, columns: 5)
    }
}
