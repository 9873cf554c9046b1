#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// What a walk found.
public struct DirectoryListing: Sendable {
    /// The matching files, sorted bytewise by relative path.
    public var files: [FoundFile] = []
    /// Folders under the root that could not be listed, with why; the rest
    /// of the walk went on without them.
    public var unreadable: [(relativePath: String, error: SystemError)] = []
    /// Folders left out because they are in `excluding` (relative paths).
    public var excluded: [String] = []
}

/// Recursive folder listing.
public enum DirectoryWalk {
    /// Every regular file under `root` whose name ends with one of `suffixes`
    /// (bytewise, case-sensitive), sorted bytewise by relative path.
    ///
    /// Symbolic links to files are followed; symbolic links to folders are not
    /// descended into, so a link cannot make the walk loop. Hidden names
    /// (leading `.`) are treated like any other: only the suffix decides. A
    /// folder whose identity is in `excluding` (Silta's own warehouse inside
    /// the logs folder) is not entered; a folder under `root` that cannot be
    /// listed is recorded in ``DirectoryListing/unreadable`` and skipped.
    /// - Throws: ``SystemError`` when `root` itself cannot be listed.
    public static func files(under root: String, suffixes: [[UInt8]], excluding: Set<FileIdentity> = []) throws -> DirectoryListing {
        var listing = DirectoryListing()
        let names = try FileSystem.entries(ofBytes: Array(root.utf8))
        walk(root: Array(root.utf8), prefix: [], names: names, suffixes: suffixes, excluding: excluding, into: &listing)
        listing.files.sort { $0.relativePath.lexicographicallyPrecedes($1.relativePath) }
        listing.unreadable.sort { $0.relativePath < $1.relativePath }
        listing.excluded.sort()
        return listing
    }

    private static func walk(
        root: [UInt8], prefix: [UInt8], names: [[UInt8]], suffixes: [[UInt8]], excluding: Set<FileIdentity>,
        into listing: inout DirectoryListing
    ) {
        for name in names {
            let relative = prefix.isEmpty ? name : prefix + [0x2F] + name
            let full = root + [0x2F] + relative
            let matches = suffixes.contains { name.hasSuffix($0) }
            switch FileSystem.kind(ofBytes: full) {
            case .directory:
                let display = String(decoding: relative, as: UTF8.self)
                if !excluding.isEmpty, let id = FileSystem.identity(of: String(decoding: full, as: UTF8.self)), excluding.contains(id) {
                    listing.excluded.append(display)
                    continue
                }
                do {
                    let inner = try FileSystem.entries(ofBytes: full)
                    walk(root: root, prefix: relative, names: inner, suffixes: suffixes, excluding: excluding, into: &listing)
                } catch let e as SystemError {
                    listing.unreadable.append((display, e))
                } catch {
                    listing.unreadable.append((display, SystemError("list folder", path: display, code: EIO)))
                }
            case .file where matches:
                listing.files.append(FoundFile(relativePath: relative, fullPath: full))
            case .symbolicLink where matches && FileSystem.statKind(ofBytes: full) == .file:
                listing.files.append(FoundFile(relativePath: relative, fullPath: full))
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
