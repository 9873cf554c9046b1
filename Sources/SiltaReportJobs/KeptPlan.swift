import SiltaEvents
import SiltaIdentities
import SiltaMetrics
import SiltaReports
import SiltaSupport
import SiltaWarehouse

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tonight's plan for a report job: whether the reports it wrote last can be
/// kept in part, and from which instant on they are written anew
/// (docs/warehouse.md "Kept reports").
///
/// Everything is written anew when nothing was kept, when `--full` says so,
/// when a setting differs from the kept one (the Silta version, the time
/// zone or its database, the families, the identity file, the people key
/// or naming, the links threshold), or when a run the kept reports were
/// made from is gone. Otherwise the rows of every period that ends before
/// the earliest change are kept: the earliest instant the new runs can
/// change (``ReportChanges``), and, when the as-of instant moved, the
/// earlier of the two (a period between them changes its `complete`).
package struct KeptPlan {
    enum Decision {
        case full(reason: String)
        /// Keep what is before `from` (`nil`: nothing changed, keep every row),
        /// which `cause` set.
        case keep(from: Int64?, cause: String, kept: KeptReports, previous: String, newRuns: Int)
    }

    let decision: Decision

    /// The settings the reports depend on, one per line, as kept in the state.
    static func settingsText(_ spec: ReportJobSpec, settings: ReportSettings, identities: String?) -> [UInt8] {
        var lines = [
            "kept-reports 1",
            SiltaVersion.generatedBy,
            "job " + spec.job,
            "families " + settings.families.map(\.rawValue).joined(separator: ","),
            "time-zone " + settings.zone.identifier + " " + zoneDatabaseDigest(settings.zone.identifier),
            "identities " + (identities ?? "none"),
            "links-min-shared \(settings.linksMinShared)",
        ]
        switch settings.peopleIds {
        case nil: break
        case .raw: lines.append("people-ids raw")
        // The key's hash, never the key: the state is no second copy of it.
        case .pseudonymous(let key): lines.append("people-ids pseudonymous, key " + SHA256Hex.of(key))
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// The SHA-256 of the zone's file in the system's time-zone database
    /// (`TZDIR`, else /usr/share/zoneinfo), so that an updated database writes
    /// every period anew; `builtin` where there is no such file (UTC).
    static func zoneDatabaseDigest(_ identifier: String) -> String {
        let dir = getenv("TZDIR").map { String(cString: $0) } ?? "/usr/share/zoneinfo"
        guard !identifier.contains(".."), let bytes = try? PosixFile.readAll(dir + "/" + identifier) else { return "builtin" }
        return SHA256Hex.of(bytes)
    }

    static func make(
        _ spec: ReportJobSpec, options: KeptReportOptions, warehouse: String, reports: String, snapshot: WarehouseSnapshot,
        settings: ReportSettings, settingsText: [UInt8]
    ) -> KeptPlan {
        if options.full { return KeptPlan(decision: .full(reason: "--full")) }
        let kept: KeptReports
        switch KeptReports.read(warehouse: warehouse, job: spec.job) {
        case .failure(let unusable): return KeptPlan(decision: .full(reason: unusable.description))
        case .success(let k): kept = k
        }
        if kept.settings != settingsText {
            let was = String(decoding: kept.settings, as: UTF8.self).split(separator: "\n")
            let now = String(decoding: settingsText, as: UTF8.self).split(separator: "\n")
            let changed = zip(was, now).first { $0 != $1 }.map { "\($0.0.split(separator: " ").first ?? "") changed" } ?? "other settings"
            return KeptPlan(decision: .full(reason: "the kept reports were made with other settings (\(changed))"))
        }
        guard let added = addedRuns(kept: kept.runs, now: snapshot.manifest.runs) else {
            return KeptPlan(decision: .full(reason: "a run the kept reports were made from is no longer in the warehouse"))
        }
        let change = added.isEmpty ? nil : ReportChanges.earliestChange(in: snapshot, added: added, rule: spec.changes)
        var from = change?.instant
        var cause = change?.cause.rawValue ?? "nothing"
        switch (kept.asOf, settings.asOf) {
        case (nil, nil): break
        case (let was?, let now?):
            if was != now && min(was, now) < from ?? .max {
                from = min(was, now)
                cause = "the as-of instant, which moved"
            }
        default: return KeptPlan(decision: .full(reason: "the kept reports were made from an empty warehouse"))
        }
        return KeptPlan(
            decision: .keep(from: from, cause: cause, kept: kept, previous: options.previousReports ?? reports, newRuns: added.count))
    }

    /// The runs (generations) of `now` whose events the kept reports may
    /// not have seen, or `nil` when a run they saw is gone.
    ///
    /// A run the reports saw is still there as it was, or merged by
    /// compaction into a file that covers its generations. A run of `now`
    /// counts as seen when it is one the reports saw, or when it merges only
    /// such runs, all of them (the same ingest runs and events); any other
    /// run counts as new, which is conservative: an event counted as new
    /// that the reports saw can only make the earliest change earlier.
    package static func addedRuns(kept: [Manifest.Run], now: [Manifest.Run]) -> Set<UInt64>? {
        for run in kept where !now.contains(where: { $0 == run || ($0.mergedRuns > 1 && $0.covers(run)) }) { return nil }
        var added = Set<UInt64>()
        for run in now where !kept.contains(run) {
            let inside = kept.filter { run.covers($0) }
            let seen =
                !inside.isEmpty && inside.reduce(0) { $0 + $1.mergedRuns } == run.mergedRuns
                && inside.reduce(0) { $0 + $1.events } == run.events
            if !seen { added.insert(run.generation) }
        }
        return added
    }

    /// True when some rows may be kept.
    var keeps: Bool {
        if case .keep = decision { return true }
        return false
    }

    /// One line for the log.
    func summary(_ settings: ReportSettings) -> String {
        switch decision {
        case .full(let reason):
            return "writing every period anew: \(reason)"
        case .keep(nil, _, _, let previous, let runs):
            return "nothing changed since the kept reports (\(runs) new run(s)): keeping every row of the reports in \(previous)"
        case .keep(let from?, let cause, _, let previous, let runs):
            return
                "\(runs) new run(s): keeping the periods before the one holding \(RFC3339.format(milliseconds: from)) from the reports in \(previous); that instant is the earliest change, set by \(cause)"
        }
    }

    /// What `table` may keep, or why it keeps nothing.
    func reuse(for table: ReportTable, settings: ReportSettings) -> (reuse: ReportReuse?, refused: String?) {
        guard let family = PeriodFamily(adjective: table.period) else {
            return (nil, "it is no period report")
        }
        return reuse(stem: table.fileStem, family: family, settings: settings)
    }

    /// What the table `stem` of `family` may keep, or why it keeps nothing.
    func reuse(stem: String, family: PeriodFamily, settings: ReportSettings) -> (reuse: ReportReuse?, refused: String?) {
        guard case .keep(let from, _, let kept, let previous, _) = decision else { return (nil, "no reports are kept") }
        guard let t = kept.tables.first(where: { $0.stem == stem }) else { return (nil, "it was not kept") }
        let csv = previous + "/" + stem + ".csv"
        let json = previous + "/" + stem + ".json"
        for (path, stamp) in [(csv, t.csv), (json, t.json)] where FileSystem.stamp(of: path) != stamp {
            return (nil, "\(path) is not the file written then")
        }
        let cutoff = firstWritten(family, from: from, settings: settings).map(family.firstDay(of:)) ?? .max
        return (ReportReuse(cutoffDay: cutoff, csvPath: csv, jsonPath: json, csvStamp: t.csv, jsonStamp: t.json, index: t.index), nil)
    }

    /// The first period of `family` written anew: the one holding `from`
    /// (`nil`: none, every row is kept).
    private func firstWritten(_ family: PeriodFamily, from: Int64?, settings: ReportSettings) -> Int? {
        from.map { family.index(ofLocalDay: settings.zone.localDay($0)) }
    }

    /// ``ReportSettings/writtenFrom`` for `spec`'s tables: a family's first
    /// period written anew, for each family all of whose tables keep rows.
    func writtenFrom(_ spec: ReportJobSpec, settings: ReportSettings) -> [PeriodFamily: Int] {
        guard case .keep(let from, _, _, _, _) = decision else { return [:] }
        var result: [PeriodFamily: Int] = [:]
        for family in settings.families
        where spec.reports.allSatisfy({ reuse(stem: $0.name + "_" + family.adjective, family: family, settings: settings).reuse != nil }) {
            result[family] = firstWritten(family, from: from, settings: settings) ?? .max
        }
        return result
    }
}
