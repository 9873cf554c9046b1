import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs another job as a child process: same standard input, output and
/// error, same environment; waits for it.
package enum ChildProcess {
    /// How a child ended.
    package enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// As a shell reports it: the exit code, or 128 + the signal.
        package var code: Int32 {
            switch self {
            case .exited(let c): c
            case .signalled(let s): 128 + s
            }
        }
    }

    /// Runs `path` with `arguments` (not including the program name) and
    /// waits for it to end.
    /// - Throws: ``SystemError`` when it cannot be started (a missing binary).
    package static func run(_ path: String, _ arguments: [String]) throws -> Ending {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, path, nil, nil, argv, environ)
        if rc != 0 { throw SystemError("start", path: path, code: rc) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw SystemError("wait for", path: path) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

}
