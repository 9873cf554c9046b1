import Crypto
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key of the people report's pseudonyms (docs/people.md): the bytes of
/// a key file, `--people-key FILE`, or else `WAREHOUSE/people.key`, which
/// the first run that needs it makes with 32 random bytes, readable by its
/// owner only. The bytes are never written to a report or a log.
package struct PeopleKey: Sendable {
    /// The key's bytes.
    package let bytes: [UInt8]
    /// The file they came from.
    package let path: String
    /// True when this run made the file.
    package let made: Bool
    /// True when the file's mode lets its group or others read it.
    package let readableByOthers: Bool

    /// The name of the key a warehouse keeps.
    package static let fileName = "people.key"
    /// The bytes a made key has.
    package static let madeBytes = 32
    /// The most a key file may hold.
    package static let maxBytes = 65_536

    /// The key a warehouse keeps: `warehouse/people.key`, made when missing.
    /// Two jobs that make it at once agree on one: the file appears whole
    /// (written under a temporary name, then linked into place), and the
    /// one that finds it there reads it.
    package static func warehouseKey(warehouse: String) throws(PeopleKeyError) -> PeopleKey {
        let path = warehouse + "/" + fileName
        if FileSystem.kind(of: path) != .missing { return try read(path: path) }
        let writer: AtomicFileWriter
        do {
            writer = try AtomicFileWriter(path: path, mode: 0o600)
            try writer.write(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
            guard try writer.commitUnlessPresent() else { return try read(path: path) }
        } catch let error as PeopleKeyError {
            throw error
        } catch {
            throw PeopleKeyError(
                file: path, fault: "cannot be made: \(error)",
                fix: "let this job write to the warehouse, or give a key file with --people-key FILE (make PEOPLE_KEY)",
                exit: .cannotWrite)
        }
        let key = try read(path: path)
        return PeopleKey(bytes: key.bytes, path: path, made: true, readableByOthers: key.readableByOthers)
    }

    /// The key in the file at `path`, which must exist.
    package static func read(path: String) throws(PeopleKeyError) -> PeopleKey {
        func fail(_ fault: String, _ fix: String) -> PeopleKeyError {
            PeopleKeyError(file: path, fault: fault, fix: fix, exit: .badSetting)
        }
        let make = "make one with: head -c 32 /dev/urandom > \(path) && chmod 600 \(path)"
        switch FileSystem.kind(of: path) {
        case .missing:
            throw fail("no such file", "\(make); or leave --people-key (PEOPLE_KEY) out to use the warehouse's own key")
        case .file: break
        default: throw fail("not a regular file", "name the key file itself")
        }
        var st = stat()
        guard stat(path, &st) == 0 else { throw fail("cannot be read: \(SystemError("stat", path: path))", "check its permissions") }
        if st.st_size > maxBytes {
            throw fail("\(st.st_size) bytes, more than the \(maxBytes) a key may have", "a key needs 32 random bytes: \(make)")
        }
        let bytes: [UInt8]
        do {
            bytes = try PosixFile.readAll(path)
        } catch {
            throw fail("cannot be read: \(error)", "check its permissions")
        }
        if bytes.isEmpty { throw fail("it is empty, and an empty key hides nobody", make) }
        if bytes.count > maxBytes { throw fail("more than the \(maxBytes) bytes a key may have", make) }
        return PeopleKey(bytes: bytes, path: path, made: false, readableByOthers: st.st_mode & 0o077 != 0)
    }
}

/// Why the people key cannot be had, and what to do.
package struct PeopleKeyError: Error, CustomStringConvertible, Sendable {
    package enum Exit: Sendable {
        /// The key file named is missing, unreadable or unusable (exit 78).
        case badSetting
        /// The warehouse's key cannot be made (exit 73).
        case cannotWrite
    }

    package let file: String
    package let fault: String
    package let fix: String
    package let exit: Exit

    package var description: String { "the people key \(file) \(fault); \(fix)" }
}

/// Pseudonyms of person ids: `p` and the first 16 lower-case hex digits of
/// HMAC-SHA256(key, id) (swift-crypto's HMAC).
package struct Pseudonyms: Sendable {
    private let keyed: HMAC<SHA256>

    package init(key: [UInt8]) { keyed = HMAC<SHA256>(key: SymmetricKey(data: key)) }

    /// The pseudonym of the person id `id` (its UTF-8 bytes), 17 bytes.
    package func of(_ id: [UInt8]) -> [UInt8] {
        // A copy of the keyed state: the key's pads are hashed once, not per id.
        var h = keyed
        h.update(data: id)
        let digits: StaticString = "0123456789abcdef"
        var out = [UInt8](repeating: 0x70, count: 17)
        let mac = h.finalize()
        mac.withUnsafeBytes { raw in
            digits.withUTF8Buffer { hex in
                for k in 0..<8 {
                    out[1 + 2 * k] = hex[Int(raw[k] >> 4)]
                    out[2 + 2 * k] = hex[Int(raw[k] & 15)]
                }
            }
        }
        return out
    }
}
