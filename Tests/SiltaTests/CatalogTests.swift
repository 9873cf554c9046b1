import Foundation
import SiltaMetrics
import SiltaReportJobs
import SiltaReports
import Testing

/// The catalog of jobs and reports against what reads it and what it
/// describes: the documented columns, the tables the jobs really make, the
/// executables Package.swift builds and what `nightly --list-jobs` prints.
@Suite struct CatalogTests {
    /// The columns the jobs' pages of docs/ (metrics.md, people.md) list for
    /// each report, in order: the backticked names of the first cell of each
    /// table row in the section whose title names `<report>_daily|weekly|monthly`.
    static func documentedColumns() throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for page in Set(ReportCatalog.reportJobs.map(\.doc)) {
            out.merge(try documentedColumns(page)) { a, _ in a }
        }
        return out
    }

    static func documentedColumns(_ page: String) throws -> [String: [String]] {
        let text = try String(contentsOf: Paths.repository.appendingPathComponent("docs/" + page), encoding: .utf8)
        var out: [String: [String]] = [:]
        var report: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                report = line.firstRange(of: "_daily|weekly|monthly`").map { r in
                    String(line[..<r.lowerBound].split(separator: "`").last ?? "")
                }
                continue
            }
            guard let report, line.hasPrefix("| `") else { continue }
            let firstCell = line.dropFirst(2).prefix { $0 != "|" }
            let names = firstCell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
                String($0.element)
            }
            out[report, default: []] += names
        }
        return out
    }

    @Test func everyDeclaredColumnIsDocumentedInOrder() throws {
        let documented = try Self.documentedColumns()
        let reports = ReportCatalog.reportJobs.flatMap(\.reports)
        #expect(Set(documented.keys) == Set(reports.map(\.name)), "a report without a section in its page of docs/, or the reverse")
        for r in reports {
            // A page lists the metric columns, or every column.
            let listed = documented[r.name]
            #expect(listed == r.metricColumns || listed == r.columns, "\(r.name): the declared columns are not its page's")
        }
    }

    @Test func eachFamilyDeclaresEachColumnOnce() {
        for r in ReportCatalog.reportJobs.flatMap(\.reports) {
            #expect(Set(r.columns).count == r.columns.count, "\(r.name) names a column twice")
        }
    }

    @Test func theJobsMakeExactlyTheCatalogsTables() throws {
        let s = Scratch()
        _ = try generateLogs(GeneratorConfigForTests.small, out: s.sub("logs"))
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        for spec in ReportCatalog.reportJobs {
            var made: [String] = []
            _ = try reportTables(warehouse: s.sub("wh"), families: [.week, .month]) { input, settings in
                let tables = spec.compute(input, settings)
                for t in tables {
                    let report = spec.reports.first { $0.name == t.report }
                    #expect(t.columns == report?.columns, "\(spec.job): \(t.fileStem) has other columns than the catalog's")
                    made += [t.fileStem + ".csv", t.fileStem + ".json"]
                }
                return tables
            }
            #expect(made == spec.files(families: [.week, .month]))
        }
    }

    @Test func packageSwiftBuildsEveryReportJob() throws {
        let manifest = try String(contentsOf: Paths.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        /// The strings of the array `let NAME = [ … ]`, on one line or several.
        func strings(of name: String) throws -> [String] {
            let start = try #require(manifest.range(of: "let \(name) = ["), "Package.swift has no `let \(name) = [`")
            let end = try #require(manifest[start.upperBound...].firstIndex(of: "]"))
            let text = manifest[start.upperBound..<end]
            return text.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }
                .map { String($0.element) }
        }
        let names = try strings(of: "reportJobs")
        #expect(names == ReportCatalog.reportJobs.map(\.job))
        let importers = try strings(of: "importers")
        #expect(Set(importers) == Set(ReportCatalog.importers) && importers.count == ReportCatalog.importers.count)
        for job in names + importers {
            #expect(FileManager.default.fileExists(atPath: Paths.repository.appendingPathComponent("Jobs/" + job).path), "\(job)")
        }
    }

    @Test func nightlyListsTheCatalog() throws {
        let r = try runJob("nightly", ["--list-jobs", "--periods", "week"])
        #expect(r.status == 0)
        #expect(r.stdout == ReportCatalog.listing(families: [.week]))
        let jobs = r.stdout.split(separator: "\n").map { String($0.split(separator: "\t", omittingEmptySubsequences: false)[0]) }
        #expect(jobs == ReportCatalog.installedJobs)
        #expect(r.stdout.contains("bridging\treport\tbridging_weekly.csv bridging_weekly.json community_links_weekly.csv"))
    }
}
