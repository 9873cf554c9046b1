import Dispatch
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard error as the jobs share it: whole log lines, and at most one
/// status line (the progress bar) kept below them on a terminal.
///
/// Every write goes through one lock, so lines from parallel workers never
/// interleave, and a log line first wipes the status line, then draws it
/// again underneath, so the two never mix either.
enum StandardError {
    private static let lock = Monitor()
    nonisolated(unsafe) private static var status: [UInt8]?

    /// Erases the current terminal line: carriage return, then "erase to end of line".
    private static let eraseLine: [UInt8] = Array("\r\u{1B}[K".utf8)

    /// Writes one complete log line (with its newline).
    static func writeLine(_ text: String) {
        lock.locked {
            if status != nil { writeAll(eraseLine) }
            writeAll(Array(text.utf8))
            if let status { writeAll(status) }
        }
    }

    /// Shows `text` as the status line, replacing the previous one.
    static func showStatus(_ text: String) {
        lock.locked {
            let bytes = eraseLine + Array(text.utf8)
            status = bytes
            writeAll(bytes)
        }
    }

    /// Removes the status line.
    static func clearStatus() {
        lock.locked {
            if status != nil { writeAll(eraseLine) }
            status = nil
        }
    }

    /// A failed write to standard error is dropped: there is nowhere to report it.
    private static func writeAll(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { PosixFile.writeAll(2, $0) }
    }
}

/// A progress bar on standard error for a long read: bytes read of the
/// total, rate and time left, redrawn five times a second.
///
/// Drawn only on a terminal (`isatty(2)`), never with `--quiet`, never when
/// `TERM=dumb` or `NO_COLOR`/`SILTA_NO_PROGRESS` is set; so cron logs, pipes
/// and files never see a carriage return or an escape code.
package final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let progress: ByteProgress
    private let queue = DispatchQueue(label: "silta.progress")
    private var timer: (any DispatchSourceTimer)?
    private var started: Double?

    /// Whether a bar should be drawn at all in this process.
    package static func isWanted(quiet: Bool) -> Bool {
        if quiet || isatty(2) != 1 { return false }
        if getenv("SILTA_NO_PROGRESS") != nil || getenv("NO_COLOR") != nil { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }

    /// A bar labelled `label` that follows `progress`.
    package init(label: String, progress: ByteProgress) {
        self.label = label
        self.progress = progress
    }

    /// Starts redrawing.
    package func start() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        timer.setEventHandler { [self] in draw() }
        self.timer = timer
        timer.resume()
    }

    /// Draws the final state once and removes the bar.
    package func finish() {
        queue.sync {
            timer?.cancel()
            timer = nil
            draw()
        }
        StandardError.clearStatus()
    }

    private func draw() {
        let total = progress.total
        guard total > 0 else { return }
        let now = Clocks.monotonicSeconds()
        if started == nil { started = now }
        StandardError.showStatus(
            Self.render(
                label: label, done: progress.done, total: total, inflated: progress.inflated, seconds: now - started!,
                columns: Self.terminalColumns()))
    }

    /// The terminal's width now (`TIOCGWINSZ` on standard error, read at
    /// every redraw, so a resized window is followed); 80 when it does not say.
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// The bar's text in at most `columns - 1` characters (so that it never
    /// wraps), for example at 80 columns
    /// `ingest [#########...........]  45%  412 of 898 MB  172 MB/s  ETA 0:03`.
    /// The rate is of the bytes after inflating, as in the log line's
    /// "MB/s uncompressed"; the share and the sizes are of the bytes on disk,
    /// whose total is known from the start. On a narrow terminal the bar
    /// shrinks (to 10), then the time left, the rate and the sizes go.
    package static func render(
        label: String, done: Int, total: Int, inflated: Int? = nil, seconds: Double, columns: Int = 80
    ) -> String {
        let fraction = total > 0 ? min(1, Double(max(done, 0)) / Double(total)) : 0
        let percent = String(Int(fraction * 100))
        let mb = { (bytes: Int) in String((bytes + 500_000) / 1_000_000) }
        var tails = ["  \(mb(done)) of \(mb(total)) MB"]
        let produced = inflated ?? done
        if seconds >= 0.1 && done > 0 {
            let rate = Double(produced) / seconds
            tails.append("  \(Int((rate / 1e6).rounded())) MB/s")
            tails.append("  ETA " + clock(Double(total - done) / (Double(done) / seconds)))
        }
        let room = max(1, columns - 1)
        let pct = String(repeating: " ", count: 3 - percent.count) + percent + "%"
        for kept in stride(from: tails.count, through: 0, by: -1) {
            let tail = tails[..<kept].joined()
            let fixed = label.count + 4 + pct.count + tail.count  // "label [", "] ", percent, tails
            let width = min(20, room - fixed)
            guard width >= 10 else { continue }
            let filled = Int(fraction * Double(width))
            return "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + pct + tail
        }
        return String((label + " " + pct).prefix(room))
    }

    /// `m:ss`, or `h:mm:ss` from an hour up.
    static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded(.up)))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return s >= 3600 ? "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
    }
}
