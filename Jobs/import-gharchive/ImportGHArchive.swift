import ArgumentParser
import SiltaImport
import SiltaJobKit
import SiltaSupport

@main
struct ImportGHArchive: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "import-gharchive") }

    static let configuration = CommandConfiguration(
        commandName: "import-gharchive",
        abstract: "Imports GH Archive hours (YYYY-MM-DD-H.json.gz) into activity logs.",
        discussion: """
            Each repository is one community, kind external unless --kind; each person gh:<login>. \
            Issues and pull requests opened, pushes, new repositories and releases are posts; issue, \
            review and commit comments replies; stars reactions; forks shares; members added joins. \
            Every other event is skipped and counted. Writes OUT/PREFIX-YYYY-MM-DD.ndjson.gz, one \
            file per UTC day, rewriting only the days that changed. See \(SiltaDocs.path("importers.md")).

            """ + ImportJob.exitCodesHelp,
        version: SiltaVersion.of("import-gharchive"))

    @Argument(help: ArgumentHelp("GH Archive hour files, .json.gz or plain.", valueName: "hour-file"))
    var files: [String]

    @Option(name: .customLong("workers"), help: ArgumentHelp("Hour files read at once.", valueName: "n"))
    var workerCount: WorkerCount = .processors

    @OptionGroup var options: ImportOptions

    func run() throws {
        try ImportJob.run(name: "import-gharchive", source: "gharchive", options: options, workers: workerCount.value) {
            source, add, summary, _ in
            let kind = options.kind?.kind ?? .external
            try GHArchiveImporter.readAll(
                files.sorted(), kind: kind, source: source, workers: workerCount.value, summary: &summary, emit: add)
        }
    }
}
