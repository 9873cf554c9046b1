import ArgumentParser
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options every job shares, with the defaults of reports.md.
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(help: "The pipeline's store of ingested events and its state.")
    public var warehouse = "var/warehouse"

    @Option(help: "Where reports are written.")
    public var reports = "var/reports"

    @Option(help: "Concurrent workers (default: the number of processors).")
    public var workers: Int = CommonOptions.processorCount

    @Option(
        help: ArgumentHelp(
            "Seconds to wait when another run holds the warehouse lock (default 0: exit at once with code 75).",
            valueName: "seconds"))
    public var wait: Double = 0

    @Option(
        help: ArgumentHelp(
            "Also write what this run did (exit code, times, figures) to this JSON file; the nightly job reads it.",
            valueName: "file"))
    public var runRecord: String?

    @Flag(name: .shortAndLong, help: "Log only warnings and errors.")
    public var quiet = false

    @Flag(name: .shortAndLong, help: "Log every step in detail.")
    public var verbose = false

    public init() {}

    public mutating func validate() throws {
        if workers < 1 || workers > 256 { throw ValidationError("--workers must be between 1 and 256.") }
        if wait < 0 { throw ValidationError("--wait must not be negative.") }
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together.") }
    }

    /// The log level the flags ask for.
    public var logLevel: Logger.Level { quiet ? .warning : (verbose ? .debug : .info) }

    /// Processors online.
    public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
