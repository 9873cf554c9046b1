import Dispatch
import SiltaMetrics
import SiltaReportJobs
import SiltaReports
import SiltaSupport
import Synchronization

/// Whether the people report's files are sheets of the workbook (make
/// `WORKBOOK_PEOPLE`; docs/workbook.md "The people report").
package enum PeopleSheets: String, CaseIterable, Sendable {
    /// When the people report's files hold at most ``Workbook/peopleRowsAuto`` rows together.
    case auto
    /// Always.
    case full
    /// Never: only the people lists.
    case tables
}

/// What to put in the workbook and how.
package struct WorkbookPlan: Sendable {
    /// The folder of the report CSVs; the workbook is written there too.
    package var reports: String
    /// The family of the people lists (`weekly`): the dashboard's.
    package var highlights: String
    package var people: PeopleSheets = .auto
    /// Rows per sheet, the header included.
    package var rowsPerSheet = SheetXML.maxRows
    /// zlib's level for the sheets (docs/workbook.md "Speed").
    package var level: Int32 = 1
    package var workers = 1
    /// ``PeopleSheets/auto``'s limit (tests make it small).
    package var peopleRowsAuto = Workbook.peopleRowsAuto

    package init(reports: String, highlights: String) {
        self.reports = reports
        self.highlights = highlights
    }
}

/// What the workbook holds, for the log and the run record.
package struct WorkbookSummary: Sendable {
    /// Every sheet but the Read me, in tab order, with its data rows.
    package var sheets: [(name: String, rows: Int)] = []
    /// People files left out (``PeopleSheets``), with their rows.
    package var peopleLeftOut: [(file: String, rows: Int)] = []
    /// Cells written as text because they were not what their column holds, and where the first was.
    package var oddCells = 0
    package var firstOdd: String?
    /// The people lists' period, when there is one.
    package var highlightsStart: String?
    package var bytes = 0
}

/// No report CSV to make a workbook of.
package struct WorkbookInputMissing: Error, CustomStringConvertible {
    package let folder: String
    package var description: String {
        "\(folder) holds no report CSV: run the report jobs first (make run-jobs), or point --reports at their folder"
    }
}

/// The analysts' workbook: every report CSV of a folder as a sheet of one
/// `.xlsx` file, typed cells, and a Read me (docs/workbook.md).
package enum Workbook {
    /// The workbook's file name in `REPORTS`.
    package static let file = ReportCatalog.workbookFile
    /// ``PeopleSheets/auto``'s limit: the people report's rows, its files together.
    package static let peopleRowsAuto = 1_000_000

    /// One report file to show: its report, its sheet name (the file's stem) and its path.
    struct Source: Sendable {
        let report: String
        let stem: String
        let path: String
    }

    /// Writes `REPORTS/silta.xlsx` from the report CSVs in `plan.reports`.
    package static func write(_ plan: WorkbookPlan) throws -> WorkbookSummary {
        var sources: [Source] = []
        var peopleFiles: [Source] = []
        for spec in ReportCatalog.reportJobs {
            for report in spec.reports {
                for family in PeriodFamily.allCases {
                    let stem = report.name + "_" + family.adjective
                    let path = plan.reports + "/" + stem + ".csv"
                    guard FileSystem.kind(of: path) == .file else { continue }
                    let source = Source(report: report.name, stem: stem, path: path)
                    if spec.takesPeople { peopleFiles.append(source) } else { sources.append(source) }
                }
            }
        }
        guard !sources.isEmpty || !peopleFiles.isEmpty else { throw WorkbookInputMissing(folder: plan.reports) }
        var summary = WorkbookSummary()
        if plan.people == .full {
            sources += peopleFiles
        } else {
            // Each file counted once: for the choice, and for the Read me when it is left out.
            let counted = try peopleFiles.map { ($0.stem + ".csv", try ReportReader.rowCount(path: $0.path)) }
            if plan.people == .auto && counted.reduce(0, { $0 + $1.1 }) <= plan.peopleRowsAuto {
                sources += peopleFiles
            } else {
                summary.peopleLeftOut = counted
            }
        }

        // The people lists of the latest complete period, read while the workers make the sheets.
        let lists = Mutex<Result<([Sheet], String?), any Error>>(.success(([], nil)))
        let group = DispatchGroup()
        DispatchQueue(label: "silta.workbook.people").async(group: group) {
            lists.withLock { $0 = Result { try peopleLists(plan) } }
        }
        // The sheets, made by the workers, largest files first; kept in the catalog's order.
        let shown = sources
        let order = sources.indices.sorted { size(sources[$0].path) > size(sources[$1].path) }
        let slots = ResultSlots<Result<([Sheet], Int, String?), any Error>>(count: sources.count)
        let queue = WorkQueue(count: order.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(plan.workers, order.count))) { _ in
            while let claimed = queue.claim() {
                let k = order[claimed]
                let made = Result { try Workbook.sheets(of: shown[k], plan: plan) }
                if case .failure = made { queue.drain() }
                slots.set(k, made)
            }
        }
        group.wait()
        var sheets: [Sheet] = []
        for (k, slot) in slots.results.enumerated() {
            guard let slot else { continue }
            let (made, odd, first) = try slot.get()
            sheets += made
            summary.oddCells += odd
            if summary.firstOdd == nil, let first { summary.firstOdd = sources[k].stem + ".csv " + first }
        }
        let (listSheets, start) = try lists.withLock { try $0.get() }
        summary.highlightsStart = start

        summary.sheets = (sheets + listSheets).map { ($0.name, $0.rows) }
        let readMe = ReadMe.sheet(plan: plan, sources: sources, sheets: sheets, lists: listSheets, summary: summary)
        let all = [readMe] + sheets + listSheets
        let parts = all.map(\.member.name)
        var members: [ZipMember] = []
        func part(_ name: String, _ text: String) {
            let m = ZipMember(name: name, level: plan.level)
            m.append(text)
            members.append(m)
        }
        part("[Content_Types].xml", WorkbookParts.contentTypes(parts))
        part("_rels/.rels", WorkbookParts.packageRelationships)
        part(
            "xl/workbook.xml",
            WorkbookParts.workbook(all.enumerated().map { k, s in (s.name, k == 0 ? nil : s.range(absolute: true)) }))
        part("xl/_rels/workbook.xml.rels", WorkbookParts.workbookRelationships(parts))
        part("xl/styles.xml", WorkbookParts.styles)
        members += all.map(\.member)
        let path = plan.reports + "/" + file
        try ZipArchive.write(members, to: path)
        summary.bytes = size(path)
        return summary
    }

    /// The sheets of the people lists (``PeopleHighlight``) of the latest
    /// complete period of `plan.highlights`, and that period; none without
    /// its people or bridging report.
    static func peopleLists(_ plan: WorkbookPlan) throws -> ([Sheet], String?) {
        let peoplePath = plan.reports + "/people_" + plan.highlights + ".csv"
        let bridgingPath = plan.reports + "/bridging_" + plan.highlights + ".csv"
        guard FileSystem.kind(of: peoplePath) == .file, FileSystem.kind(of: bridgingPath) == .file else { return ([], nil) }
        let start = try PeopleOfPeriod.latestComplete(bridging: bridgingPath)
        let people = try start.map { try PeopleOfPeriod.read(path: peoplePath, start: $0) }
        var sheets: [Sheet] = []
        for list in PeopleHighlight.allCases {
            var writer = SheetWriter(
                name: list.rawValue, part: list.rawValue, columns: highlightColumns, rowsPerSheet: plan.rowsPerSheet, level: plan.level)
            if let people {
                for (k, row) in list.rows(of: people).enumerated() {
                    try writer.add(ReportRow(cells: highlightCells(row, rank: k + 1, start: people.start)))
                }
            }
            sheets += try writer.finish()
        }
        return (sheets, start)
    }

    /// The sheets of one report file, the cells written as text for want of their type, and where the first was.
    static func sheets(of source: Source, plan: WorkbookPlan) throws -> ([Sheet], Int, String?) {
        var reader = try ReportReader(path: source.path)
        let columns = reader.columns.map { ($0, ColumnGuide.entry(report: source.report, column: $0)?.type ?? .text) }
        var writer = SheetWriter(name: source.stem, part: source.stem, columns: columns, rowsPerSheet: plan.rowsPerSheet, level: plan.level)
        var row = ReportRow()
        while true {
            let line = reader.line
            guard try reader.next(into: &row) else { break }
            do {
                try writer.add(row)
            } catch let fault as CellFault {
                throw ReportReadError(file: source.path, line: line, fault: fault.fault)
            }
        }
        let sheets = try writer.finish()
        return (sheets, writer.oddCells, writer.firstOdd)
    }

    /// The columns of the people lists' sheets.
    static let highlightColumns: [(name: String, type: ColumnType)] = [
        ("period_start", .date), ("rank", .count), ("person", .text), ("contributions", .count), ("internal_contributions", .count),
        ("external_contributions", .count), ("interactions_in", .count), ("first_seen", .date), ("new", .boolean),
        ("boundary_spanner", .boolean),
    ]

    static func highlightCells(_ row: PeopleOfPeriod.Row, rank: Int, start: String) -> [[UInt8]] {
        [
            Array(start.utf8), Array(String(rank).utf8), Array(row.person.utf8), Array(String(row.contributions).utf8),
            Array(String(row.internalContributions).utf8), Array(String(row.externalContributions).utf8),
            Array(String(row.interactionsIn).utf8), Array(row.firstSeen.utf8), Array((row.isNew ? "true" : "false").utf8),
            Array((row.boundarySpanner ? "true" : "false").utf8),
        ]
    }

    static func size(_ path: String) -> Int { FileSystem.size(ofBytes: Array(path.utf8)) }
}
