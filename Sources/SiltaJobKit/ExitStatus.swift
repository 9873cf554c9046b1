import ArgumentParser
import SiltaSupport

/// The exit codes every Silta job uses (README "Exit codes"). Codes from 64 up
/// follow BSD `sysexits.h`.
package enum SiltaExit: Int32, CaseIterable, Sendable {
    /// Everything worked.
    case success = 0
    /// An unexpected failure; nothing was committed.
    case failure = 1
    /// Finished, but some input files were damaged or unreadable; every
    /// readable line was used and the damage is in the report.
    case damagedInput = 2
    /// Bad command-line arguments (swift-argument-parser's validation code).
    case usage = 64
    /// The warehouse is damaged or of an unsupported version; for an
    /// importer, an input that is not an export of its kind.
    case warehouseDamaged = 65
    /// An input is missing or unreadable: the logs folder (ingest), or the
    /// warehouse (a report job pointed at a folder that is no warehouse).
    case inputUnavailable = 66
    /// An output folder (warehouse or reports) cannot be created or written.
    case cannotWrite = 73
    /// An input/output error while writing, such as a full disk.
    case ioError = 74
    /// Another run holds the warehouse lock.
    case locked = 75
    /// A setting names a file that is missing, unreadable or invalid: the
    /// identity file (nothing is written).
    case badSetting = 78

    package var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "unexpected failure; nothing was committed"
        case .damagedInput: "finished, but some log files were damaged or unreadable"
        case .usage: "bad command-line arguments"
        case .warehouseDamaged: "the warehouse is damaged or of an unsupported version, or an export is not of the importer's kind"
        case .inputUnavailable: "an input is missing or unreadable (the logs folder, the warehouse, an export)"
        case .cannotWrite: "an output folder cannot be created or written"
        case .ioError: "input/output error while writing (a full disk?)"
        case .locked: "another run holds the warehouse lock"
        case .badSetting: "the identity file is missing, unreadable or invalid; nothing was written"
        }
    }

    /// The code for a system error met while writing.
    package static func forWriting(_ e: SystemError) -> SiltaExit {
        if e.isPermission { return .cannotWrite }
        if e.isNoSpace { return .ioError }
        if e.isNotFound { return .cannotWrite }
        return .ioError
    }

    /// As swift-argument-parser's `ExitCode`.
    package var exitCode: ExitCode { ExitCode(rawValue) }
}
