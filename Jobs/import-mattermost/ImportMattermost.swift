import ArgumentParser
import SiltaImport
import SiltaJobKit
import SiltaSupport

@main
struct ImportMattermost: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "import-mattermost") }

    static let configuration = CommandConfiguration(
        commandName: "import-mattermost",
        abstract: "Imports a Mattermost bulk export (its .jsonl file or its .zip) into activity logs.",
        discussion: """
            Each channel is one community, TEAM/CHANNEL, kind internal unless --kind; each person \
            mm:<username>. Posts are posts, their replies replies, reactions reacts at their own \
            time, join and leave messages joins and leaves, @username mentions of the export's \
            users mentions; direct and group messages are private and skipped; bots' posts and \
            reactions are skipped unless --include-bots. No message text leaves the export. Writes \
            OUT/PREFIX-YYYY-MM-DD.ndjson.gz, one file per UTC day, rewriting only the days that \
            changed. See \(SiltaDocs.path("importers.md")).

            """ + ImportJob.exitCodesHelp,
        version: SiltaVersion.of("import-mattermost"))

    @Argument(help: ArgumentHelp("Bulk exports: .jsonl (or .jsonl.gz) files, or the .zip mmctl writes.", valueName: "export"))
    var exports: [String]

    @Flag(help: "Import bots' posts and reactions too (an identity file can then mark them as bots).")
    var includeBots = false

    @OptionGroup var options: ImportOptions

    func run() throws {
        try ImportJob.run(name: "import-mattermost", source: "mattermost", options: options) { source, add, summary, extras in
            var importer = MattermostImporter()
            importer.kind = options.kind?.kind ?? .internal
            importer.source = source
            importer.includeBots = includeBots
            for export in exports.sorted() { try importer.read(export, summary: &summary, emit: add) }
            extras.bots = importer.bots
        }
    }
}
