import ArgumentParser
import SiltaImport
import SiltaJobKit
import SiltaSupport

@main
struct ImportVivaEngage: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "import-viva-engage") }

    static let configuration = CommandConfiguration(
        commandName: "import-viva-engage",
        abstract: "Imports a Viva Engage (Yammer) network data export (its .zip or its folder) into activity logs.",
        discussion: """
            Each group is one community, NETWORK/<group name> (messages outside any group: \
            NETWORK/All Company), kind internal unless --kind; each person viva:<sender id>. A \
            thread's first message is a post, the others replies to the message they answer; \
            [[user:ID]] in a body is a mention. Messages in private conversations and deleted \
            messages are skipped and counted, and so are senders that are no user (apps) unless \
            --include-bots. The export holds no likes, so there are no reactions. No name, e-mail \
            address or message text leaves the export. Writes OUT/PREFIX-YYYY-MM-DD.ndjson.gz, one \
            file per UTC day, rewriting only the days that changed. See \(SiltaDocs.path("importers.md")).

            """ + ImportJob.exitCodesHelp,
        version: SiltaVersion.of("import-viva-engage"))

    @Argument(help: ArgumentHelp("The export: its .zip, or the folder it unpacks to.", valueName: "export"))
    var export: String

    @Option(help: ArgumentHelp("The network's name in community ids (default: the export's zip or folder name).", valueName: "name"))
    var network: String?

    @Flag(help: "Import the messages of senders that are no user (apps) too.")
    var includeBots = false

    @OptionGroup var options: ImportOptions

    func run() throws {
        try ImportJob.run(name: "import-viva-engage", source: "viva-engage", options: options) { source, add, summary, extras in
            var importer = VivaEngageImporter()
            importer.kind = options.kind?.kind ?? .internal
            importer.source = source
            importer.network = network
            importer.includeBots = includeBots
            try importer.read(export, summary: &summary, emit: add)
            extras.bots = importer.bots
        }
    }
}
