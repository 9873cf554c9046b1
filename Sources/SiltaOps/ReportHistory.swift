import SiltaEvents
import SiltaSupport

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
}
