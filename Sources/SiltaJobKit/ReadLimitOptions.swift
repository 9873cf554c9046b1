import ArgumentParser
import SiltaLogReader

/// What one log file may cost ingest (make `MAX_FILE_BYTES`,
/// `MAX_FILE_SECONDS`): `ingest` reads with them, `nightly` passes them on.
/// A file that reaches a limit is cut there, reported as damaged, and not
/// recorded as ingested, so that a raised limit reads it in full next night.
package struct ReadLimitOptions: ParsableArguments, Sendable {
    /// The long names of the options, which ``arguments`` uses too.
    enum Name {
        static let maxFileBytes = "max-file-bytes"
        static let maxFileSeconds = "max-file-seconds"
    }

    @Option(
        name: .customLong(Name.maxFileBytes),
        help: ArgumentHelp(
            "Most bytes one log file may yield after inflating, with an optional K, M, G or T suffix (powers of 1024).",
            valueName: "size"))
    package var maxFileBytes = "64G"

    @Option(name: .customLong(Name.maxFileSeconds), help: ArgumentHelp("Most seconds reading one log file may take.", valueName: "seconds"))
    package var maxFileTime = Seconds(3600)

    /// Most seconds reading one log file may take.
    package var maxFileSeconds: Double { maxFileTime.value }

    package init() {}

    package mutating func validate() throws {
        guard let bytes = Self.bytes(maxFileBytes), bytes >= 1 << 20 else {
            throw ValidationError("--max-file-bytes \"\(maxFileBytes)\" is not a size of at least 1M, such as 64G or 500M.")
        }
        if !(maxFileSeconds >= 1) { throw ValidationError("--max-file-seconds must be at least 1.") }
    }

    /// The limits with these two set.
    package func apply(to limits: inout ReadLimits) {
        limits.maxFileBytes = Self.bytes(maxFileBytes) ?? limits.maxFileBytes
        limits.maxFileSeconds = maxFileSeconds
    }

    /// The arguments that give a child job these settings.
    package var arguments: [String] { ["--" + Name.maxFileBytes, maxFileBytes, "--" + Name.maxFileSeconds, maxFileTime.argument] }

    /// `64G` → 68719476736; a plain number is bytes; `nil` when it is no size.
    package static func bytes(_ text: String) -> Int? {
        var digits = Substring(text)
        var scale = 1
        if let last = digits.last, let power = "KMGT".firstIndex(of: Character(last.uppercased())) {
            scale = 1 << (10 * ("KMGT".distance(from: "KMGT".startIndex, to: power) + 1))
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 0 else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }
}
