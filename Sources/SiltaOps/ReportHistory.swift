import Dispatch
import SiltaEvents
import SiltaIdentities
import SiltaSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dated copies of the reports, `REPORTS/history/YYYY-MM-DD/`, one per as-of
/// date, so that analysts can compare nights; the latest reports stay at the
/// top of `REPORTS`.
///
/// A folder is replaced whole: the copy is made in a hidden folder and renamed
/// into place, so a reader (or a crash) sees the old copy or the new one,
/// never a mix. ``recover()`` finishes or undoes a replacement a crash cut short.
package struct ReportHistory: Sendable {
    /// The `REPORTS` folder.
    package let reports: String

    package init(reports: String) { self.reports = reports }

    /// `REPORTS/history`.
    package var root: String { reports + "/history" }

    private static let building = ".building-"
    private static let replaced = ".replaced-"

    /// The day number of a folder name `YYYY-MM-DD` that is a real date; `nil` otherwise.
    package static func day(of name: String) -> Int? { RFC3339.parseDate(name) }

    /// The report files at the top of `REPORTS` that a dated copy holds: every
    /// regular `.csv` and `.json` file, sorted.
    package func reportFiles() throws -> [String] {
        try FileSystem.entries(of: reports)
            .map { String(decoding: $0, as: UTF8.self) }
            .filter { name in
                (name.hasSuffix(".csv") || name.hasSuffix(".json")) && !name.hasPrefix(".")
                    && FileSystem.kind(of: reports + "/" + name) == .file
            }
            .sorted()
    }

    /// Copies `files` (names at the top of `REPORTS`; hard links where the
    /// file system allows) and `extra` (name, content) into
    /// `history/<date>/`, replacing an earlier copy for the same date.
    /// - Returns: the folder's path relative to `REPORTS`, `history/<date>`.
    @discardableResult
    package func keep(date: String, files: [String], extra: [(name: String, content: String)] = []) throws -> String {
        guard Self.day(of: date) != nil else { throw SystemError("keep a dated copy in", path: root + "/" + date, code: EINVAL) }
        try FileSystem.createDirectory(root)
        try recover()
        let final = root + "/" + date
        let staging = root + "/" + Self.building + date + "-" + String(getpid())
        try FileSystem.removeTree(staging)
        if mkdir(staging, 0o755) != 0 { throw SystemError("create folder", path: staging) }
        do {
            // Reports are only ever replaced whole (written under a temporary
            // name, then renamed), so the dated copy can be a second name
            // for tonight's file: a copy of the people report cost seconds.
            for name in files { try FileSystem.linkOrCopyFile(from: reports + "/" + name, to: staging + "/" + name) }
            for (name, content) in extra { try AtomicFileWriter.write(content, to: staging + "/" + name) }
            try FileSystem.syncDirectory(staging)
            FaultInjection.point("history-before-rename")
            if FileSystem.kind(of: final) != .missing {
                let old = root + "/" + Self.replaced + date
                try FileSystem.removeTree(old)
                try FileSystem.rename(final, to: old)
                try FileSystem.rename(staging, to: final)
                try FileSystem.syncDirectory(root)
                try FileSystem.removeTree(old)
            } else {
                try FileSystem.rename(staging, to: final)
                try FileSystem.syncDirectory(root)
            }
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        return "history/" + date
    }

    /// Removes what a crash left: unfinished copies go; a copy moved aside
    /// for replacement comes back if its replacement never arrived.
    package func recover() throws {
        guard FileSystem.isDirectory(root) else { return }
        for raw in try FileSystem.entries(of: root) {
            let name = String(decoding: raw, as: UTF8.self)
            let path = root + "/" + name
            if name.hasPrefix(Self.building) {
                try FileSystem.removeTree(path)
            } else if name.hasPrefix(Self.replaced) {
                let date = String(name.dropFirst(Self.replaced.count))
                if Self.day(of: date) != nil && FileSystem.kind(of: root + "/" + date) == .missing {
                    try FileSystem.rename(path, to: root + "/" + date)
                } else {
                    try FileSystem.removeTree(path)
                }
            }
        }
    }

    /// The dated folders, oldest first.
    package func dates() throws -> [String] {
        guard FileSystem.isDirectory(root) else { return [] }
        return try FileSystem.entries(of: root)
            .map { String(decoding: $0, as: UTF8.self) }
            .filter { Self.day(of: $0) != nil && FileSystem.kind(of: root + "/" + $0) == .directory }
            .sorted()
    }

    /// Applies the retention by the machine's clock: removes a dated folder
    /// when its date is `keepDays` or more days before `now`'s UTC date *and*
    /// it was made (its modification time) `keepDays` or more days before
    /// `now`. So a copy made within `keepDays` of the clock is never removed,
    /// whatever the as-of date said: neither a future-dated event (whose
    /// folder is dated years ahead) nor backfilled old logs (whose folders
    /// are dated years back) can empty the history. The newest folder and
    /// `protecting` are never removed; `keepDays` 0 keeps everything; folders
    /// whose names are not dates are left alone.
    /// - Parameter now: the machine's clock, UTC epoch milliseconds.
    /// - Returns: the removed folders' names, oldest first.
    package func prune(keepDays: Int, now: Int64, protecting: String? = nil) throws -> [String] {
        guard keepDays > 0 else { return [] }
        let all = try dates()
        guard let newest = all.last else { return [] }
        let today = Int(now / 86_400_000)
        let cutoff = now / 1000 - Int64(keepDays) * 86_400
        var removed: [String] = []
        for name in all where name != newest && name != protecting {
            let path = root + "/" + name
            guard today - Self.day(of: name)! >= keepDays, let made = FileSystem.modificationSeconds(of: path), made <= cutoff
            else { continue }
            try FileSystem.removeTree(path)
            removed.append(name)
        }
        if !removed.isEmpty { try FileSystem.syncDirectory(root) }
        return removed
    }

    /// Files of a dated copy that stay as they are: the run's own small
    /// records, read first and by tools (`run_summary.json`,
    /// `ingest_report.json`), and the dashboard and workbook (a page to open;
    /// an already compressed zip).
    static func staysPlain(_ name: String) -> Bool {
        name == "run_summary.json" || name == "ingest_report.json" || !(name.hasSuffix(".csv") || name.hasSuffix(".json"))
    }

    /// What ``compact(except:workers:)`` did.
    package struct Compaction: Sendable, Equatable {
        /// Files compressed, and shared with the day before's same bytes.
        package var compressed = 0
        package var shared = 0
        /// Bytes of the plain files compressed, and of what replaced them.
        package var plainBytes = 0
        package var storedBytes = 0
        /// gzip members written, and of those copied from the day before's
        /// copy (``ChunkedGzip``) instead of deflated again.
        package var members = 0
        package var copiedMembers = 0

        package init() {}
    }

    /// Compresses the report files of every dated copy but `newest` (the one
    /// just kept, whose files are second names for the published reports and
    /// cost nothing): each `name.csv` or `name.json` becomes `name.csv.gz`
    /// (gzip level 1, the same bytes for the same file), written under a
    /// temporary name and renamed before the plain file goes, and a file
    /// whose compressed bytes equal those of the day before's copy becomes a
    /// second name for it. The folders keep their modification time, which
    /// the retention reads. A crash leaves each file plain or compressed,
    /// never neither; the next compaction finishes the job.
    /// - Parameter workers: files compressed at once.
    package func compact(except newest: String, workers: Int) throws -> Compaction {
        let folders = try dates().filter { $0 != newest }
        var tasks: [(folder: String, name: String)] = []
        var made: [String: Int64?] = [:]
        for folder in folders {
            let dir = root + "/" + folder
            let before = FileSystem.modificationSeconds(of: dir)
            let names = Set(try FileSystem.entries(of: dir).map { String(decoding: $0, as: UTF8.self) })
            var touched = false
            for name in names.sorted() where !name.hasPrefix(".") && !Self.staysPlain(name) {
                if names.contains(name + ".gz") {
                    // A crash after the rename: the compressed file is whole.
                    try FileSystem.remove(dir + "/" + name)
                    touched = true
                } else {
                    tasks.append((folder, name))
                }
            }
            for name in names where name.hasPrefix(".") && name.contains(AtomicFileWriter.temporaryMarker) {
                try FileSystem.remove(dir + "/" + name)
                touched = true
            }
            if touched || tasks.last?.folder == folder { made[folder] = before }
        }
        var result = Compaction()
        guard !tasks.isEmpty || !made.isEmpty else { return result }
        let sizes = Mutex<(plain: Int, first: (any Error)?)>((0, nil))
        let counts = Mutex<(members: Int, copied: Int)>((0, 0))
        let jobs = tasks
        let queue = WorkQueue(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, tasks.count))) { _ in
            while let k = queue.claim() {
                let (folder, name) = jobs[k]
                let path = root + "/" + folder + "/" + name
                do {
                    let size = try PosixFile.openForReading(path).size()
                    let out = try AtomicFileWriter(path: path + ".gz")
                    do {
                        // The day before's copy of the file, compressed, shares
                        // the members of the periods that did not change.
                        let before = folders.last { $0 < folder }.map { root + "/" + $0 + "/" + name + ".gz" }
                        let (members, copied) = try ChunkedGzip.compressFile(
                            path, into: out, reusing: before, digest: SHA256Hex.digest)
                        counts.withLock {
                            $0.members += members
                            $0.copied += copied
                        }
                        FaultInjection.point("history-compress-before-rename")
                        try out.commit()
                    } catch {
                        out.abandon()
                        throw error
                    }
                    try FileSystem.remove(path)
                    sizes.withLock { $0.plain += size }
                } catch {
                    sizes.withLock { if $0.first == nil { $0.first = error } }
                }
            }
        }
        if let error = sizes.withLock({ $0.first }) {
            restoreTimes(made)
            throw error
        }
        result.compressed = tasks.count
        result.plainBytes = sizes.withLock { $0.plain }
        (result.members, result.copiedMembers) = counts.withLock { $0 }
        // Shared where unchanged: the same compressed bytes as the day before's.
        for (folder, name) in tasks {
            let path = root + "/" + folder + "/" + name + ".gz"
            if let before = folders.last(where: { $0 < folder }),
                try Self.sameBytes(path, root + "/" + before + "/" + name + ".gz")
            {
                let temporary = root + "/" + folder + "/." + name + ".gz" + AtomicFileWriter.temporaryMarker + String(getpid())
                try? FileSystem.remove(temporary)
                if link(root + "/" + before + "/" + name + ".gz", temporary) == 0 {
                    try FileSystem.rename(temporary, to: path)
                    result.shared += 1
                    continue
                }
            }
            result.storedBytes += FileSystem.size(ofBytes: Array(path.utf8))
        }
        for folder in Set(tasks.map(\.folder)) { try FileSystem.syncDirectory(root + "/" + folder) }
        restoreTimes(made)
        return result
    }

    /// Gives each folder back the modification time it had before.
    private func restoreTimes(_ made: [String: Int64?]) {
        for (folder, time) in made {
            guard let seconds = time else { continue }
            let times = [timespec(tv_sec: Int(seconds), tv_nsec: 0), timespec(tv_sec: Int(seconds), tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, root + "/" + folder, times, 0)
        }
    }

    /// Whether the files at `a` and `b` hold the same bytes (false when `b` is missing).
    static func sameBytes(_ a: String, _ b: String) throws -> Bool {
        guard FileSystem.kind(of: b) == .file else { return false }
        let x = try PosixFile.openForReading(a)
        let y = try PosixFile.openForReading(b)
        guard try x.size() == y.size() else { return false }
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        let q = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer {
            p.deallocate()
            q.deallocate()
        }
        while true {
            let n = try x.readFully(into: p)
            guard try y.readFully(into: q) == n else { return false }
            if n == 0 { return true }
            if memcmp(p.baseAddress!, q.baseAddress!, n) != 0 { return false }
        }
    }
}
