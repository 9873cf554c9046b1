#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock on a file (`flock(2)`), held until ``release()`` or
/// `deinit`. The kernel drops it when the process dies, `kill -9` included, so
/// a crashed run never leaves a stale lock behind.
public final class FileLock: @unchecked Sendable {
    private let file: PosixFile

    public enum Mode: Sendable {
        /// One holder at a time (ingest, which writes).
        case exclusive
        /// Many holders at once, none while an exclusive one is held (report jobs, which read).
        case shared
    }

    /// Why a lock was not taken.
    public struct Busy: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "another Silta run holds the lock \(path); wait for it to finish (or pass --wait) and run again"
        }
    }

    /// Takes the lock on `path` (created if missing).
    /// - Parameter waitSeconds: 0 fails at once when the lock is held;
    ///   otherwise retries for that long; `nil` waits for ever.
    public init(path: String, mode: Mode, waitSeconds: Double?) throws {
        file = try PosixFile(path: path, flags: O_RDWR | O_CREAT, mode: 0o644, noFollow: true)
        let op = (mode == .exclusive ? LOCK_EX : LOCK_SH)
        if waitSeconds == nil {
            while flock(file.descriptor, op) != 0 {
                if errno != EINTR { throw SystemError("lock", path: path) }
            }
            return
        }
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let start = Double(deadline.tv_sec) + Double(deadline.tv_nsec) / 1e9
        while flock(file.descriptor, op | LOCK_NB) != 0 {
            if errno != EWOULDBLOCK && errno != EINTR { throw SystemError("lock", path: path) }
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            if Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 - start >= waitSeconds! { throw Busy(path: path) }
            usleep(50_000)
        }
    }

    /// Writes a one-line note into the lock file, such as who holds it, for
    /// the message a second run shows while it waits or gives up.
    public func setNote(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = ftruncate(file.descriptor, 0)
        _ = bytes.withUnsafeBytes { pwrite(file.descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The note in the lock file at `path`, if any.
    public static func note(at path: String) -> String? {
        guard let bytes = try? PosixFile.readAll(path), !bytes.isEmpty else { return nil }
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.isEmpty ? nil : line
    }

    /// Releases the lock.
    public func release() { flock(file.descriptor, LOCK_UN) }
}
