import SiltaLogReader
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file of one JSON document per line (GH Archive hours, Mattermost bulk
/// exports), plain or gzip, read through Silta's log reader: lines of at
/// most 16 MiB (a longer one is skipped and counted), blank lines passed
/// over, `\r\n` taken as `\n`, and a cut or damaged gzip read up to its
/// last whole line and named in the summary.
enum JSONLines {
    static let maxLineBytes = 16 << 20

    /// Hands each non-blank line of `path` to `body`; returns how many there were.
    /// - Throws: what `body` throws, or the reader's error for a file that cannot be read.
    static func read(
        _ path: String, summary: inout ImportSummary, body: (UnsafeRawBufferPointer, inout ImportSummary) throws -> Void
    ) throws -> Int {
        var limits = ReadLimits()
        limits.maxLineBytes = maxLineBytes
        let compression: LogCompression = path.hasSuffix(".gz") ? .gzip : .plain
        let reader = LogFileReader(path: Array(path.utf8), compression: compression, limits: limits)
        let pool = BufferPool(bufferCapacity: limits.bufferCapacity, keep: 4)
        var lines = 0
        var failure: (any Error)?
        nonisolated(unsafe) var s = summary
        let read = try withoutActuallyEscaping(body) { body in
            try reader.read(pool: pool) { item in
                guard failure == nil else { return }
                switch item {
                case .oversized(let o):
                    if !o.isBlank { s.skip("line longer than 16 MiB") }
                case .lines(let buffer):
                    defer { pool.give(buffer) }
                    let bytes = buffer.bytes
                    guard let base = bytes.baseAddress else { return }
                    var start = 0
                    while start < bytes.count {
                        let end =
                            memchr(base + start, 0x0A, bytes.count - start).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
                            ?? bytes.count
                        defer { start = end + 1 }
                        var stop = end
                        if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
                        var blank = true
                        for k in start..<stop where bytes[k] != 0x20 && bytes[k] != 0x09 {
                            blank = false
                            break
                        }
                        if blank { continue }
                        lines += 1
                        do {
                            try body(UnsafeRawBufferPointer(rebasing: bytes[start..<stop]), &s)
                        } catch {
                            failure = error
                            return
                        }
                    }
                }
            }
        }
        summary = s
        if let failure { throw failure }
        if let damage = read.damage {
            summary.damaged.append((path, "\(damage.reason) at byte \(damage.offset); every whole line before it was read"))
        }
        return lines
    }
}
