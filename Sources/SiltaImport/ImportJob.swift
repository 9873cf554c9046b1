import ArgumentParser
import Logging
import SiltaIdentities
import SiltaJobKit
import SiltaSupport

/// `--kind` of an importer.
package enum KindOption: String, ExpressibleByArgument, Sendable, CaseIterable {
    case `internal`, external
    package var kind: ImportEvent.Kind { self == .internal ? .internal : .external }
}

/// The options every importer takes (docs/importers.md).
package struct ImportOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp("The folder of activity logs to write into (make LOGS).", valueName: "logs"))
    package var out: String

    @Option(help: "Community kind: internal or external (default: the source's own, in --help's overview).")
    package var kind: KindOption?

    @Option(help: ArgumentHelp("File name prefix of the day files (default: the source name).", valueName: "prefix"))
    package var prefix: String?

    @Option(help: ArgumentHelp("The events' `source` (default: the importer's source name).", valueName: "name"))
    package var source: String?

    @Option(help: ArgumentHelp("Also write the summary as JSON to this file.", valueName: "file"))
    package var summary: String?

    @Option(
        help: ArgumentHelp(
            "Write an identity file (docs/identities.md) of the ids the source itself marks as bots or integrations.",
            valueName: "file"))
    package var identitiesOut: String?

    @Option(help: ArgumentHelp("Also write what this run did (exit code, times, figures) as JSON; nightly reads it.", valueName: "file"))
    package var runRecord: String?

    @Flag(name: .shortAndLong, help: "Log only warnings and errors.")
    package var quiet = false

    @Flag(name: .shortAndLong, help: "Log every step in detail.")
    package var verbose = false

    package init() {}

    package mutating func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together.") }
        for (name, value) in [("--prefix", prefix), ("--source", source)] {
            if let value, value.isEmpty || value.utf8.count > 200 || value.contains("/") {
                throw ValidationError("\(name) must be 1 to 200 bytes without a slash.")
            }
        }
    }
}

/// What every importer's run shares: logging, the day files, the summary,
/// the bot identity file, the exit code.
package enum ImportJob {
    /// The exit codes of every importer, for `--help`.
    package static let exitCodesHelp = """

        Exit codes: 0 success; 2 an input was damaged (a zip or gzip read only in part: what \
        was read is imported, the summary says what was lost); 64 bad arguments; 65 an input \
        is not an export this importer reads; 66 an input does not exist; 73 the output folder \
        cannot be written; 74 input/output error (a full disk?); 1 any other failure. No day file \
        changes when the exit code is 64, 65 or 66.
        """

    /// What the importer's body gathers besides events.
    package struct Extras {
        /// Ids the source marks as bots, for `--identities-out`.
        package var bots: [[UInt8]] = []
    }

    /// Runs importer `name`: `body` maps the export, adding events to the
    /// spool and counting in the summary; then the day files, the summary,
    /// the identity file and the run record.
    /// - Parameter workers: the days written at once.
    package static func run(
        name: String, source: String, options: ImportOptions, workers: Int = WorkerCount.processors.value,
        body: (_ source: [UInt8], _ add: (ImportEvent) throws -> Void, inout ImportSummary, inout Extras) throws -> Void
    ) throws {
        var flags: [String] = []
        if options.quiet { flags.append("--quiet") }
        if options.verbose { flags.append("--verbose") }
        if let record = options.runRecord { flags += ["--run-record", record] }
        let common = try CommonOptions.parse(flags)
        keepLargeBlocksOutOfTheHeap()
        try JobFrame.run(job: name, common: common, classify: exitStatus) { logger, record in
            let sourceName = Array((options.source ?? source).utf8)
            var summary = ImportSummary(importer: name)
            var extras = Extras()
            // Events are spooled aside; no day file changes until the export is read whole.
            let spool = try DaySpool(folder: options.out, prefix: options.prefix ?? source)
            try body(sourceName, { try spool.add($0) }, &summary, &extras)
            summary.files = try spool.finish(workers: workers)
            logger.info("\(summary.line)")
            for d in summary.damaged { logger.warning("\(d.file): read in part: \(d.error)") }
            if let path = options.summary { try AtomicFileWriter.write(summary.json(), to: path) }
            if let path = options.identitiesOut {
                try AtomicFileWriter.write(IdentityFile.render(extras.bots.map { ($0, [], true) }), to: path)
                logger.info("wrote \(Set(extras.bots).count) bot id(s) to \(path)")
            }
            record.set(.eventsImported, .integer(summary.events))
            record.set(.recordsSkipped, .integer(summary.skipped.values.reduce(0, +)))
            record.set(.filesWritten, .integer(summary.files.written.count))
            record.set(.filesDamaged, .integer(summary.damaged.count))
            return summary.damaged.isEmpty ? .success : .damagedInput
        }
    }

    /// glibc raises its mmap threshold each time it frees a large block, so
    /// that later large buffers (a file's read buffers, a day's records) come
    /// from the heap and stay there as it fragments: an import's peak memory
    /// grew with the number of days (GH Archive: 70 MB at 7 days of hours,
    /// 100 MB at 28). A fixed 1 MiB threshold keeps every large buffer
    /// mapped and returned when freed (54 and 59 MB), at no measured cost.
    static func keepLargeBlocksOutOfTheHeap() {
        #if os(Linux)
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in malloc.h
        _ = glibcMallopt(mmapThreshold, 1 << 20)
        #endif
    }

    static func exitStatus(for error: any Error) -> SiltaExit? {
        switch error {
        case ImportError.notFound: .inputUnavailable
        case ImportError.notAnExport: .warehouseDamaged
        default: nil
        }
    }
}

#if os(Linux)
/// glibc's `mallopt(3)`, which the Glibc module does not bring in (malloc.h).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
