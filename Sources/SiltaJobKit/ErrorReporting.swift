import ArgumentParser
import Logging
import SiltaSupport
import SiltaWarehouse

/// Turning an error into one log line and an exit code.
package enum ErrorReporting {
    /// The exit code for the errors every job can meet; `nil` for others.
    package static func status(for error: any Error) -> SiltaExit? {
        switch error {
        case is FileLock.Busy:
            return .locked
        case let e as WarehouseError:
            switch e {
            case .damaged, .unsupportedVersion: return .warehouseDamaged
            case .notAWarehouse: return .inputUnavailable
            case .system(let s): return SiltaExit.forWriting(s)
            case .full: return .failure
            }
        case let e as SystemError:
            return SiltaExit.forWriting(e)
        default:
            return nil
        }
    }

    /// Logs `error` as one sentence and returns the exit code to leave with.
    package static func fail(_ error: any Error, logger: Logger, fallback: SiltaExit = .failure) -> ExitCode {
        let code = status(for: error) ?? fallback
        logger.error("\(error) (exit \(code.rawValue): \(code.meaning))")
        return code.exitCode
    }
}
