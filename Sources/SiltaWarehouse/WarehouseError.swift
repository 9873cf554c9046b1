import SiltaSupport

/// Why the warehouse could not be read or written.
public enum WarehouseError: Error, CustomStringConvertible, Sendable {
    /// A file of the warehouse is not what its manifest or its own checksums say.
    case damaged(path: String, reason: String)
    /// The warehouse was written by a newer, incompatible Silta.
    case unsupportedVersion(path: String, found: UInt32, supported: UInt32)
    /// A report job was pointed at a folder that is no warehouse: it does not
    /// exist, is not a folder, or holds no `MANIFEST` (ingest never ran there).
    case notAWarehouse(path: String, reason: String)
    /// A system call failed.
    case system(SystemError)
    /// A limit of the format was reached (more than 2^32 - 2 ids of a kind).
    case full(what: String)

    public var description: String {
        switch self {
        case .damaged(let path, let reason):
            return "the warehouse file \(path) is damaged (\(reason)); restore the warehouse folder from a backup, "
                + "or move it aside and run ingest again to rebuild it from the logs"
        case .unsupportedVersion(let path, let found, let supported):
            return "\(path) has format version \(found), but this Silta reads version \(supported); use the Silta that wrote it"
        case .notAWarehouse(let path, let reason):
            return "\(path) is not a Silta warehouse (\(reason)); check WAREHOUSE (or --warehouse), or run ingest "
                + "first; no report was written"
        case .system(let e):
            return e.description
        case .full(let what):
            return "the warehouse holds the most \(what) its format allows (4,294,967,294)"
        }
    }
}
