#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call on a named file, as one sentence an operator can act
/// on: what was being done, to which file, what the system said, and, where
/// the cause is clear, what to do about it.
package struct SystemError: Error, CustomStringConvertible, Sendable {
    /// What Silta was doing ("open", "write", "rename", ...).
    package var operation: String
    /// The file or folder concerned.
    package var path: String
    /// The `errno` value.
    package var code: Int32

    package init(_ operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// True when the error means the disk (or quota) is full.
    package var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
    /// True when the file or folder does not exist.
    package var isNotFound: Bool { code == ENOENT || code == ENOTDIR }
    /// True when permissions or a read-only file system forbid the operation.
    package var isPermission: Bool { code == EACCES || code == EPERM || code == EROFS }

    package var description: String {
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
