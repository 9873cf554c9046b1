import Foundation
import SiltaGenerator
import SiltaSupport
import SiltaWarehouse
import Testing

/// The `ingest` executable, run as an operator would.
@Suite(.serialized) struct IngestJobTests {
    static func logs(in s: Scratch, events: Int = 20_000) throws -> String {
        var c = GeneratorConfigForTests.small
        c.events = events
        c.badLineRate = 0.01
        c.duplicateRate = 0.01
        _ = try generateLogs(c, out: s.sub("logs"))
        return s.sub("logs")
    }

    static func ingestArgs(_ logs: String, _ wh: String, _ reports: String, workers: Int = 2) -> [String] {
        ["--logs", logs, "--warehouse", wh, "--reports", reports, "--workers", String(workers)]
    }

    @Test func exitCodesAreTheDocumentedOnes() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        s.write("logs/a.ndjson", event() + "\n")
        let ok = try runJob("ingest", Self.ingestArgs(logs, s.sub("wh"), s.sub("r")))
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.contains("ingest info: done"))

        #expect(try runJob("ingest", ["--workers", "0"]).status == 64)
        #expect(try runJob("ingest", ["--bogus"]).status == 64)

        let missing = try runJob("ingest", Self.ingestArgs(s.sub("none"), s.sub("wh"), s.sub("r")))
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot read the logs folder"))

        s.write("logs/b.ndjson.gz", "plain text under a .gz name\n")
        let damaged = try runJob("ingest", Self.ingestArgs(logs, s.sub("wh"), s.sub("r")))
        #expect(damaged.status == 2)
        #expect(damaged.stderr.contains("damaged: b.ndjson.gz: incorrect header check at byte 0"))

        let unwritable = try runJob("ingest", Self.ingestArgs(logs, "/dev/null/warehouse", s.sub("r")))
        #expect(unwritable.status == 73)
        #expect(unwritable.stderr.contains("/dev/null/warehouse"))

        let help = try runJob("ingest", ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes"))
        #expect(try runJob("ingest", ["--version"]).stdout.contains(SiltaVersion.string))
    }

    @Test func aSecondRunWaitsOrExitsWithCode75() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        s.write("logs/a.ndjson", event() + "\n")
        try FileManager.default.createDirectory(atPath: s.sub("wh"), withIntermediateDirectories: true)
        let lock = try FileLock(path: s.sub("wh/LOCK"), mode: .exclusive, waitSeconds: 0)
        let busy = try runJob("ingest", Self.ingestArgs(logs, s.sub("wh"), s.sub("r")))
        #expect(busy.status == 75)
        #expect(busy.stderr.contains("another Silta run holds the lock"))
        let waited = try runJob("ingest", Self.ingestArgs(logs, s.sub("wh"), s.sub("r")) + ["--wait", "0.3"])
        #expect(waited.status == 75)
        #expect(!FileManager.default.fileExists(atPath: s.sub("wh/MANIFEST")))
        lock.release()
        #expect(try runJob("ingest", Self.ingestArgs(logs, s.sub("wh"), s.sub("r"))).status == 0)
    }

    static let faultPoints = [
        "ingest-after-first-chunk", "ingest-before-run-file", "ingest-after-run-file", "ingest-after-rejects",
        "ingest-after-manifest",
    ]

    @Test func aKillAtAnyStepThenARerunGivesTheCleanWarehouse() throws {
        let s = Scratch()
        let logs = try Self.logs(in: s)
        let clean = s.sub("clean")
        #expect(try runJob("ingest", Self.ingestArgs(logs, clean, s.sub("r"))).status == 0)
        let expected = warehouseFiles(clean)

        for point in Self.faultPoints {
            let wh = s.sub("wh-\(point)")
            var env = ProcessInfo.processInfo.environment
            env["SILTA_FAULT_POINT"] = point
            let killed = try runJob("ingest", Self.ingestArgs(logs, wh, s.sub("r")), environment: env)
            #expect(killed.status == 9, "\(point): \(killed.stderr)")
            // Right after the crash the warehouse opens: as before the run, or after it.
            let snapshot = try WarehouseSnapshot(root: wh)
            #expect(snapshot.manifest.generation == (point == "ingest-after-manifest" ? 1 : 0), "\(point)")
            let rerun = try runJob("ingest", Self.ingestArgs(logs, wh, s.sub("r")))
            #expect(rerun.status == 0, "\(point): \(rerun.stderr)")
            #expect(warehouseFiles(wh) == expected, "\(point)")
        }
    }

    @Test func killsAtRandomMomentsLoseNothing() throws {
        let s = Scratch()
        let logs = try Self.logs(in: s, events: 100_000)
        let clean = s.sub("clean")
        let started = Date()
        #expect(try runJob("ingest", Self.ingestArgs(logs, clean, s.sub("r"), workers: 2)).status == 0)
        // Kill within the time a whole run takes (debug or release binaries).
        let duration = Date().timeIntervalSince(started)
        let expected = warehouseFiles(clean)
        let wh = s.sub("wh")
        var rng = SystemRandomNumberGenerator()
        var killedWhileRunning = 0
        for _ in 0..<8 {
            let p = Process()
            p.executableURL = Paths.binary("ingest")
            p.arguments = Self.ingestArgs(logs, wh, s.sub("r"), workers: 2) + ["--quiet"]
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(duration * 1e6 * Double.random(in: 0.05...0.95, using: &rng)))
            let killed = p.isRunning
            if killed {
                kill(p.processIdentifier, SIGKILL)
                killedWhileRunning += 1
            }
            p.waitUntilExit()
            _ = try WarehouseSnapshot(root: wh)
            // A run that finished left nothing to do: the next would end at
            // once and no kill could land (the test flaked on a loaded
            // machine whose timing run was slow). Start it from nothing.
            if !killed { try FileManager.default.removeItem(atPath: wh) }
        }
        #expect(try runJob("ingest", Self.ingestArgs(logs, wh, s.sub("r"))).status == 0)
        #expect(warehouseFiles(wh) == expected)
        #expect(killedWhileRunning > 0)
    }

    /// Guards the lifetime of the mapped de-duplication keys of earlier runs:
    /// a later run that meets days of an earlier one reads them in place
    /// (an optimised build once unmapped them too early and crashed).
    @Test func aLaterRunOnTheSameDaysFindsTheEarlierDuplicates() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        let day1 = (0..<300).map { event(["id": "\"a\($0)\"", "ts": "\"2026-11-02T10:\(String(format: "%02d", $0 % 60)):00Z\""]) }
        s.write("logs/a.ndjson", day1.joined(separator: "\n") + "\n")
        #expect(try runJob("ingest", Self.ingestArgs(logs, s.sub("wh"), s.sub("r"))).status == 0)
        s.write("logs/b.ndjson", (day1.prefix(100) + [event(["id": "\"new\""])]).joined(separator: "\n") + "\n")
        let second = try runJob("ingest", Self.ingestArgs(logs, s.sub("wh"), s.sub("r")))
        #expect(second.status == 0, "\(second.stderr)")
        let report = try readJSON(s.sub("r/ingest_report.json"))
        #expect(report["duplicates"] as? Int == 100)
        #expect(report["stored"] as? Int == 1)
    }

    @Test func aCrashInALaterRunKeepsTheEarlierOne() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        s.write("logs/day1.ndjson", (0..<50).map { event(["id": "\"d1-\($0)\""]) }.joined(separator: "\n") + "\n")
        // Clean reference: two runs.
        let clean = s.sub("clean")
        #expect(try runJob("ingest", Self.ingestArgs(logs, clean, s.sub("r"))).status == 0)
        let wh = s.sub("wh")
        #expect(try runJob("ingest", Self.ingestArgs(logs, wh, s.sub("r"))).status == 0)
        let afterFirst = warehouseFiles(wh)
        s.write("logs/day2.ndjson", (0..<50).map { event(["id": "\"d2-\($0)\""]) }.joined(separator: "\n") + "\nbad line\n")
        #expect(try runJob("ingest", Self.ingestArgs(logs, clean, s.sub("r"))).status == 0)

        var env = ProcessInfo.processInfo.environment
        env["SILTA_FAULT_POINT"] = "ingest-after-rejects"
        #expect(try runJob("ingest", Self.ingestArgs(logs, wh, s.sub("r")), environment: env).status == 9)
        // The uncommitted run's files are still there, but the state is the first run's.
        #expect(try WarehouseSnapshot(root: wh).manifest == WarehouseSnapshot(root: clean).manifest.withoutLastRun())
        #expect(try runJob("ingest", Self.ingestArgs(logs, wh, s.sub("r"))).status == 0)
        #expect(warehouseFiles(wh) == warehouseFiles(clean))
        #expect(warehouseFiles(wh) != afterFirst)
    }
}

extension Manifest {
    /// What the manifest was before its last run (for a two-file, two-run history).
    func withoutLastRun() -> Manifest {
        var m = self
        let last = m.generation
        m.generation -= 1
        m.runs.removeAll { $0.generation == last }
        m.files.removeAll { $0.generation == last }
        let dropped = runs.filter { $0.generation == last }.map(\.events).reduce(0, +)
        m.events -= dropped
        return m
    }
}
