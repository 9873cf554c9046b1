import ArgumentParser
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options every job shares, with the defaults of reports.md.
package struct CommonOptions: ParsableArguments, Sendable {
    /// The long names of the options, which ``arguments(reports:wait:runRecord:)`` uses too.
    enum Name {
        static let warehouse = "warehouse"
        static let reports = "reports"
        static let workers = "workers"
        static let wait = "wait"
        static let runRecord = "run-record"
        static let quiet = "quiet"
        static let verbose = "verbose"
    }

    @Option(name: .customLong(Name.warehouse), help: "The pipeline's store of ingested events and its state.")
    package var warehouse = "var/warehouse"

    @Option(name: .customLong(Name.reports), help: "Where reports are written.")
    package var reports = "var/reports"

    @Option(name: .customLong(Name.workers), help: ArgumentHelp("Concurrent workers.", valueName: "n"))
    package var workerCount: WorkerCount = .processors

    @Option(
        name: .customLong(Name.wait),
        help: ArgumentHelp(
            "Seconds to wait when another run holds the warehouse lock; 0 exits at once with code 75.", valueName: "seconds"))
    package var waitSeconds = Seconds(0)

    @Option(
        name: .customLong(Name.runRecord),
        help: ArgumentHelp(
            "Also write what this run did (exit code, times, figures) to this JSON file; the nightly job reads it.",
            valueName: "file"))
    package var runRecord: String?

    @Flag(name: [.customShort("q"), .customLong(Name.quiet)], help: "Log only warnings and errors.")
    package var quiet = false

    @Flag(name: [.customShort("v"), .customLong(Name.verbose)], help: "Log every step in detail.")
    package var verbose = false

    package init() {}

    /// Concurrent workers.
    package var workers: Int { workerCount.value }
    /// Seconds to wait for the warehouse lock.
    package var wait: Double { waitSeconds.value }

    package mutating func validate() throws {
        if workers < 1 || workers > 256 { throw ValidationError("--workers must be between 1 and 256.") }
        if wait < 0 { throw ValidationError("--wait must not be negative.") }
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together.") }
    }

    /// The log level the flags ask for.
    package var logLevel: Logger.Level { quiet ? .warning : (verbose ? .debug : .info) }

    /// The arguments that give a child job these settings, with its own
    /// reports folder, lock wait and run record.
    package func arguments(reports: String, wait: Double, runRecord: String) -> [String] {
        var out = [
            "--" + Name.warehouse, warehouse, "--" + Name.reports, reports, "--" + Name.workers, String(workers),
            "--" + Name.wait, Seconds(wait).argument, "--" + Name.runRecord, runRecord,
        ]
        if quiet { out.append("--" + Name.quiet) }
        if verbose { out.append("--" + Name.verbose) }
        return out
    }

}
