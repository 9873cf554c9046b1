import Logging
import SiltaEvents
import SiltaIdentities
import SiltaJobKit
import SiltaMetrics
import SiltaReports
import SiltaSupport
import SiltaWarehouse

/// The frame every report job runs in: lock the warehouse for reading, load
/// it, compute the tables, write them atomically, log one line per step.
package enum ReportJob {
    /// The exit codes of every report job, for `--help`.
    package static let exitCodesHelp = """

        Exit codes: 0 success; 64 bad arguments; 65 the warehouse is damaged; 66 the warehouse \
        does not exist or is not a warehouse (nothing is written); 78 the identity file (or the \
        people key) is missing, unreadable or invalid (nothing is written); 73 the reports \
        folder (or the people key in the warehouse) cannot be written; 74 input/output error (a full disk?); 75 an ingest holds the \
        warehouse lock; 1 any other failure.
        """

    /// Runs the report job `spec` as its executable does: logging set up
    /// for it, any error logged as one sentence and turned into its exit code.
    /// - Parameter links: the job's ``LinksOptions``, when ``ReportJobSpec/takesLinks``.
    /// - Parameter people: the job's ``PeopleOptions``, when ``ReportJobSpec/takesPeople``.
    package static func execute(
        _ spec: ReportJobSpec, common: CommonOptions, report: ReportOptions, kept: KeptReportOptions = KeptReportOptions(),
        links: LinksOptions? = nil, people: PeopleOptions? = nil
    ) throws {
        JobEntry.boundFreedMemory()
        try JobFrame.run(job: spec.job, common: common, classify: exitStatus) { logger, record in
            try run(
                spec, common: common, report: report, kept: kept, links: links, people: people, logger: logger, record: &record)
            return .success
        }
    }

    /// The exit code of the errors only report jobs meet.
    package static func exitStatus(for error: any Error) -> SiltaExit? {
        if error is IdentityFileError { return .badSetting }
        if let key = error as? PeopleKeyError { return key.exit == .badSetting ? .badSetting : .cannotWrite }
        return nil
    }

    /// Makes and keeps the map of `file` for the warehouse's persons, so
    /// that report jobs started together all find it (the nightly job calls
    /// this after ingest). Best effort: returns why it could not, and the
    /// jobs then make the map themselves.
    package static func keepPersonMap(of file: IdentityFile, warehouse: String, wait: Double) -> (any Error)? {
        do {
            let lock = try FileLock(path: WarehouseLocation(root: warehouse).lockPath, mode: .shared, waitSeconds: wait)
            defer { lock.release() }
            let snapshot = try WarehouseSnapshot(root: warehouse)
            return try PersonMapCache.map(sha256: file.sha256, snapshot: snapshot, warehouse: warehouse) { file }.storeError
        } catch {
            return error
        }
    }

    /// The people report's naming: raw ids, or pseudonyms under the given
    /// key or the warehouse's (made now when missing). The key's bytes are
    /// never logged; its path is.
    static func peopleIds(_ options: PeopleOptions, given: PeopleKey?, warehouse: String, logger: Logger) throws -> PeopleIds {
        if options.raw {
            logger.notice("people are named by their raw ids (--people-ids raw): the reports hold personal data")
            return .raw
        }
        let key = try given ?? PeopleKey.warehouseKey(warehouse: warehouse)
        logger.info(
            "pseudonyms under the key \(key.path)\(key.made ? " (made now: \(PeopleKey.madeBytes) random bytes, readable by its owner only)" : "")"
        )
        if key.readableByOthers {
            logger.warning(
                "the people key \(key.path) can be read by other users, who could then tell whose rows are whose; chmod 600 \(key.path)")
        }
        return .pseudonymous(key: key.bytes)
    }

    /// Runs a report job.
    /// - Parameter compute: makes the job's tables from the loaded warehouse.
    /// - Parameter record: receives the figures (events, communities, rows, as-of).
    package static func run(
        _ spec: ReportJobSpec, common: CommonOptions, report: ReportOptions, kept keptOptions: KeptReportOptions,
        links: LinksOptions? = nil, people: PeopleOptions? = nil, logger: Logger, record: inout JobRecord
    ) throws {
        let start = Clocks.monotonicSeconds()
        // A wrong identity file is found before anything else, and changes
        // nothing; a file whose map the warehouse keeps was valid when kept.
        let identity = try report.identities.map { path throws(IdentityFileError) in
            let bytes = try IdentityFile.read(path: path)
            return (path: path, bytes: bytes, sha256: SHA256Hex.of(bytes))
        }
        // So is a wrong people key file.
        var givenKey: PeopleKey?
        if let people, !people.raw, let path = people.peopleKey { givenKey = try PeopleKey.read(path: path) }
        var parsed: IdentityFile?
        if let identity, !PersonMapCache.exists(warehouse: common.warehouse, sha256: identity.sha256) {
            parsed = try IdentityFile.parse(identity.bytes, file: identity.path, sha256: identity.sha256)
        }
        let location = WarehouseLocation(root: common.warehouse)
        // A path that is no warehouse is a mistake in a setting, never an
        // empty report written over a good one: only an existing (possibly
        // empty) warehouse makes reports.
        switch FileSystem.statKind(ofBytes: Array(common.warehouse.utf8)) {
        case .missing: throw WarehouseError.notAWarehouse(path: common.warehouse, reason: "no such folder")
        case .directory: break
        default: throw WarehouseError.notAWarehouse(path: common.warehouse, reason: "not a folder")
        }
        if !location.exists {
            throw WarehouseError.notAWarehouse(path: common.warehouse, reason: "it holds no MANIFEST: ingest has never run there")
        }
        // Read a committed state: a shared lock waits for (or stops at) a running ingest.
        let lock = try FileLock(path: location.lockPath, mode: .shared, waitSeconds: common.wait)
        defer { lock.release() }
        let snapshot = try WarehouseSnapshot(root: common.warehouse)
        let persons = try identity.map { id throws(IdentityFileError) in
            let (map, kept, storeError) = try PersonMapCache.map(sha256: id.sha256, snapshot: snapshot, warehouse: common.warehouse) {
                () throws(IdentityFileError) in
                if let parsed { return parsed }
                return try IdentityFile.parse(id.bytes, file: id.path, sha256: id.sha256)
            }
            logger.info(
                "read the identity file \(id.path): \(map.used.ids) ids, \(map.used.persons) persons, \(map.used.bots) bots\(kept ? " (its map of the warehouse's persons kept from an earlier job)" : "") in \(Clocks.seconds(Clocks.monotonicSeconds() - start)) s"
            )
            if let storeError {
                logger.debug("could not keep the identity map in the warehouse (the next job makes it again): \(storeError)")
            }
            return map
        }
        let input = MetricsInput(snapshot: snapshot, workers: common.workers, persons: persons)
        let loaded = Clocks.monotonicSeconds()
        logger.info(
            "loaded the warehouse: \(snapshot.manifest.events) events, \(input.communityCount) communities, \(snapshot.runs.count) run file(s) in \(Clocks.seconds(loaded - start)) s"
        )
        if let identity {
            logger.info("left out \(input.botEvents) events of bots (of \(snapshot.manifest.events))")
            record.set(.botEvents, .integer(input.botEvents))
            record.set(.identitiesSHA256, .text(identity.sha256))
        }
        var settings = try ReportSettings.make(
            input: input, families: report.families, timeZone: report.timeZone, asOf: report.asOfMilliseconds,
            workers: common.workers)
        if let links { settings.linksMinShared = links.linksMinShared }
        if let people {
            settings.peopleIds = try peopleIds(people, given: givenKey, warehouse: common.warehouse, logger: logger)
        }
        let settingsText = KeptPlan.settingsText(spec, settings: settings, identities: identity?.sha256)
        let plan = KeptPlan.make(
            spec, options: keptOptions, warehouse: common.warehouse, reports: common.reports, snapshot: snapshot, settings: settings,
            settingsText: settingsText)
        logger.info("\(plan.summary(settings))")
        let fullSettings = settings
        settings.writtenFrom = plan.writtenFrom(spec, settings: settings)
        let tables = spec.compute(input, settings)
        let computed = Clocks.monotonicSeconds()
        let held = tables.compactMap(\.heldRowCount).reduce(0, +)
        let streamed = tables.filter(\.isStreamed).count
        logger.info(
            "computed \(tables.count) table(s), \(held) rows\(streamed > 0 ? " (and \(streamed) table(s) made while written)" : "") in \(Clocks.seconds(computed - loaded)) s"
        )
        // The state of the reports written before is dropped first: from here
        // on those files are being replaced, and a crash must not leave a
        // state that describes a mix.
        try? KeptReports.remove(warehouse: common.warehouse, job: spec.job)
        var rows: [Int] = []
        var keptTables: [KeptReports.Table] = []
        var keptRows = 0
        // Made in full only if a table's kept rows are refused after its
        // family was computed with placeholders for them.
        var fullTables: [ReportTable]?
        for table in tables {
            let t0 = Clocks.monotonicSeconds()
            let reuse = plan.reuse(for: table, settings: settings)
            let placeholders = PeriodFamily(adjective: table.period).map { settings.writtenFrom[$0] != nil } ?? false
            var written: WrittenReport
            do {
                written = try ReportWriter.write(
                    table, context: settings.context, to: common.reports, reuse: reuse.reuse, inFullWhenRefused: !placeholders)
            } catch let refused as ReportWriter.ReuseRefused {
                // The table's rows before the cut are placeholders: it is
                // computed again, whole, and written in full.
                if fullTables == nil { fullTables = spec.compute(input, fullSettings) }
                let full = fullTables!.first { $0.fileStem == table.fileStem }!
                written = try ReportWriter.write(full, context: settings.context, to: common.reports)
                written.reuseRefused = refused.reason
            }
            rows.append(written.index.rows)
            keptRows += written.keptRows
            if let refused = written.reuseRefused {
                logger.warning("wrote \(table.fileStem) in full: \(refused)")
            } else if let refused = reuse.refused, plan.keeps {
                logger.info("wrote \(table.fileStem) in full: \(refused)")
            }
            if let csv = written.csvStamp, let json = written.jsonStamp {
                keptTables.append(KeptReports.Table(stem: table.fileStem, csv: csv, json: json, index: written.index))
            }
            logger.debug(
                "wrote \(table.fileStem).csv/.json: \(written.index.rows) rows (\(written.keptRows) kept) in \(Clocks.seconds(Clocks.monotonicSeconds() - t0)) s\(table.isStreamed ? " (made while written)" : "")"
            )
        }
        let state = KeptReports(
            settings: settingsText, asOf: settings.asOf, runs: snapshot.manifest.runs, folder: common.reports, tables: keptTables)
        do {
            try state.write(warehouse: common.warehouse, job: spec.job)
            FaultInjection.point("kept-after-state")
        } catch {
            logger.warning("could not keep the state of tonight's reports in the warehouse (the next run writes them in full): \(error)")
        }
        record.set(.keptRows, .integer(keptRows))
        record.set(.events, .integer(Int(snapshot.manifest.events)))
        record.set(.communities, .integer(input.communityCount))
        record.set(.tables, .integer(tables.count))
        record.set(.rows, .integer(rows.reduce(0, +)))
        record.set(.timeZone, .text(settings.zone.identifier))
        if let asOf = settings.asOf {
            record.set(.asOf, .text(RFC3339.format(milliseconds: asOf)))
            record.set(.asOfDate, .text(RFC3339.formatDate(days: settings.zone.localDay(asOf))))
        }
        logger.info(
            "wrote \(rows.reduce(0, +)) rows: \(tables.map { $0.fileStem + ".csv/.json" }.joined(separator: ", ")) to \(common.reports); done in \(Clocks.seconds(Clocks.monotonicSeconds() - start)) s"
        )
    }
}
