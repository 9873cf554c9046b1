import Logging
import SiltaEvents
import SiltaSupport

/// A swift-log handler that writes one line per message to standard error:
///
///     2026-11-29T02:00:03.412Z ingest info: read 3 file(s), 16917 lines in 0.210 s (123 MB/s uncompressed)
///
/// Each line is written whole under one lock (``StandardError``), so messages
/// from parallel workers never interleave, nor mix with a progress bar. No
/// colours; the only terminal escapes are the progress bar's, on a terminal.
package struct SiltaLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    private let job: String

    package init(job: String, level: Logger.Level) {
        self.job = job
        self.logLevel = level
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var text = "\(Self.timestamp()) \(job) \(event.level): \(Self.printable(event.message.description))"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if !merged.isEmpty {
            text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.printable("\($0.value)"))" }.joined(separator: " ")
        }
        text += "\n"
        StandardError.writeLine(text)
    }

    /// `text` with control characters (a file name may hold an escape
    /// sequence) shown as `\u{1B}`, so a log line is always one plain line.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for s in text.unicodeScalars {
            if s.value < 0x20 || s.value == 0x7F {
                out += "\\u{" + String(s.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// Now, as UTC RFC 3339 with milliseconds.
    package static func timestamp() -> String {
        RFC3339.format(milliseconds: Clocks.epochMilliseconds())
    }

    /// Sets swift-log up for `job` once per process.
    package static func bootstrap(job: String, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { _ in SiltaLogHandler(job: job, level: level) }
        return Logger(label: "silta.\(job)")
    }
}
