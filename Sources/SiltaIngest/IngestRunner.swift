import Dispatch
import SiltaEvents
import SiltaLogReader
import SiltaSupport
import SiltaWarehouse

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an ingest run is asked to do.
package struct IngestOptions: Sendable {
    /// The folder of activity logs, read recursively.
    package var logs: String
    /// The warehouse folder.
    package var warehouse: String
    /// Where `ingest_report.json` goes; `nil` writes none.
    package var reports: String?
    /// Concurrent workers.
    package var workers: Int
    package var limits = ReadLimits()
    /// Events per block in a run file.
    package var blockRows = 1 << 18
    /// Run files merged into one after the run commits (``RunCompaction``); 0 never merges.
    package var compactFanIn = RunCompaction.defaultFanIn
    /// Most rows of a block of a merged file.
    package var compactBlockRows = RunCompaction.defaultBlockRows
    /// De-duplication keys held in memory before days of them are spilled
    /// to a temporary file (``DedupeIndex``); lowered by the tests.
    package var dedupeResidentKeys = DedupeIndex.residentKeys
    /// Seconds to wait for another run's lock; `nil` waits for ever, 0 fails at once.
    package var lockWaitSeconds: Double? = 0
    /// Counts the bytes of the files read (compressed, as on disk), for a progress bar.
    package var readProgress: ByteProgress?

    package init(logs: String, warehouse: String, reports: String?, workers: Int) {
        self.logs = logs
        self.warehouse = warehouse
        self.reports = reports
        self.workers = workers
    }
}

/// Why ingest could not run.
package enum IngestError: Error, CustomStringConvertible {
    /// The logs folder is missing or unreadable.
    case logsUnavailable(path: String, reason: String)

    package var description: String {
        switch self {
        case .logsUnavailable(let path, let reason):
            return "cannot read the logs folder \(path): \(reason); check LOGS (or --logs) and its permissions"
        }
    }
}

/// One ingest run: find new logs, read and parse them concurrently, merge
/// them into a new warehouse generation, commit, and report.
package enum IngestRunner {
    /// Names of log files, decided by suffix alone (events.md).
    static let suffixes = [LogCompression.gzipSuffix, LogCompression.plainSuffix]

    /// Runs ingest. Holds the warehouse lock throughout; commits atomically.
    /// - Parameter progress: receives one line per step, for the job's log.
    /// - Parameter detail: receives one line per file read (bytes, lines,
    ///   rejects by reason, seconds), for `--verbose`.
    package static func run(
        _ options: IngestOptions, progress: (String) -> Void = { _ in }, detail: (String) -> Void = { _ in }
    ) throws -> IngestReport {
        let started = Clocks.monotonicSeconds()
        guard FileSystem.isDirectory(options.logs) else {
            let reason = FileSystem.kind(of: options.logs) == .missing ? "no such folder" : "not a folder"
            throw IngestError.logsUnavailable(path: options.logs, reason: reason)
        }
        let location = WarehouseLocation(root: options.warehouse)
        do {
            try FileSystem.createDirectory(options.warehouse)
        } catch let e as SystemError {
            throw WarehouseError.system(e)
        }
        let lock = try FileLock(path: location.lockPath, mode: .exclusive, waitSeconds: options.lockWaitSeconds)
        defer { lock.release() }
        try location.create()
        var manifest = try location.readManifest()
        let removed = location.removeUncommitted(after: manifest)
        if !removed.isEmpty { progress("removed \(removed.count) file(s) left by an interrupted run") }

        // Every committed run is verified each night, new files or not, so
        // that damage is found the night it happens.
        let runs = try location.openRuns(manifest, verify: true)

        // Which files are new or changed. The warehouse and the reports are
        // never read as logs, even when they sit inside the logs folder.
        let listing: DirectoryListing
        do {
            let own = [options.warehouse, options.reports].compactMap { $0.flatMap(FileSystem.identity(of:)) }
            listing = try DirectoryWalk.files(under: options.logs, suffixes: suffixes, excluding: Set(own))
        } catch let e as SystemError {
            throw IngestError.logsUnavailable(path: e.path, reason: String(cString: strerror(e.code)))
        }
        for folder in listing.excluded {
            progress("left out \(folder): it is Silta's own warehouse or reports folder, inside the logs folder")
        }
        let found = listing.files
        let unchanged = unchangedFiles(found, manifest: manifest, workers: options.workers)
        var tasks: [FileTask] = []
        for (i, f) in found.enumerated() where !unchanged[i] {
            let name = Array(f.relativePath.split(separator: 0x2F).last ?? [])
            tasks.append(FileTask(index: tasks.count, found: f, compression: LogCompression(fileName: name)!))
        }
        var report = IngestReport()
        for (folder, error) in listing.unreadable {
            // Like an unreadable file: the rest is read, the night says 2, the next night tries again.
            report.damagedFiles.append(
                .init(file: folder + "/", error: "cannot list this folder: " + String(cString: strerror(error.code))))
        }
        report.filesSkipped = found.count - tasks.count
        report.workers = options.workers
        report.generation = manifest.generation
        report.warehouseEvents = manifest.events
        progress("found \(found.count) log file(s): \(tasks.count) to read, \(report.filesSkipped) already ingested")

        if !tasks.isEmpty {
            try ingest(
                tasks, runs: runs, into: &manifest, location: location, options: options, report: &report, progress: progress,
                detail: detail)
        }
        // After every run, new events or not, so that a merge a kill
        // interrupted is made by the next ingest.
        compact(
            location, manifest: &manifest, runs: runs, keeping: manifest.generation, options: options, report: &report, progress: progress)
        report.runFiles = manifest.runs.count
        report.seconds = Clocks.monotonicSeconds() - started
        if let reports = options.reports {
            do {
                try FileSystem.createDirectory(reports)
                try AtomicFileWriter.write(report.json(), to: reports + "/ingest_report.json")
            } catch let e as SystemError {
                throw WarehouseError.system(e)
            }
        }
        return report
    }

    /// For each found file: true when the manifest has it with the same size and content hash.
    static func unchangedFiles(_ found: [FoundFile], manifest: Manifest, workers: Int) -> [Bool] {
        let result = UnsafeMutableBufferPointer<Bool>.allocate(capacity: found.count)
        result.initialize(repeating: false)
        defer { result.deallocate() }
        let candidates = found.indices.filter { manifest.file(at: found[$0].relativePath) != nil }
        let out = SendableBuffer(result)
        DispatchQueue.concurrentPerform(iterations: candidates.count) { k in
            let i = candidates[k]
            let entry = manifest.file(at: found[i].relativePath)!
            guard let file = try? PosixFile(pathBytes: found[i].fullPath), let size = try? file.size(),
                UInt64(size) == entry.size, let hash = try? contentHash(file)
            else { return }
            out.buffer[i] = hash == entry.contentHash
        }
        return Array(result)
    }

    /// ``StableHash128`` of a whole file.
    static func contentHash(_ file: PosixFile) throws -> StableHash128 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = StableHasher()
        while true {
            let n = try file.read(into: buffer)
            if n == 0 { break }
            hasher.combine(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
        return hasher.finalize()
    }

    private static func ingest(
        _ tasks: [FileTask], runs: [RunFile], into manifest: inout Manifest, location: WarehouseLocation, options: IngestOptions,
        report: inout IngestReport, progress: (String) -> Void, detail: (String) -> Void
    ) throws {
        let generation = manifest.generation + 1
        var merger = Merger(
            existing: runs, manifest: manifest, location: location, generation: generation, blockRows: options.blockRows,
            dedupeResidentKeys: options.dedupeResidentKeys)
        merger.futureAfter = Clocks.epochMilliseconds() + 86_400_000
        var ingested: [Manifest.IngestedFile] = []
        var nextLine = 1
        var currentFile = -1
        options.readProgress?.begin(total: tasks.reduce(0) { $0 + FileSystem.size(ofBytes: $1.found.fullPath) })
        let pipeline = Pipeline(files: tasks, limits: options.limits, workers: options.workers, progress: options.readProgress)
        let readStart = Clocks.monotonicSeconds()
        do {
            try pipeline.run(
                merge: { f, item in
                    if f != currentFile {
                        merger.beginFile()
                        currentFile = f
                        nextLine = 1
                    }
                    let name = tasks[f].found.displayPath
                    switch item {
                    case .parsed(let chunk):
                        try merger.merge(chunk, file: name, firstLine: nextLine)
                        FaultInjection.point("ingest-after-first-chunk")
                        nextLine += chunk.lineCount
                    case .oversized(let line):
                        try merger.oversized(line, file: name, lineNumber: nextLine)
                        nextLine += 1
                    }
                },
                fileDone: { f, end in
                    if f != currentFile { merger.beginFile() }
                    currentFile = -1
                    let name = tasks[f].found.displayPath
                    let t = merger.tally
                    report.lines += t.lines
                    report.accepted += t.accepted
                    report.duplicates += t.duplicates
                    for (reason, count) in zip(RejectReason.allCases, t.rejectedByReason) where count > 0 {
                        report.rejected[reason, default: 0] += count
                    }
                    let reasons = zip(RejectReason.allCases, t.rejectedByReason).filter { $0.1 > 0 }.map { "\($0.0.name) \($0.1)" }
                    let rejects = reasons.isEmpty ? "" : " (" + reasons.joined(separator: ", ") + ")"
                    switch end {
                    case .failed(let e):
                        detail("\(name): not read: \(e)")
                        // Not recorded in the manifest: the next run tries it again.
                        report.damagedFiles.append(.init(file: name, error: e.description))
                    case .read(let s):
                        detail(
                            "\(name): \(s.compressedBytes) bytes, \(s.uncompressedBytes) uncompressed, \(t.lines) lines, "
                                + "\(t.accepted) accepted (\(t.duplicates) duplicates), \(t.rejected) rejected\(rejects), "
                                + "read in \(Clocks.seconds(s.seconds)) s\(s.damage.map { "; damaged: \($0)" } ?? "")")
                        report.filesRead += 1
                        report.bytesCompressed += s.compressedBytes
                        report.bytesUncompressed += s.uncompressedBytes
                        if let d = s.damage { report.damagedFiles.append(.init(file: name, error: d.description)) }
                        // A file cut by a limit is not recorded, so that the
                        // next night (with the limit raised) reads it in full;
                        // what it repeats then is counted once, as duplicates.
                        if s.damage?.limitReached == true { return }
                        ingested.append(
                            Manifest.IngestedFile(
                                path: tasks[f].found.relativePath, size: UInt64(s.compressedBytes), contentHash: s.contentHash,
                                generation: generation, lines: UInt64(t.lines), accepted: UInt64(t.accepted),
                                rejected: UInt64(t.rejected), damage: s.damage?.description ?? ""))
                    }
                })
            let readSeconds = Clocks.monotonicSeconds() - readStart
            progress(
                "read \(report.filesRead) file(s), \(report.lines) lines in \(Clocks.seconds(readSeconds)) s "
                    + "(\(megabytesPerSecond(report.bytesUncompressed, readSeconds)) MB/s uncompressed)")
            for (type, count) in zip(EventType.allCases, merger.byType) where count > 0 {
                report.acceptedByType[type] = count
            }
            report.stored = merger.stored
            report.futureEvents = merger.futureEvents
            if merger.futureEvents > 0 { report.latestFutureEvent = merger.latestFuture }
            report.newPersons = merger.newPersons
            report.newCommunities = merger.newCommunities
            report.newContents = merger.newContents
            let spills = merger.dedupeSpills
            report.dedupeDaysSpilled = spills.spilled
            report.dedupeDaysReloaded = spills.reloaded
            if spills.spilled > 0 {
                detail(
                    "de-duplication keys: \(spills.spilled) day(s) moved out of memory to a temporary file, \(spills.reloaded) loaded again"
                )
            }

            guard report.filesRead > 0 else {
                merger.abandon()
                return
            }
            FaultInjection.point("ingest-before-run-file")
            let runSize = try merger.finish()
            FaultInjection.point("ingest-after-run-file")
            try merger.rejects.commit()
            FaultInjection.point("ingest-after-rejects")
            var next = manifest
            next.generation = generation
            if let runSize {
                next.runs.append(
                    Manifest.Run(
                        generation: generation, fileSize: UInt64(runSize), events: UInt64(merger.stored),
                        hasRejects: merger.rejects.hasContent))
            }
            next.persons += UInt64(merger.newPersons)
            next.communities += UInt64(merger.newCommunities)
            next.contents += UInt64(merger.newContents)
            next.events += UInt64(merger.stored)
            next.record(ingested)
            try location.commit(next)
            FaultInjection.point("ingest-after-manifest")
            manifest = next
            report.generation = generation
            report.warehouseEvents = next.events
            if merger.rejects.hasContent { report.rejectsFile = location.rejectsPath(generation: generation) }
            progress(
                "committed generation \(generation): \(merger.stored) new event(s), \(report.duplicates) duplicate(s), "
                    + "\(report.rejectedTotal) rejected line(s)")
        } catch {
            merger.abandon()
            throw error
        }
    }
}

extension IngestRunner {
    /// Merges the committed runs before the last one, tonight's
    /// (``RunCompaction``). Each merge commits on its own; a failure leaves
    /// the warehouse as the last commit left it, is reported, and fails
    /// nothing: the night's events are committed, and the next ingest tries
    /// again.
    static func compact(
        _ location: WarehouseLocation, manifest: inout Manifest, runs: [RunFile], keeping generation: UInt64,
        options: IngestOptions, report: inout IngestReport, progress: (String) -> Void
    ) {
        guard options.compactFanIn >= 2 else { return }
        var files = Dictionary(runs.map { ($0.generation, $0) }, uniquingKeysWith: { a, _ in a })
        do {
            report.compactions = try RunCompaction.compact(
                location, manifest: &manifest, files: &files, keeping: generation, fanIn: options.compactFanIn,
                blockRows: options.compactBlockRows, progress: progress)
        } catch {
            report.compactionError = "\(error)"
            progress("warning: compaction stopped, the warehouse is as its last commit left it (the next ingest tries again): \(error)")
        }
    }
}

func megabytesPerSecond(_ bytes: Int, _ seconds: Double) -> String {
    guard seconds > 0 else { return "-" }
    return String(Int((Double(bytes) / 1e6 / seconds).rounded()))
}
