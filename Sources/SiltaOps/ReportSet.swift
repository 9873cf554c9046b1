import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A night's reports as one set: the report jobs write into a hidden staging
/// folder, `REPORTS/.tonight/`, and only when every one of them succeeded are
/// the files put at the top of `REPORTS`, together, replacing last night's.
///
/// Publishing writes a journal first (`REPORTS/.publishing`: the files to
/// move in and the stale files to remove), then renames, then removes the
/// journal; a crash in between is finished by ``recover()`` at the start of
/// the next night (or of the next publication), so that the top of `REPORTS`
/// holds last night's set or tonight's, never a mix once recovered. A night
/// whose reports fail leaves the previous set in place.
///
/// A *stale* file is a report of a family not written tonight: a file
/// `R_P.csv` or `R_P.json` (P daily, weekly or monthly) at the top of
/// `REPORTS` for a report `R` that tonight's set holds, whose name is not in
/// tonight's set (after `PERIODS` dropped a family, say). It leaves with the
/// publication. Other files in `REPORTS` are never touched.
package struct ReportSet: Sendable {
    /// The `REPORTS` folder.
    package let reports: String

    package init(reports: String) { self.reports = reports }

    /// Where the report jobs of tonight write.
    package var staging: String { reports + "/.tonight" }
    var journalPath: String { reports + "/.publishing" }

    private static let families = ["_daily", "_weekly", "_monthly"]

    /// The report a file name belongs to (`engagement` for
    /// `engagement_weekly.csv`), or `nil` when it is no report file.
    package static func report(of name: String) -> String? {
        let stem: Substring
        if name.hasSuffix(".csv") {
            stem = name.dropLast(4)
        } else if name.hasSuffix(".json") {
            stem = name.dropLast(5)
        } else {
            return nil
        }
        guard !name.hasPrefix("."), let family = families.first(where: { stem.hasSuffix($0) }) else { return nil }
        let base = stem.dropLast(family.count)
        return base.isEmpty ? nil : String(base)
    }

    /// Finishes a publication a crash cut short, and starts an empty staging folder.
    package func prepare() throws {
        try FileSystem.createDirectory(reports)
        try recover()
        try FileSystem.removeTree(staging)
        try FileSystem.createDirectory(staging)
    }

    /// Drops tonight's unpublished files (the night failed).
    package func discard() { try? FileSystem.removeTree(staging) }

    /// Finishes the publication that a journal describes, if one is there.
    package func recover() throws {
        guard FileSystem.kind(of: journalPath) == .file else { return }
        let text = String(decoding: try PosixFile.readAll(journalPath), as: UTF8.self)
        var publish: [String] = []
        var remove: [String] = []
        // Only plain names at the top of REPORTS, whatever the journal says.
        func plain(_ name: Substring) -> String? {
            name.isEmpty || name.hasPrefix(".") || name.contains("/") ? nil : String(name)
        }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("publish "), let name = plain(line.dropFirst(8)) { publish.append(name) }
            if line.hasPrefix("remove "), let name = plain(line.dropFirst(7)) { remove.append(name) }
        }
        try apply(publish: publish, remove: remove)
    }

    /// Puts every report file of the staging folder at the top of `REPORTS`
    /// and removes the stale ones.
    /// - Returns: the published names, sorted.
    @discardableResult
    package func publish() throws -> [String] {
        let names = try FileSystem.entries(of: staging)
            .map { String(decoding: $0, as: UTF8.self) }
            .filter { !$0.hasPrefix(".") && !$0.contains("/") && FileSystem.kind(of: staging + "/" + $0) == .file }
            .sorted()
        let tonight = Set(names)
        let reportsTonight = Set(names.compactMap(Self.report(of:)))
        let stale = try FileSystem.entries(of: reports)
            .map { String(decoding: $0, as: UTF8.self) }
            .filter { name in
                !tonight.contains(name) && Self.report(of: name).map(reportsTonight.contains) == true
                    && FileSystem.kind(of: reports + "/" + name) == .file
            }
            .sorted()
        let journal = names.map { "publish " + $0 + "\n" }.joined() + stale.map { "remove " + $0 + "\n" }.joined()
        try AtomicFileWriter.write(journal, to: journalPath)
        FaultInjection.point("publish-after-journal")
        try apply(publish: names, remove: stale)
        return names
    }

    private func apply(publish: [String], remove: [String]) throws {
        for (k, name) in publish.enumerated() where FileSystem.kind(of: staging + "/" + name) == .file {
            try FileSystem.rename(staging + "/" + name, to: reports + "/" + name)
            if k == 0 { FaultInjection.point("publish-after-first-rename") }
        }
        for name in remove { try FileSystem.remove(reports + "/" + name) }
        try FileSystem.syncDirectory(reports)
        try FileSystem.remove(journalPath)
        try FileSystem.syncDirectory(reports)
        try FileSystem.removeTree(staging)
    }
}
