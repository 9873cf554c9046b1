import ArgumentParser
import Logging
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How every job starts: swift-argument-parser parses the command line; a
/// mistake in it is exit 64 with one sentence. When the job runs under
/// `make run-jobs` (which sets `SILTA_VIA_MAKE=1`), that sentence names the
/// make variable rather than the option (`TZ_NAME (--time-zone)`) and goes
/// through the same timestamped log format as every other line, so that it
/// reads right in the cron log.
package enum JobEntry {
    /// The make variable of each option `make run-jobs` sets (README, Makefile).
    package static let makeVariables: [(option: String, variable: String)] = [
        ("--logs", "LOGS"), ("--warehouse", "WAREHOUSE"), ("--reports", "REPORTS"), ("--periods", "PERIODS"),
        ("--time-zone", "TZ_NAME"), ("--as-of", "AS_OF"), ("--workers", "WORKERS"), ("--keep-days", "KEEP_DAYS"),
        ("--prom-file", "PROM_FILE"), ("--ingest-wait", "INGEST_WAIT"), ("--wait", "WAIT"),
        ("--links-min-shared", "LINKS_MIN_SHARED"), ("--max-file-bytes", "MAX_FILE_BYTES"),
        ("--max-file-seconds", "MAX_FILE_SECONDS"), ("--identities", "IDENTITIES"), ("--sources", "SOURCES"),
    ]

    /// True when `make run-jobs` started this job.
    package static var viaMake: Bool { getenv("SILTA_VIA_MAKE").map { String(cString: $0) == "1" } ?? false }

    /// `message` with each option `make run-jobs` sets written as its make variable first.
    package static func inMakeWords(_ message: String) -> String {
        var out = message
        // Whole options only (`--wait` is not in `--ingest-wait`), and an
        // option already written `VARIABLE (--option)` is left as it is.
        for (option, variable) in makeVariables {
            out = replaceWhole(option, with: "\(variable) (\(option))", in: out)
        }
        return out
    }

    private static func replaceWhole(_ option: String, with replacement: String, in text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: option) {
            let before = rest[..<r.lowerBound].last
            let after = rest[r.upperBound...].first
            let whole = before != "-" && before?.isLetter != true && !(after.map { $0 == "-" || $0.isLetter } ?? false)
            let alreadyNamed = before == "(" && after == ")"
            out += rest[..<r.lowerBound]
            out += whole && !alreadyNamed ? replacement : option
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    /// Makes glibc give every allocation of 4 MiB or more back to the system
    /// when it is freed; the report jobs call it first thing.
    ///
    /// By default glibc raises its threshold for mapping an allocation on its
    /// own to the size of the largest mapped block freed so far (up to
    /// 32 MiB), and keeps smaller freed blocks in its arenas for reuse. The
    /// jobs free large per-community arrays by the hundred, so the arenas
    /// held on to freed memory: the people job at 20M events had a resident
    /// set 190 MB above its largest live heap (751 MB anonymous against 563 MB
    /// live, heaptrack), 564 MB with a fixed threshold, in the same time.
    /// Setting the threshold fixes it: glibc's `mallopt(M_MMAP_THRESHOLD)`,
    /// looked up at run time (Swift's Glibc module leaves out `malloc.h`), so
    /// another C library simply goes without. The report jobs call it;
    /// ingest does not, as it reuses its large buffers, and there the fixed
    /// threshold only added page faults (5M events, interleaved runs: 0.9
    /// against 0.6 s of system time, median 4.7 against 4.5 s).
    package static func boundFreedMemory() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in glibc's malloc.h
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 4 << 20)
        #endif
    }

    /// Parses the command line and runs `C`, as `C.main()` would, but with
    /// usage errors in make's words under `make run-jobs`.
    package static func main<C: ParsableCommand>(_ type: C.Type, job: String) {
        do {
            var command = try type.parseAsRoot()
            try command.run()
        } catch {
            let code = type.exitCode(for: error)
            guard viaMake, code.rawValue == SiltaExit.usage.rawValue else { type.exit(withError: error) }
            let message = type.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            let logger = SiltaLogHandler.bootstrap(job: job, level: .info)
            logger.error("\(inMakeWords(message)) (exit 64: \(SiltaExit.usage.meaning); `make help` lists the variables)")
            exit(SiltaExit.usage.rawValue)
        }
    }
}
