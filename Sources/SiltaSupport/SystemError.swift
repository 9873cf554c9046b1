#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call on a named file, as one sentence an operator can act
/// on: what was being done, to which file, what the system said, and, where
/// the cause is clear, what to do about it.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    /// What Silta was doing ("open", "write", "rename", ...).
    public var operation: String
    /// The file or folder concerned.
    public var path: String
    /// The `errno` value.
    public var code: Int32

    public init(_ operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// True when the error means the disk (or quota) is full.
    public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
    /// True when the file or folder does not exist.
    public var isNotFound: Bool { code == ENOENT || code == ENOTDIR }
    /// True when permissions or a read-only file system forbid the operation.
    public var isPermission: Bool { code == EACCES || code == EPERM || code == EROFS }

    public var description: String {
        let reason = String(cString: strerror(code))
        var text = "cannot \(operation) \(path): \(reason)"
        if isNoSpace {
            text += "; free some space on that file system and run again (nothing was committed)"
        } else if isPermission {
            text += "; check that the user running Silta may write there"
        } else if isNotFound {
            text += "; check the path"
        }
        return text
    }
}
