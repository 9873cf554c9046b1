import SiltaIdentities
import SiltaSupport
import SiltaWarehouse

/// The identity file's ``PersonMap``, kept in the warehouse
/// (`identities/<SHA-256 of the file>.map`) so that of the report jobs of a
/// night only the first parses the file and maps the persons; the others
/// read the map back (docs/identities.md, "Cost").
///
/// The map is made again whenever the file's bytes or the warehouse's
/// persons change: the name holds the file's hash, the content the
/// persons' fingerprint, and a damaged or foreign map is ignored. Writing
/// it is best effort (a read-only warehouse still makes its reports).
package enum PersonMapCache {
    /// The folder in the warehouse.
    package static func folder(warehouse: String) -> String { warehouse + "/identities" }

    package static func path(warehouse: String, sha256: String) -> String { folder(warehouse: warehouse) + "/" + sha256 + ".map" }

    /// Whether a map for the file `sha256` is kept (it may still be for other persons).
    package static func exists(warehouse: String, sha256: String) -> Bool {
        FileSystem.kind(of: path(warehouse: warehouse, sha256: sha256)) == .file
    }

    /// The fingerprint of the warehouse's persons: their ids, in number order.
    package static func fingerprint(_ persons: [UnsafeRawBufferPointer]) -> StableHash128 {
        var all: [UInt8] = []
        all.reserveCapacity(persons.reduce(0) { $0 + $1.count + 1 })
        for p in persons {
            all.append(UInt8(truncatingIfNeeded: p.count))
            all.append(contentsOf: p)
        }
        return StableHash128(all)
    }

    /// The kept map of the file `sha256` for `persons` (whose fingerprint is `print`), if there is a sound one.
    static func load(warehouse: String, sha256: String, persons: Int, print: StableHash128) -> PersonMap? {
        guard exists(warehouse: warehouse, sha256: sha256),
            let bytes = try? PosixFile.readAll(path(warehouse: warehouse, sha256: sha256))
        else { return nil }
        return PersonMap(serialized: bytes, fingerprint: print, persons: persons)
    }

    /// The map of the file `sha256` for `snapshot`'s persons: the kept one,
    /// else made from `parse()` and kept (`kept` says which; `storeError`
    /// why it could not be kept, which only costs the next job the time).
    package static func map(
        sha256: String, snapshot: WarehouseSnapshot, warehouse: String, parse: () throws(IdentityFileError) -> IdentityFile
    ) throws(IdentityFileError) -> (map: PersonMap, kept: Bool, storeError: (any Error)?) {
        // The persons' fingerprint once, for the lookup and the store alike.
        let print = fingerprint(snapshot.persons)
        if let kept = load(warehouse: warehouse, sha256: sha256, persons: snapshot.persons.count, print: print) { return (kept, true, nil) }
        let map = PersonMap(file: try parse(), persons: snapshot.persons)
        return (map, false, store(map, warehouse: warehouse, sha256: sha256, print: print))
    }

    /// Keeps `map` (of the file `sha256`) and removes the maps of other
    /// files; errors are returned, not thrown: the caller only logs them.
    static func store(_ map: PersonMap, warehouse: String, sha256: String, print: StableHash128) -> (any Error)? {
        let dir = folder(warehouse: warehouse)
        do {
            if !FileSystem.isDirectory(dir) { try FileSystem.createDirectory(dir) }
            try AtomicFileWriter.write(map.serialized(fingerprint: print), to: path(warehouse: warehouse, sha256: sha256))
            let mine = Array((sha256 + ".map").utf8)
            for name in (try? FileSystem.entries(of: dir)) ?? [] where name.hasSuffix(Array(".map".utf8)) && name != mine {
                try? FileSystem.remove(dir + "/" + String(decoding: name, as: UTF8.self))
            }
            return nil
        } catch {
            return error
        }
    }
}
