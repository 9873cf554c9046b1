import ArgumentParser
import SiltaImport
import SiltaJobKit
import SiltaSupport

@main
struct ImportStackExchange: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "import-stackexchange") }

    static let configuration = CommandConfiguration(
        commandName: "import-stackexchange",
        abstract: "Imports Stack Exchange data dump site folders into activity logs.",
        discussion: """
            Each site folder (Users.xml, Posts.xml, Comments.xml, Votes.xml; any may be missing) is \
            one community, kind external unless --kind. New users are joins, questions posts, \
            answers and comments replies, accepted answers and favourites reactions; up and down \
            votes are skipped (the dump hides the voter). Persons are se:acct<AccountId>, one person \
            across the network. Writes OUT/PREFIX-YYYY-MM-DD.ndjson.gz, one file per UTC day, \
            rewriting only the days that changed. See \(SiltaDocs.path("importers.md")).

            """ + ImportJob.exitCodesHelp,
        version: SiltaVersion.of("import-stackexchange"))

    @Argument(help: ArgumentHelp("Site folders of the dump.", valueName: "site-folder"))
    var folders: [String]

    @Option(help: ArgumentHelp("The community name, for a single site folder (default: the folder's name).", valueName: "name"))
    var site: String?

    @OptionGroup var options: ImportOptions

    mutating func validate() throws {
        if site != nil && folders.count > 1 { throw ValidationError("--site names one site: give one folder with it.") }
    }

    func run() throws {
        try ImportJob.run(name: "import-stackexchange", source: "stackexchange", options: options) { source, add, summary, _ in
            var importer = StackExchangeImporter()
            importer.kind = options.kind?.kind ?? .external
            importer.source = source
            importer.site = site
            for folder in folders { try importer.read(folder, summary: &summary, emit: add) }
        }
    }
}
