import ArgumentParser
import SiltaJobKit
import SiltaMetrics
import SiltaReports
import SiltaSupport

/// One report a job writes: `<name>_daily|weekly|monthly`, `.csv` and `.json`.
package struct ReportSpec: Sendable {
    /// The report's name, the stem of its files before the period (`social_capital`).
    package let name: String
    /// The columns that name a row (`period_start`, `complete`, ...).
    package let identityColumns: [String]
    /// The metric columns, as the family declares them.
    package let metricColumns: [String]

    /// Every column, in file order.
    package var columns: [String] { identityColumns + metricColumns }

    /// The files of this report for `families`, CSV then JSON per family.
    package func files(families: [PeriodFamily]) -> [String] {
        families.flatMap { f in ["\(name)_\(f.adjective).csv", "\(name)_\(f.adjective).json"] }
    }
}

/// One report job: its executable, what it writes, and how it computes it.
package struct ReportJobSpec: Sendable {
    /// The executable's name (`social-capital`); installed as `silta-<job>`.
    package let job: String
    /// The one-line `--help` overview.
    package let abstract: String
    /// What the reports hold, for `--help`.
    package let contents: String
    /// The reports it writes, in the order it writes them per family.
    package let reports: [ReportSpec]
    /// Whether it takes ``LinksOptions`` (`--links-min-shared`).
    package let takesLinks: Bool
    /// Whether it takes ``PeopleOptions`` (`--people-key`, `--people-ids`).
    package var takesPeople = false
    /// The page of docs/ that defines what it writes.
    package var doc = "metrics.md"
    /// The reach-back rules its reports need beyond the common ones
    /// (``ReportChanges``): what a night's events can change in earlier periods.
    package var changes: ReportChanges.Rule = []
    /// Makes the job's tables from the loaded warehouse.
    package let compute: @Sendable (MetricsInput, ReportSettings) -> [ReportTable]

    /// The files it writes for `families`.
    package func files(families: [PeriodFamily]) -> [String] {
        families.flatMap { f in reports.flatMap { $0.files(families: [f]) } }
    }

    /// The job's `--help` and `--version`.
    package var configuration: CommandConfiguration {
        let stems = reports.map { r in
            "\(r.name)_daily, \(r.name)_weekly and \(r.name)_monthly"
        }
        return CommandConfiguration(
            commandName: job, abstract: abstract,
            discussion: """
                Reads the warehouse and writes \(stems.joined(separator: "; ")) (.csv and .json) to --reports, \
                for the families in --periods: \(contents). See \(SiltaDocs.path(doc)).

                """ + ReportJob.exitCodesHelp,
            version: SiltaVersion.of(job))
    }
}

/// Every job of Silta and every report it writes: what `nightly` runs, what
/// `make install` installs, what the help texts and the tests name. Adding a
/// report is one metric family (a folder of `SiltaMetrics`), one entry here
/// with its thin executable in `Jobs/`, and its section in docs/metrics.md.
package enum ReportCatalog {
    /// The identity columns of the per-community reports.
    package static let communityColumns = ["period_start", "complete", "kind", "community"]

    package static let engagement = ReportJobSpec(
        job: "engagement",
        abstract: "Writes the engagement reports, per community and period.",
        contents: """
            events by type, active users, creators, reactors, lurkers, members, new members, \
            retention, response rate and time, new and core creators, creator Gini, interactions \
            and unresolved parents
            """,
        reports: [ReportSpec(name: "engagement", identityColumns: communityColumns, metricColumns: Engagement.columns.names())],
        takesLinks: false,
        changes: .responses,
        compute: { input, settings in EngagementReport.tables(input, settings: settings) })

    package static let socialCapital = ReportJobSpec(
        job: "social-capital",
        abstract: "Writes the social-capital reports: each community's interaction graph, per period.",
        contents: """
            nodes, edges, interactions, density, reciprocity, transitivity, average clustering, \
            components, Burt's constraint and effective size, and the bonding and bridging indices
            """,
        reports: [
            ReportSpec(name: "social_capital", identityColumns: communityColumns, metricColumns: SocialCapital.columns.names())
        ],
        takesLinks: false,
        compute: { input, settings in SocialCapitalReport.tables(input, settings: settings) })

    package static let bridging = ReportJobSpec(
        job: "bridging",
        abstract: "Writes the bridging and community-links reports, per period.",
        contents: """
            bridging (the organisation-wide view: people active and creating on the internal and \
            external sides, boundary spanners, advocacy rate, shares across communities) and \
            community_links (every pair of communities sharing creators or content)
            """,
        reports: [
            ReportSpec(name: "bridging", identityColumns: ["period_start", "complete"], metricColumns: Bridging.columns.names()),
            ReportSpec(
                name: "community_links",
                identityColumns: ["period_start", "complete", "kind_a", "community_a", "kind_b", "community_b"],
                metricColumns: CommunityLinks.columns.names()),
        ],
        takesLinks: true,
        compute: { input, settings in BridgingReport.tables(input, settings: settings) })

    package static let people = ReportJobSpec(
        job: "people",
        abstract: "Writes the people reports: one row per person and period, under a pseudonym by default.",
        contents: """
            each person's events, contributions and reactions across every community, internal and \
            external communities and contributions, whether they are a boundary spanner, interactions \
            made and received, first seen, new, active periods and whether active the period before
            """,
        reports: [
            ReportSpec(name: "people", identityColumns: People.identityColumns, metricColumns: People.columnNames)
        ],
        takesLinks: false,
        takesPeople: true,
        doc: "people.md",
        compute: { input, settings in PeopleReport.tables(input, settings: settings) })

    /// The report jobs, in the order `nightly` lists them.
    package static let reportJobs = [engagement, socialCapital, bridging, people]

    /// The ingest job.
    package static let ingest = "ingest"
    /// The job that runs the night.
    package static let nightly = "nightly"
    /// The importers, which the night runs first for each entry of its sources file.
    package static let importers = [
        "import-slack", "import-stackexchange", "import-gharchive", "import-discord", "import-mattermost", "import-discourse",
        "import-viva-engage",
    ]
    /// The job that draws the reports as one page, after the report jobs.
    package static let dashboard = "dashboard"
    /// The page it writes beside the reports.
    package static let dashboardFile = "dashboard.html"
    /// The job that writes the reports as one workbook, after the report jobs.
    package static let workbook = "workbook"
    /// The workbook it writes beside the reports.
    package static let workbookFile = "silta.xlsx"
    /// Jobs installed for people, run by no night.
    package static let tools = ["generate-logs"]

    /// Every job `make install` installs, in the order `nightly --list-jobs` prints them.
    package static var installedJobs: [String] { [nightly] + importers + [ingest] + reportJobs.map(\.job) + [dashboard, workbook] + tools }

    /// The report job named `job`.
    package static func reportJob(_ job: String) -> ReportJobSpec? { reportJobs.first { $0.job == job } }

    /// The catalog as `nightly --list-jobs` prints it: one job per line,
    /// tab-separated: job, role (`night`, `importer`, `ingest`, `report`, `dashboard`, `workbook`, `tool`), and
    /// the files it writes for `families`, space-separated.
    package static func listing(families: [PeriodFamily]) -> String {
        var lines = ["\(nightly)\tnight\trun_summary.json silta.prom"]
        for importer in importers { lines.append("\(importer)\timporter\t") }
        lines.append("\(ingest)\tingest\tingest_report.json")
        for spec in reportJobs { lines.append("\(spec.job)\treport\t" + spec.files(families: families).joined(separator: " ")) }
        lines.append("\(dashboard)\tdashboard\t\(dashboardFile)")
        lines.append("\(workbook)\tworkbook\t\(workbookFile)")
        for tool in tools { lines.append("\(tool)\ttool\t") }
        return lines.joined(separator: "\n") + "\n"
    }
}
