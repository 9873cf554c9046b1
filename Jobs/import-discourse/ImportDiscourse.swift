import ArgumentParser
import SiltaImport
import SiltaJobKit
import SiltaSupport

@main
struct ImportDiscourse: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "import-discourse") }

    static let configuration = CommandConfiguration(
        commandName: "import-discourse",
        abstract: "Imports a Discourse forum's topic JSON and Data Explorer likes into activity logs.",
        discussion: """
            The forum is one community, FORUM, or one per category, FORUM/<category id>, with \
            --categories; kind external unless --kind; each person discourse:FORUM:<user id>. A \
            topic's first post is a post, every other a reply to the post it answers (else to the \
            first); likes from a Data Explorer CSV of user_actions rows are reacts at their own time; \
            mentions are the posts' @mention links; whispers, small actions, deleted posts and \
            Discourse's own bot users (ids below 1) are skipped and counted. Writes \
            OUT/PREFIX-YYYY-MM-DD.ndjson.gz, one file per UTC day, rewriting only the days that \
            changed. See \(SiltaDocs.path("importers.md")).

            """ + ImportJob.exitCodesHelp,
        version: SiltaVersion.of("import-discourse"))

    @Argument(help: ArgumentHelp("Topic .json files and likes .csv files, or folders or .zip files of them.", valueName: "export"))
    var exports: [String]

    @Option(help: ArgumentHelp("The forum's name in community and person ids.", valueName: "name"))
    var forum: String

    @Flag(help: "One community per category (FORUM/<category id>) where a topic file names it.")
    var categories = false

    @Flag(help: "Import the posts and likes of Discourse's own bot users (system, discobot) too.")
    var includeBots = false

    @OptionGroup var options: ImportOptions

    func validate() throws {
        if forum.isEmpty || forum.utf8.count > 100 || forum.contains(":") || forum.contains("/") {
            throw ValidationError("--forum must be 1 to 100 bytes without ':' or '/'.")
        }
    }

    func run() throws {
        try ImportJob.run(name: "import-discourse", source: "discourse", options: options) { source, add, summary, extras in
            var importer = DiscourseImporter()
            importer.kind = options.kind?.kind ?? .external
            importer.source = source
            importer.forum = Array(forum.utf8)
            importer.byCategory = categories
            importer.includeBots = includeBots
            try importer.read(exports.sorted(), summary: &summary, emit: add)
            extras.bots = importer.bots
        }
    }
}
