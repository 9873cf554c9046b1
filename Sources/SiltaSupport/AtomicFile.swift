import CSiltaSys
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written under a temporary name in its final folder and renamed into
/// place only when complete, so that a reader sees the old file or the new
/// one, never half of one.
///
/// The temporary file is created with `O_EXCL | O_NOFOLLOW`, so a symbolic
/// link planted under its name cannot redirect the write; the final `rename`
/// replaces whatever is at the destination (a link included) without
/// following it. ``commit()`` flushes the data and the folder to disk.
/// A writer that is neither committed nor abandoned removes its temporary
/// file on `deinit`; after a crash, ``removeStaleTemporaries(in:)`` does.
/// One thread writes at a time; it may be handed to another thread.
public final class AtomicFileWriter: @unchecked Sendable {
    /// The final path.
    public let path: String
    /// The temporary path written until ``commit()``.
    public let temporaryPath: String
    private var file: PosixFile?
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    /// Bytes written so far.
    public private(set) var bytesWritten = 0
    /// With ``backgroundSyncBytes`` set, a background `fsync` runs after every
    /// that many bytes, so that a large file reaches the disk while it is
    /// being written and the final `fsync` in ``commit()`` is short.
    public var backgroundSyncBytes: Int?
    private var syncedUpTo = 0
    private var syncQueue: DispatchQueue?
    private let syncGroup = DispatchGroup()

    /// The marker in every temporary name.
    public static let temporaryMarker = ".silta-tmp-"

    /// Starts writing `path`; the file will have `mode` (less the umask).
    public init(path: String, mode: mode_t = 0o644) throws {
        self.path = path
        let (dir, name) = Self.split(path)
        self.temporaryPath = dir + "/." + name + Self.temporaryMarker + String(getpid())
        try FileSystem.remove(temporaryPath)
        file = try PosixFile(path: temporaryPath, flags: O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, mode: mode, noFollow: true)
        buffer.reserveCapacity(bufferLimit)
    }

    deinit {
        if file != nil { abandon() }
    }

    static func split(_ path: String) -> (String, String) {
        if let slash = path.lastIndex(of: "/") {
            let dir = String(path[..<slash])
            return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
        }
        return (".", path)
    }

    /// The folder the file is in.
    public var directory: String { Self.split(path).0 }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        bytesWritten += bytes.count
        if buffer.count + bytes.count > bufferLimit {
            try flushBuffer()
            if bytes.count >= bufferLimit {
                try file!.write(bytes)
                return
            }
        }
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends the UTF-8 of `text`.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends bytes `range` of the file `source`, in the kernel where it can
    /// (`copy_file_range(2)`), else through a buffer.
    ///
    /// File systems that share blocks between files (XFS and Btrfs with
    /// reflinks) answer the kernel copy by sharing only whole blocks at the
    /// same place within a block in both files; where the range starts at
    /// the same offset within a block as the end of this file, its unaligned
    /// head and tail are copied through a buffer and the whole blocks between
    /// in the kernel, so that they can be shared.
    public func append(_ range: Range<Int>, of source: PosixFile) throws {
        guard !range.isEmpty else { return }
        try flushBuffer()
        guard let file else { throw SystemError("write", path: temporaryPath, code: EBADF) }
        let block = Self.shareableBlock
        let head = (range.lowerBound + block - 1) / block * block
        let tail = range.upperBound / block * block
        if (range.lowerBound - bytesWritten) % block == 0 && head < tail {
            try Self.copyBuffered(range.lowerBound..<head, of: source, to: file)
            try Self.copyInKernel(head..<tail, of: source, to: file)
            try Self.copyBuffered(tail..<range.upperBound, of: source, to: file)
        } else {
            try Self.copyInKernel(range, of: source, to: file)
        }
        bytesWritten += range.count
    }

    /// The block size whose whole blocks ``append(_:of:)`` keeps aligned.
    static let shareableBlock = 4096

    /// Copies `range` of `source` to the end of `file` with
    /// `copy_file_range(2)`, through a buffer where the system cannot.
    private static func copyInKernel(_ range: Range<Int>, of source: PosixFile, to file: PosixFile) throws {
        var from = Int64(range.lowerBound)
        var left = range.count
        while left > 0 {
            let n = silta_copy_file_range(source.descriptor, &from, file.descriptor, left)
            if n > 0 {
                left -= n
            } else if n == 0 {
                throw SystemError("copy (it ended before byte \(range.upperBound)) from", path: source.path, code: EIO)
            } else if errno == EINTR {
                continue
            } else if [EXDEV, ENOSYS, EOPNOTSUPP, EINVAL].contains(errno) {
                return try copyBuffered(Int(from)..<range.upperBound, of: source, to: file)
            } else {
                throw SystemError("copy from \(source.path) to", path: file.path)
            }
        }
    }

    /// Copies `range` of `source` to the end of `file` through a buffer.
    private static func copyBuffered(_ range: Range<Int>, of source: PosixFile, to file: PosixFile) throws {
        guard !range.isEmpty else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(range.count, 1 << 20), alignment: 16)
        defer { buffer.deallocate() }
        var from = range.lowerBound
        while from < range.upperBound {
            let n = try source.read(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(range.upperBound - from, buffer.count)]), at: from)
            if n == 0 { throw SystemError("copy (it ended before byte \(range.upperBound)) from", path: source.path, code: EIO) }
            try file.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            from += n
        }
    }

    private func flushBuffer() throws {
        if buffer.isEmpty { return }
        try buffer.withUnsafeBytes { try file!.write($0) }
        buffer.removeAll(keepingCapacity: true)
        if let every = backgroundSyncBytes, bytesWritten - syncedUpTo >= every, let file {
            syncedUpTo = bytesWritten
            if syncQueue == nil { syncQueue = DispatchQueue(label: "silta.fsync") }
            // Errors surface in the final fsync, which commit() checks.
            syncQueue!.async(group: syncGroup) { _ = try? file.sync() }
        }
    }

    /// Flushes, `fsync`s, renames into place and `fsync`s the folder.
    public func commit() throws {
        guard try finishWriting() else { return }
        do {
            try FileSystem.rename(temporaryPath, to: path)
        } catch {
            try? FileSystem.remove(temporaryPath)
            throw error
        }
        try FileSystem.syncDirectory(directory)
    }

    /// Like ``commit()``, but only when nothing is at the destination yet:
    /// the file is linked into place, so of two writers racing for one
    /// path the first wins and the other's file is dropped.
    /// - Returns: false when something was there already (it is left as it was).
    public func commitUnlessPresent() throws -> Bool {
        guard try finishWriting() else { return false }
        defer { try? FileSystem.remove(temporaryPath) }
        if link(temporaryPath, path) != 0 {
            if errno == EEXIST { return false }
            throw SystemError("link \(temporaryPath) to", path: path)
        }
        try FileSystem.syncDirectory(directory)
        return true
    }

    /// Flushes and `fsync`s the temporary file and closes it; on an error
    /// drops it. - Returns: false when it was already committed or dropped.
    private func finishWriting() throws -> Bool {
        guard let file else { return false }
        do {
            try flushBuffer()
            syncGroup.wait()
            try file.sync()
        } catch {
            abandon()
            throw error
        }
        self.file = nil
        return true
    }

    /// Drops the temporary file; the destination is left as it was.
    public func abandon() {
        syncGroup.wait()
        file = nil
        try? FileSystem.remove(temporaryPath)
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(bytes)
        try writer.commit()
    }

    /// Writes `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Removes temporary files left in `directory` by a run that crashed.
    ///
    /// A temporary whose writer (the process id at the end of its name) is
    /// still alive is left alone: another job may be writing into the same
    /// folder at this moment (the nightly job runs the report jobs at once).
    public static func removeStaleTemporaries(in directory: String) {
        guard let names = try? FileSystem.entries(of: directory) else { return }
        let marker = Array(temporaryMarker.utf8)
        for name in names where name.first == 0x2E && name.containsSubsequence(marker) {
            let text = String(decoding: name, as: UTF8.self)
            if let writer = writerProcess(of: text), writer != getpid(), isAlive(writer) { continue }
            try? FileSystem.remove(directory + "/" + text)
        }
    }

    /// The process id a temporary name ends with; nil when it ends otherwise.
    static func writerProcess(of name: String) -> pid_t? {
        // ASCII digits: as many characters as bytes.
        let digits = name.utf8.reversed().prefix { $0 >= 0x30 && $0 <= 0x39 }.count
        guard digits > 0, name.dropLast(digits).hasSuffix(temporaryMarker) else { return nil }
        return pid_t(name.suffix(digits))
    }

    /// True while process `pid` exists (also when it belongs to another user).
    static func isAlive(_ pid: pid_t) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs in the array.
    public func containsSubsequence(_ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > count { return false }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
