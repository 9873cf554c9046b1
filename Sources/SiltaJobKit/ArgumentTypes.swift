import ArgumentParser
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A number of seconds on the command line: a non-negative number, shown in
/// `--help` as written (`600`, not `600.0`).
package struct Seconds: ExpressibleByArgument, Sendable, Equatable {
    package var value: Double

    package init(_ value: Double) { self.value = value }

    package init?(argument: String) {
        guard let v = Double(argument), v >= 0, v.isFinite else { return nil }
        value = v
    }

    /// The value as an argument for a child job.
    package var argument: String { value == value.rounded() && value < 1e15 ? String(Int(value)) : String(value) }
    package var defaultValueDescription: String { argument }
}

/// `--workers`: 1 to 256, by default the number of processors (said so in
/// `--help`, rather than this machine's count).
package struct WorkerCount: ExpressibleByArgument, Sendable, Equatable {
    package var value: Int

    package init(_ value: Int) { self.value = value }

    package init?(argument: String) {
        guard let v = Int(argument) else { return nil }
        value = v
    }

    /// Processors online.
    package static var processors: WorkerCount { WorkerCount(max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))) }
    package var defaultValueDescription: String { "the number of processors" }
}

/// Where the documentation is, for `--help`: `docs/` of the checkout a job
/// was built in, or `PREFIX/share/doc/silta/` where `make install` put it.
package enum SiltaDocs {
    /// The path of `page` (such as `metrics.md`) as this installation has it.
    package static func path(_ page: String) -> String {
        var folder = FileSystem.executableFolder() ?? "."
        for _ in 0..<5 {
            for candidate in [folder + "/docs/" + page, folder + "/share/doc/silta/" + page] where access(candidate, R_OK) == 0 {
                return candidate
            }
            guard let slash = folder.lastIndex(of: "/"), slash != folder.startIndex else { break }
            folder = String(folder[..<slash])
        }
        return "docs/" + page + " (in Silta's source)"
    }
}
