/// One file found under a folder.
public struct FoundFile: Sendable, Hashable {
    /// The path relative to the folder walked, as raw bytes (file names need
    /// not be UTF-8); components joined with `/`.
    public var relativePath: [UInt8]
    /// The full path, as raw bytes.
    public var fullPath: [UInt8]
    /// The relative path for messages and reports (invalid UTF-8 shown as U+FFFD).
    public var displayPath: String { String(decoding: relativePath, as: UTF8.self) }
}

/// Recursive folder listing.
public enum DirectoryWalk {
    /// Every regular file under `root` whose name ends with one of `suffixes`
    /// (bytewise, case-sensitive), sorted bytewise by relative path.
    ///
    /// Symbolic links to files are followed; symbolic links to folders are not
    /// descended into, so a link cannot make the walk loop. Hidden names
    /// (leading `.`) are treated like any other: only the suffix decides.
    /// - Throws: ``SystemError`` when `root` or a folder under it cannot be listed.
    public static func files(under root: String, suffixes: [[UInt8]]) throws -> [FoundFile] {
        var found: [FoundFile] = []
        try walk(root: Array(root.utf8), prefix: [], suffixes: suffixes, into: &found)
        found.sort { $0.relativePath.lexicographicallyPrecedes($1.relativePath) }
        return found
    }

    private static func walk(root: [UInt8], prefix: [UInt8], suffixes: [[UInt8]], into found: inout [FoundFile]) throws {
        let dir = prefix.isEmpty ? root : root + [0x2F] + prefix
        for name in try FileSystem.entries(ofBytes: dir) {
            let relative = prefix.isEmpty ? name : prefix + [0x2F] + name
            let full = root + [0x2F] + relative
            let matches = suffixes.contains { name.hasSuffix($0) }
            switch FileSystem.kind(ofBytes: full) {
            case .directory:
                try walk(root: root, prefix: relative, suffixes: suffixes, into: &found)
            case .file where matches:
                found.append(FoundFile(relativePath: relative, fullPath: full))
            case .symbolicLink where matches && FileSystem.statKind(ofBytes: full) == .file:
                found.append(FoundFile(relativePath: relative, fullPath: full))
            default:
                break
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// True when the array ends with `suffix`.
    public func hasSuffix(_ suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
