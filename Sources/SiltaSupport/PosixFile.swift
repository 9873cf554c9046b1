#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor with the handful of calls Silta needs, each throwing a
/// ``SystemError`` that names the file. Closed on `deinit`.
///
/// Each method's comment names the system call it wraps.
public final class PosixFile: @unchecked Sendable {
    public let descriptor: Int32
    public let path: String

    /// Wraps `open(2)`.
    /// - Parameter noFollow: refuse to open a symbolic link (`O_NOFOLLOW`), so
    ///   that a link planted in an output folder cannot redirect a write.
    public init(path: String, flags: Int32, mode: mode_t = 0o644, noFollow: Bool = false) throws {
        let all = flags | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0)
        let fd = open(path, all, mode)
        if fd < 0 { throw SystemError("open", path: path) }
        self.descriptor = fd
        self.path = path
    }

    /// Wraps `open(2)` for reading a path given as raw bytes (file names need
    /// not be valid UTF-8, and a `String` would repair them).
    public init(pathBytes: [UInt8]) throws {
        let fd = (pathBytes + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_CLOEXEC) }
        }
        self.path = String(decoding: pathBytes, as: UTF8.self)
        if fd < 0 { throw SystemError("open", path: self.path) }
        self.descriptor = fd
    }

    /// Opens an existing file for reading.
    public static func openForReading(_ path: String) throws -> PosixFile {
        try PosixFile(path: path, flags: O_RDONLY)
    }

    deinit { close(descriptor) }

    /// Wraps `fstat(2)`: the file's size in bytes.
    public func size() throws -> Int {
        var st = stat()
        if fstat(descriptor, &st) != 0 { throw SystemError("stat", path: path) }
        return Int(st.st_size)
    }

    /// Wraps `fstat(2)`: the open file's ``FileStamp``.
    public func stamp() throws -> FileStamp {
        var st = stat()
        if fstat(descriptor, &st) != 0 { throw SystemError("stat", path: path) }
        return FileStamp(
            identity: FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), size: UInt64(st.st_size),
            modifiedSeconds: Int64(st.st_mtim.tv_sec), modifiedNanoseconds: Int64(st.st_mtim.tv_nsec))
    }

    /// Wraps `read(2)`, retrying on `EINTR`. Returns 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw SystemError("read", path: path)
        }
    }

    /// Reads until `buffer` is full or the file ends; returns the bytes read.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Wraps `pread(2)` until `buffer` is full or the file ends.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path: path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Wraps `write(2)` until every byte is written.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if !Self.writeAll(descriptor, bytes) { throw SystemError("write", path: path) }
    }

    /// Wraps `write(2)` on any descriptor (standard error included) until
    /// every byte is written, retrying on `EINTR`; false when a write fails.
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Wraps `fsync(2)`.
    public func sync() throws {
        if fsync(descriptor) != 0 { throw SystemError("flush to disk", path: path) }
    }

    /// Reads the whole file.
    public static func readAll(_ path: String) throws -> [UInt8] {
        let file = try PosixFile.openForReading(path)
        let size = try file.size()
        var bytes = [UInt8](repeating: 0, count: size)
        let got = try bytes.withUnsafeMutableBytes { try file.readFully(into: $0) }
        if got < size { bytes.removeLast(size - got) }
        return bytes
    }
}

/// File-system operations on paths, each wrapping one system call.
public enum FileSystem {
    /// Wraps `rename(2)`: atomically replaces `to` with `from`.
    public static func rename(_ from: String, to: String) throws {
        if Glibc.rename(from, to) != 0 { throw SystemError("rename \(from) to", path: to) }
    }

    /// Wraps `unlink(2)`; a missing file is not an error.
    public static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw SystemError("remove", path: path) }
    }

    /// Wraps `fsync(2)` on a directory, so that renames and creations inside
    /// it survive a power cut.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw SystemError("open folder", path: path) }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw SystemError("flush folder", path: path) }
    }

    /// Wraps `lstat(2)`: what is at `path`, without following a final symbolic link.
    public static func kind(of path: String) -> FileKind {
        kind(ofBytes: Array(path.utf8))
    }

    /// Wraps `lstat(2)` for a path given as raw bytes.
    public static func kind(ofBytes path: [UInt8]) -> FileKind {
        var st = stat()
        let rc = (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &st) }
        }
        if rc != 0 { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Wraps `stat(2)`: true when `path` is (or links to) a directory.
    public static func isDirectory(_ path: String) -> Bool {
        statKind(ofBytes: Array(path.utf8)) == .directory
    }

    /// Wraps `stat(2)` for a path given as raw bytes: what it is, following links.
    public static func statKind(ofBytes path: [UInt8]) -> FileKind {
        var st = stat()
        let rc = (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { stat($0.baseAddress!, &st) }
        }
        if rc != 0 { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Creates `path` and its missing parents (`mkdir -p`), refusing to pass
    /// through a symbolic link at the last component. An error names `path`.
    public static func createDirectory(_ path: String, mode: mode_t = 0o755) throws {
        do {
            try makeDirectories(path, mode: mode)
        } catch let e as SystemError {
            throw SystemError("create folder", path: path, code: e.code)
        }
    }

    private static func makeDirectories(_ path: String, mode: mode_t) throws {
        if path.isEmpty { return }
        switch kind(of: path) {
        case .directory: return
        case .symbolicLink:
            if isDirectory(path) { return }
            throw SystemError("create folder", path: path, code: ENOTDIR)
        case .missing: break
        default: throw SystemError("create folder", path: path, code: ENOTDIR)
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]), mode: mode)
        }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw SystemError("create folder", path: path) }
    }

    /// Wraps `stat(2)`: the device and inode of what `path` names (links
    /// followed), which tell whether two paths are the same folder; `nil`
    /// when it cannot be read.
    public static func identity(of path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// Wraps `lstat(2)`: the stamp of the regular file at `path`; `nil` when
    /// it cannot be read or is no regular file (a symbolic link is not followed).
    public static func stamp(of path: String) -> FileStamp? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileStamp(
            identity: FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), size: UInt64(st.st_size),
            modifiedSeconds: Int64(st.st_mtim.tv_sec), modifiedNanoseconds: Int64(st.st_mtim.tv_nsec))
    }

    /// The folder of the running executable (`readlink("/proc/self/exe")`);
    /// `nil` where the system does not say.
    public static func executableFolder() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// Wraps `lstat(2)`: when `path` was last modified, in Unix seconds; `nil`
    /// when it cannot be read.
    public static func modificationSeconds(of path: String) -> Int64? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec)
    }

    /// Wraps `stat(2)`: the size of the file at `path` in bytes; 0 when it cannot be read.
    public static func size(ofBytes path: [UInt8]) -> Int {
        var st = stat()
        let rc = (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { stat($0.baseAddress!, &st) }
        }
        return rc == 0 ? Int(st.st_size) : 0
    }

    /// Removes `path` and, when it is a folder, everything in it (`rm -rf`).
    /// Symbolic links are removed, never followed. A missing path is not an error.
    public static func removeTree(_ path: String) throws {
        switch kind(of: path) {
        case .missing:
            return
        case .directory:
            for name in try entries(of: path) {
                try removeTree(path + "/" + String(decoding: name, as: UTF8.self))
            }
            if rmdir(path) != 0 && errno != ENOENT { throw SystemError("remove folder", path: path) }
        default:
            try remove(path)
        }
    }

    /// Copies the regular file `from` to the new file `to` (which must not
    /// exist) and flushes the copy to disk. Neither path may be a symbolic link.
    /// Gives the file at `from` the second name `to` (a hard link), or,
    /// where the file system cannot (another device, no hard links), copies
    /// it. For files that are only ever replaced whole, never changed in
    /// place: both names then keep the same bytes until `from` is replaced.
    public static func linkOrCopyFile(from: String, to: String) throws {
        if link(from, to) == 0 { return }
        switch errno {
        case EXDEV, EPERM, EMLINK, ENOTSUP, ENOSYS: try copyFile(from: from, to: to)
        default: throw SystemError("link \(from) to", path: to)
        }
    }

    public static func copyFile(from: String, to: String) throws {
        let source = try PosixFile(path: from, flags: O_RDONLY, noFollow: true)
        let target = try PosixFile(path: to, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644, noFollow: true)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            try target.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
        try target.sync()
    }

    /// Wraps `access(2)` with `W_OK`.
    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// The names in a folder (not `.` or `..`), as raw bytes.
    public static func entries(of path: String) throws -> [[UInt8]] {
        try entries(ofBytes: Array(path.utf8))
    }

    /// The names in a folder given as raw bytes (not `.` or `..`).
    public static func entries(ofBytes path: [UInt8]) throws -> [[UInt8]] {
        let opened = (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { opendir($0.baseAddress!) }
        }
        guard let dir = opened else { throw SystemError("list folder", path: String(decoding: path, as: UTF8.self)) }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                let end = bytes.firstIndex(of: 0) ?? bytes.count
                return Array(bytes[..<end])
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        return names
    }
}

/// What makes a file or folder itself, whatever path names it.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// A file as it was when last written: which file (device and inode), its
/// size and its modification time to the nanosecond. A file replaced or
/// changed in place since gets another stamp (short of someone setting the
/// time back by hand); a second name given to it (a hard link) keeps it.
public struct FileStamp: Sendable, Hashable {
    public var identity: FileIdentity
    public var size: UInt64
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64

    public init(identity: FileIdentity, size: UInt64, modifiedSeconds: Int64, modifiedNanoseconds: Int64) {
        self.identity = identity
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
    }
}

public enum FileKind: Sendable {
    case file, directory, symbolicLink, other, missing
}
