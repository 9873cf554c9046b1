import Logging
import SiltaEvents
import SiltaMetrics
import SiltaReports
import SiltaSupport
import SiltaWarehouse

/// The frame every report job runs in: lock the warehouse for reading, load
/// it, compute the tables, write them atomically, log one line per step.
public enum ReportJob {
    /// The exit codes of every report job, for `--help`.
    public static let exitCodesHelp = """
        Exit codes: 0 success; 64 bad arguments; 65 the warehouse is damaged; 73 the reports \
        folder cannot be written; 74 input/output error (a full disk?); 75 an ingest holds the \
        warehouse lock; 1 any other failure.
        """

    /// Runs a report job as its executable does: logging set up for `name`,
    /// any error logged as one sentence and turned into its exit code.
    public static func execute(
        name: String, common: CommonOptions, report: ReportOptions,
        compute: (MetricsInput, ReportSettings) throws -> [ReportTable]
    ) throws {
        try JobFrame.run(job: name, common: common) { logger, record in
            try run(common: common, report: report, logger: logger, record: &record, compute: compute)
            return .success
        }
    }

    /// Runs a report job.
    /// - Parameter compute: makes the job's tables from the loaded warehouse.
    /// - Parameter record: receives the figures (events, communities, rows, as-of).
    public static func run(
        common: CommonOptions, report: ReportOptions, logger: Logger, record: inout JobRecord,
        compute: (MetricsInput, ReportSettings) throws -> [ReportTable]
    ) throws {
        let start = Clocks.monotonicSeconds()
        let location = WarehouseLocation(root: common.warehouse)
        if !location.exists {
            logger.warning(
                "the warehouse \(common.warehouse) holds no ingested data (run ingest first, or check WAREHOUSE): the reports will have no rows")
        }
        // Read a committed state: a shared lock waits for (or stops at) a running ingest.
        let lock: FileLock? =
            FileSystem.isDirectory(common.warehouse)
            ? try FileLock(path: location.lockPath, mode: .shared, waitSeconds: common.wait) : nil
        defer { lock?.release() }
        let snapshot = try WarehouseSnapshot(root: common.warehouse)
        let input = MetricsInput(snapshot: snapshot, workers: common.workers)
        let loaded = Clocks.monotonicSeconds()
        logger.info(
            "loaded the warehouse: \(snapshot.manifest.events) events, \(input.communityCount) communities, \(snapshot.runs.count) run file(s) in \(Clocks.seconds(loaded - start)) s"
        )
        let settings = try ReportSettings.make(
            input: input, families: report.families, timeZone: report.timeZone, asOf: report.asOfMilliseconds,
            workers: common.workers)
        let tables = try compute(input, settings)
        let computed = Clocks.monotonicSeconds()
        logger.info("computed \(tables.count) table(s), \(tables.reduce(0) { $0 + $1.rowCount }) rows in \(Clocks.seconds(computed - loaded)) s")
        try ReportWriter.write(tables, context: settings.context, to: common.reports)
        record.set("events", .integer(Int(snapshot.manifest.events)))
        record.set("communities", .integer(input.communityCount))
        record.set("tables", .integer(tables.count))
        record.set("rows", .integer(tables.reduce(0) { $0 + $1.rowCount }))
        record.set("time_zone", .text(settings.zone.identifier))
        if let asOf = settings.asOf {
            record.set("as_of", .text(RFC3339.format(milliseconds: asOf)))
            record.set("as_of_date", .text(RFC3339.formatDate(days: settings.zone.localDay(asOf))))
        }
        logger.info(
            "wrote \(tables.map { $0.fileStem + ".csv/.json" }.joined(separator: ", ")) to \(common.reports); done in \(Clocks.seconds(Clocks.monotonicSeconds() - start)) s"
        )
    }
}
