import SiltaSupport

/// The warehouse folder (`WAREHOUSE`) and its files:
///
///     MANIFEST              the commit point (see ``Manifest``)
///     LOCK                  held by a run while it works on the warehouse
///     runs/00000001.run     one immutable file per committed ingest run
///     runs/00000001-00000008.run  the runs 1 to 8, merged by compaction
///     rejects/00000001.ndjson  the lines that run rejected
///
/// Layout and guarantees: docs/warehouse.md.
public struct WarehouseLocation: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public var manifestPath: String { root + "/MANIFEST" }
    public var lockPath: String { root + "/LOCK" }
    public var runsDirectory: String { root + "/runs" }
    public var rejectsDirectory: String { root + "/rejects" }

    public func runPath(generation: UInt64) -> String {
        runsDirectory + "/" + RunFileLayout.fileName(generation: generation)
    }

    /// The file of a committed run (merged or not).
    public func runPath(of run: Manifest.Run) -> String { runsDirectory + "/" + RunFileLayout.fileName(of: run) }

    public func rejectsPath(generation: UInt64) -> String {
        let name = RunFileLayout.fileName(generation: generation)
        return rejectsDirectory + "/" + name.dropLast(4) + ".ndjson"
    }

    /// True when a manifest exists (something, possibly nothing yet, was committed).
    public var exists: Bool { FileSystem.kind(of: manifestPath) == .file }

    /// Reads the manifest. A folder with no manifest and no runs is a new,
    /// empty warehouse; runs without a manifest mean the manifest was lost,
    /// and nothing is touched.
    public func readManifest() throws -> Manifest {
        switch FileSystem.kind(of: manifestPath) {
        case .missing:
            if let names = try? FileSystem.entries(of: runsDirectory), names.contains(where: { $0.hasSuffix(Array(".run".utf8)) }) {
                throw WarehouseError.damaged(
                    path: manifestPath, reason: "missing while \(runsDirectory) holds run files")
            }
            return Manifest()
        case .file:
            do {
                return try Manifest(decoding: PosixFile.readAll(manifestPath), path: manifestPath)
            } catch let e as SystemError {
                throw WarehouseError.system(e)
            }
        default:
            throw WarehouseError.damaged(path: manifestPath, reason: "not a regular file")
        }
    }

    /// Creates the folders of a new warehouse and, when there is none yet, an
    /// empty manifest: from then on a missing manifest means damage.
    public func create() throws {
        do {
            try FileSystem.createDirectory(root)
            try FileSystem.createDirectory(runsDirectory)
            try FileSystem.createDirectory(rejectsDirectory)
            // Only a folder with no manifest and no runs is new (readManifest
            // reports lost manifests); anything else at that name, a link or a
            // folder, is never replaced here: readManifest reports it.
            if FileSystem.kind(of: manifestPath) == .missing {
                _ = try readManifest()
                try commit(Manifest())
            }
        } catch let e as SystemError {
            throw WarehouseError.system(e)
        }
    }

    /// Replaces the manifest atomically: the commit point of a run.
    public func commit(_ manifest: Manifest) throws {
        do {
            try AtomicFileWriter.write(manifest.encoded(), to: manifestPath)
        } catch let e as SystemError {
            throw WarehouseError.system(e)
        }
    }

    /// Removes what a run that did not commit left behind: run files the
    /// manifest does not name (an interrupted ingest's, a merge that did not
    /// commit, or the files a committed merge replaced), rejects files newer
    /// than the manifest's generation, and temporary files. A file the
    /// manifest names is never touched.
    /// - Returns: the paths removed.
    @discardableResult
    public func removeUncommitted(after manifest: Manifest) -> [String] {
        var removed: [String] = []
        let named = Set(manifest.runs.map { RunFileLayout.fileName(of: $0) })
        for dir in [root, runsDirectory, rejectsDirectory] {
            guard let names = try? FileSystem.entries(of: dir) else { continue }
            for raw in names {
                let name = String(decoding: raw, as: UTF8.self)
                let path = dir + "/" + name
                if name.contains(AtomicFileWriter.temporaryMarker) {
                    try? FileSystem.remove(path)
                    removed.append(path)
                    continue
                }
                guard dir != root, let dot = name.firstIndex(of: ".") else { continue }
                let stem = name[..<dot]
                // `<gen>` or `<first>-<last>`, digits only: nothing else is ours.
                let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
                let gens = parts.compactMap { UInt64($0) }
                guard (1...2).contains(parts.count), gens.count == parts.count else { continue }
                let unnamedRun = dir == runsDirectory && name.hasSuffix(".run") && !named.contains(name)
                if unnamedRun || gens.contains(where: { $0 > manifest.generation }) {
                    try? FileSystem.remove(path)
                    removed.append(path)
                }
            }
        }
        return removed
    }

    /// Maps every committed run file, checking sizes and checksums.
    public func openRuns(_ manifest: Manifest, verify: Bool = true) throws -> [RunFile] {
        try manifest.runs.map { try RunFile(path: runPath(of: $0), expected: $0, verify: verify) }
    }
}
