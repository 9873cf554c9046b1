import ArgumentParser
import SiltaImport
import SiltaJobKit
import SiltaSupport

@main
struct ImportSlack: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "import-slack") }

    static let configuration = CommandConfiguration(
        commandName: "import-slack",
        abstract: "Imports a Slack workspace export (its folder or its .zip) into activity logs.",
        discussion: """
            Each channel is one community, WORKSPACE/CHANNEL, kind internal unless --kind; each \
            person slack:<user id>. Messages are posts, thread replies replies, shared messages \
            shares, reactions reacts, channel joins and leaves joins and leaves, file comments \
            replies; bots' messages are skipped unless --include-bots (actor bot:<bot id>). users.json \
            is never read: no name or e-mail address leaves the export. Writes \
            OUT/PREFIX-YYYY-MM-DD.ndjson.gz, one file per UTC day, rewriting only the days that \
            changed. See \(SiltaDocs.path("importers.md")).

            """ + ImportJob.exitCodesHelp,
        version: SiltaVersion.of("import-slack"))

    @Argument(help: ArgumentHelp("The export: its folder, or the .zip Slack hands out.", valueName: "export"))
    var export: String

    @Option(help: ArgumentHelp("The workspace's name in community ids (default: the export's folder or zip name).", valueName: "name"))
    var workspace: String?

    @Flag(help: "Import bots' messages too, as actor bot:<bot id> (an identity file can then mark them as bots).")
    var includeBots = false

    @OptionGroup var options: ImportOptions

    func run() throws {
        try ImportJob.run(name: "import-slack", source: "slack", options: options) { source, add, summary, extras in
            var importer = SlackImporter()
            importer.kind = options.kind?.kind ?? .internal
            importer.source = source
            importer.workspace = workspace
            importer.includeBots = includeBots
            try importer.read(export, summary: &summary, emit: add)
            extras.bots = importer.bots
        }
    }
}
