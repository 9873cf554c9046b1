import SiltaReports
import SiltaSupport
import SiltaWarehouse

/// What a report job keeps in the warehouse about the reports it last
/// wrote, so that the next night rewrites only the periods its new events
/// can change (docs/warehouse.md "Kept reports"): the settings they were
/// made with, the runs they saw, their as-of instant, and for each table
/// the files' stamps and where each period's rows begin in them.
///
/// Kept in `WAREHOUSE/kept/<job>.state`, written atomically after the
/// job's last report file is committed; checksummed. Anything that does
/// not match tonight (another setting, a run gone, a file changed, a
/// damaged state) means that table, or the whole job, is written in full.
package struct KeptReports: Sendable, Equatable {
    static let magic = Array("SILTAKEP".utf8)
    /// Version 2 records runs as manifest format 2 does (merged runs);
    /// version 1 states are still read.
    static let version: UInt32 = 2

    /// The settings the reports were made with, as text (``ReportJob``'s
    /// `settingsText`): another version, report time zone or time-zone
    /// database, families, identity file, people key or links threshold
    /// differs here.
    package var settings: [UInt8]
    /// The as-of instant of the reports, `nil` when the warehouse was empty.
    package var asOf: Int64?
    /// The runs the reports were computed from.
    package var runs: [Manifest.Run]
    /// The folder they were written to.
    package var folder: String
    /// Each table as written.
    package var tables: [Table]

    /// One table's two files.
    package struct Table: Sendable, Equatable {
        package var stem: String
        package var csv: FileStamp
        package var json: FileStamp
        package var index: ReportIndex

        package init(stem: String, csv: FileStamp, json: FileStamp, index: ReportIndex) {
            self.stem = stem
            self.csv = csv
            self.json = json
            self.index = index
        }
    }

    package init(settings: [UInt8], asOf: Int64?, runs: [Manifest.Run], folder: String, tables: [Table]) {
        self.settings = settings
        self.asOf = asOf
        self.runs = runs
        self.folder = folder
        self.tables = tables
    }

    /// The state file of `job` in `warehouse`.
    package static func path(warehouse: String, job: String) -> String { folder(warehouse: warehouse) + "/" + job + ".state" }
    package static func folder(warehouse: String) -> String { warehouse + "/kept" }

    /// The kept state of `job`, or why there is none that can be used.
    package static func read(warehouse: String, job: String) -> Result<KeptReports, Unusable> {
        let p = path(warehouse: warehouse, job: job)
        guard FileSystem.kind(of: p) == .file else { return .failure(Unusable("no reports were kept yet")) }
        do {
            return .success(try KeptReports(decoding: try PosixFile.readAll(p)))
        } catch {
            return .failure(Unusable("the kept state \(p) cannot be read (\(error))"))
        }
    }

    /// Writes the state of `job` atomically.
    package func write(warehouse: String, job: String) throws {
        let dir = Self.folder(warehouse: warehouse)
        if !FileSystem.isDirectory(dir) { try FileSystem.createDirectory(dir) }
        try AtomicFileWriter.write(encoded(), to: Self.path(warehouse: warehouse, job: job))
    }

    /// Removes the state of `job`, so that the next run writes every table in
    /// full (a missing state is not an error).
    package static func remove(warehouse: String, job: String) throws {
        try FileSystem.remove(path(warehouse: warehouse, job: job))
    }

    /// Why kept reports cannot be used: a sentence for the log.
    package struct Unusable: Error, CustomStringConvertible, Sendable {
        package var description: String
        init(_ reason: String) { description = reason }
    }

    // MARK: Encoding

    package func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.append(Self.magic)
        w.append(Self.version)
        w.appendBlob(settings)
        w.append(UInt8(asOf == nil ? 0 : 1))
        w.append(asOf ?? 0)
        w.append(UInt32(runs.count))
        for r in runs { r.encode(into: &w) }
        w.appendBlob(Array(folder.utf8))
        w.append(UInt32(tables.count))
        for t in tables {
            w.appendBlob(Array(t.stem.utf8))
            for s in [t.csv, t.json] {
                w.append(s.identity.device)
                w.append(s.identity.inode)
                w.append(s.size)
                w.append(s.modifiedSeconds)
                w.append(s.modifiedNanoseconds)
            }
            let i = t.index
            for n in [i.rows, i.csvRows.lowerBound, i.csvRows.upperBound, i.jsonRows.lowerBound, i.jsonRows.upperBound] {
                w.append(Int64(n))
            }
            w.append(UInt32(i.periods.count))
            for p in i.periods {
                for n in [p.day, p.rowsBefore, p.csv, p.json] { w.append(Int64(n)) }
            }
        }
        w.append(CRC32.of(w.bytes))
        return w.bytes
    }

    struct Damaged: Error, CustomStringConvertible {
        var description: String
    }

    package init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= 16, Array(bytes[0..<8]) == Self.magic else { throw Damaged(description: "not a kept-reports state") }
        let body = bytes.count - 4
        let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: body, as: UInt32.self) }
        let crc = bytes.withUnsafeBytes { CRC32.of(UnsafeRawBufferPointer(rebasing: $0[..<body])) }
        guard UInt32(littleEndian: stored) == crc else { throw Damaged(description: "checksum mismatch") }
        self = try bytes.withUnsafeBytes { raw in
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<body]), offset: 8)
            let version = try r.read(UInt32.self)
            guard (1...Self.version).contains(version) else {
                throw Damaged(description: "version \(version), this Silta reads 1 to \(Self.version)")
            }
            let settings = try r.readBlob()
            let hasAsOf = try r.read(UInt8.self)
            let asOfValue = try r.read(Int64.self)
            var runs: [Manifest.Run] = []
            for _ in 0..<(try r.read(UInt32.self)) {
                runs.append(try Manifest.Run(reading: &r, format: version))
            }
            let folder = String(decoding: try r.readBlob(), as: UTF8.self)
            var tables: [Table] = []
            for _ in 0..<(try r.read(UInt32.self)) {
                let stem = String(decoding: try r.readBlob(), as: UTF8.self)
                var stamps: [FileStamp] = []
                for _ in 0..<2 {
                    let identity = FileIdentity(device: try r.read(), inode: try r.read())
                    stamps.append(
                        FileStamp(identity: identity, size: try r.read(), modifiedSeconds: try r.read(), modifiedNanoseconds: try r.read()))
                }
                func int() throws -> Int { Int(try r.read(Int64.self)) }
                let rows = try int()
                let csvLo = try int()
                let csvHi = try int()
                let jsonLo = try int()
                let jsonHi = try int()
                guard csvLo <= csvHi, jsonLo <= jsonHi else { throw Damaged(description: "a table's rows end before they begin") }
                let n = Int(try r.read(UInt32.self))
                guard n <= r.remaining / 32 else { throw Damaged(description: "more periods than bytes") }
                var periods: [ReportIndex.Period] = []
                periods.reserveCapacity(n)
                for _ in 0..<n {
                    periods.append(ReportIndex.Period(day: try int(), rowsBefore: try int(), csv: try int(), json: try int()))
                }
                tables.append(
                    Table(
                        stem: stem, csv: stamps[0], json: stamps[1],
                        index: ReportIndex(periods: periods, rows: rows, csvRows: csvLo..<csvHi, jsonRows: jsonLo..<jsonHi)))
            }
            guard r.remaining == 0 else { throw Damaged(description: "bytes after the end") }
            return KeptReports(settings: settings, asOf: hasAsOf != 0 ? asOfValue : nil, runs: runs, folder: folder, tables: tables)
        }
    }
}
