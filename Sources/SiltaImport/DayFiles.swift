import Dispatch
import SiltaEvents
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The logs an importer writes (docs/importers.md): one gzip NDJSON file per
/// UTC day, `PREFIX-YYYY-MM-DD.ndjson.gz`, events sorted by instant then id,
/// gzip header time 0, so the same export gives the same bytes.
///
/// Events are spooled per day into temporary files in the output folder as
/// they are mapped (memory holds a buffer per day), and each day is sorted
/// and compressed at the end, a few days at a time (one per worker): an
/// import's memory grows with its largest days, never with the number of days. A day whose bytes
/// are already in the folder is left alone (bytes and modification time),
/// so `ingest` reads only the days that changed; each other file is written
/// under a temporary name and renamed. Days the export no longer has are
/// never removed.
package final class DaySpool {
    /// What writing did.
    package struct Outcome: Sendable, Equatable {
        package var written: [String] = []
        package var unchanged: [String] = []
        /// Events the export holds twice, line for line, each written once.
        package var duplicates = 0
    }

    private let folder: String
    private let prefix: String
    private var buffers: [Int64: [UInt8]] = [:]
    private var spooled = Set<Int64>()
    private var line: [UInt8] = []
    private var record: [UInt8] = []
    /// Bytes held in ``buffers``: past 8 MiB, every day's buffer goes to its spool file.
    private var held = 0
    private static let flushBytes = 8 << 20

    /// - Throws: ``SystemError`` when `folder` cannot be created.
    package init(folder: String, prefix: String) throws {
        self.folder = folder
        self.prefix = prefix
        try FileSystem.createDirectory(folder)
        AtomicFileWriter.removeStaleTemporaries(in: folder)
        for day in Self.spoolFiles(in: folder) { try? FileSystem.remove(folder + "/" + day) }
    }

    deinit {
        for day in spooled { try? FileSystem.remove(spoolPath(day)) }
    }

    /// Adds one event.
    package func add(_ e: ImportEvent) throws {
        let day = Self.floorDiv(e.ms, 86_400_000)
        line.removeAll(keepingCapacity: true)
        e.line(into: &line)
        record.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: e.ms.littleEndian) { record += $0 }
        withUnsafeBytes(of: UInt32(e.id.count).littleEndian) { record += $0 }
        withUnsafeBytes(of: UInt32(line.count).littleEndian) { record += $0 }
        record += e.id
        record += line
        buffers[day, default: []] += record
        held += record.count
        if held >= Self.flushBytes {
            for d in buffers.keys { try flush(d) }
            held = 0
        }
    }

    private func spoolPath(_ day: Int64) -> String { folder + "/.\(prefix)-spool-\(day)" }

    private static func spoolFiles(in folder: String) -> [String] {
        guard let d = opendir(folder) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") && name.contains("-spool-") { out.append(name) }
        }
        return out
    }

    private func flush(_ day: Int64) throws {
        guard let bytes = buffers[day], !bytes.isEmpty else { return }
        let fd = open(spoolPath(day), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError("open", path: spoolPath(day)) }
        defer { close(fd) }
        let ok = bytes.withUnsafeBytes { PosixFile.writeAll(fd, $0) }
        guard ok else { throw SystemError("write", path: spoolPath(day)) }
        spooled.insert(day)
        buffers[day] = []
    }

    /// Sorts and writes every day, `workers` days at a time.
    /// - Throws: ``SystemError`` when a file cannot be written.
    package func finish(workers: Int = 1) throws -> Outcome {
        var outcome = Outcome()
        let days = Set(buffers.keys).union(spooled).sorted()
        let batch = max(1, workers)
        var start = 0
        while start < days.count {
            let part = Array(days[start..<min(days.count, start + batch)])
            var spools: [[UInt8]] = []
            for day in part {
                var bytes = spooled.contains(day) ? try PosixFile.readAll(spoolPath(day)) : []
                bytes += buffers[day] ?? []
                buffers[day] = nil
                spools.append(bytes)
            }
            let files = ResultSlots<(gz: [UInt8], duplicates: Int)>(count: part.count)
            let inputs = spools
            spools = []
            DispatchQueue.concurrentPerform(iterations: part.count) { k in files.set(k, Self.dayFile(inputs[k])) }
            for (k, day) in part.enumerated() {
                let (gz, duplicates) = files.results[k]!
                outcome.duplicates += duplicates
                let name = "\(prefix)-\(RFC3339.formatDate(days: Int(day))).ndjson.gz"
                let path = folder + "/" + name
                if FileSystem.kind(of: path) == .file, let old = try? PosixFile.readAll(path), old == gz {
                    outcome.unchanged.append(name)
                } else {
                    try AtomicFileWriter.write(gz, to: path)
                    outcome.written.append(name)
                }
                if spooled.contains(day) {
                    try? FileSystem.remove(spoolPath(day))
                    spooled.remove(day)
                }
            }
            start += batch
        }
        return outcome
    }

    /// The gzip level of day files: 1, which writes them twice as fast as
    /// zlib's default 6 for an eighth more bytes (a GH Archive month: 10.7
    /// against 9.5 MB); they are read once, by ingest, at the same speed.
    static let level: Int32 = 1

    /// One day's file from its spooled records: sorted by instant then id,
    /// the same line twice kept once (and counted), compressed.
    private static func dayFile(_ bytes: [UInt8]) -> (gz: [UInt8], duplicates: Int) {
        // Records: (ms, id range, line range).
        var records: [(ms: Int64, id: Range<Int>, line: Range<Int>)] = []
        var i = 0
        while i + 16 <= bytes.count {
            let ms = bytes[i..<(i + 8)].withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
            let idCount = Int(bytes[(i + 8)..<(i + 12)].withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
            let lineCount = Int(bytes[(i + 12)..<(i + 16)].withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
            let idStart = i + 16
            records.append((ms, idStart..<(idStart + idCount), (idStart + idCount)..<(idStart + idCount + lineCount)))
            i = idStart + idCount + lineCount
        }
        records.sort { a, b in
            a.ms != b.ms ? a.ms < b.ms : bytes[a.id].lexicographicallyPrecedes(bytes[b.id])
        }
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        var previous: ArraySlice<UInt8>?
        var duplicates = 0
        for r in records {
            let line = bytes[r.line]
            if line == previous {  // the same event twice in the export
                duplicates += 1
                continue
            }
            text += line
            previous = line
        }
        return (Gzip.compress(text, level: level), duplicates)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
