import ArgumentParser
import SiltaImport
import SiltaJobKit
import SiltaSupport

@main
struct ImportDiscord: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "import-discord") }

    static let configuration = CommandConfiguration(
        commandName: "import-discord",
        abstract: "Imports DiscordChatExporter JSON exports (files, or folders or .zip files of them) into activity logs.",
        discussion: """
            Each channel is one community, GUILD/CHANNEL (a thread's messages go to its parent \
            channel), kind external unless --kind; each person discord:<user id>. Messages are \
            posts, replies replies to the message they answer, member joins joins, each user's \
            reaction a react at the message's time; other message types are skipped and counted; \
            bots' messages and reactions are skipped unless --include-bots. No person's name or message \
            text leaves the export. Writes OUT/PREFIX-YYYY-MM-DD.ndjson.gz, one file per UTC day, \
            rewriting only the days that changed. See \(SiltaDocs.path("importers.md")).

            """ + ImportJob.exitCodesHelp,
        version: SiltaVersion.of("import-discord"))

    @Argument(help: ArgumentHelp("Channel exports: .json files, or folders or .zip files of them.", valueName: "export"))
    var exports: [String]

    @Option(help: ArgumentHelp("The guild's name in community ids (default: the export's guild.name).", valueName: "name"))
    var guild: String?

    @Flag(help: "Import bots' messages and reactions too (an identity file can then mark them as bots).")
    var includeBots = false

    @OptionGroup var options: ImportOptions

    func run() throws {
        try ImportJob.run(name: "import-discord", source: "discord", options: options) { source, add, summary, extras in
            var importer = DiscordImporter()
            importer.kind = options.kind?.kind ?? .external
            importer.source = source
            importer.guild = guild
            importer.includeBots = includeBots
            for export in exports.sorted() { try importer.read(export, summary: &summary, emit: add) }
            extras.bots = importer.bots
        }
    }
}
