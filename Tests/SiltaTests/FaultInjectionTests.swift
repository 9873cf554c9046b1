import Foundation
import SiltaEvents
import SiltaGenerator
import SiltaReportJobs
import SiltaSupport
import SiltaWarehouse
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The fault-injection suite (`make test-faults`, also part of `make test`):
/// the built jobs, run as an operator would, against damaged input, crashes,
/// a concurrent run and a hostile environment. Every test checks that nothing
/// was lost, that the accounting holds, and that the exit code is the
/// documented one.
@Suite(.serialized) struct FaultInjectionTests {
    static func ingestArgs(_ logs: String, _ s: Scratch, workers: Int = 2) -> [String] {
        ["--logs", logs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", String(workers)]
    }

    /// The rejects files of a warehouse, parsed: (file, line, reason).
    static func rejects(_ warehouse: String) throws -> [(file: String, line: Int, reason: String)] {
        let dir = warehouse + "/rejects"
        var out: [(String, Int, String)] = []
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                out.append((o["file"] as! String, o["line"] as! Int, o["reason"] as! String))
            }
        }
        return out
    }

    /// lines = accepted + rejected, and the rejects file holds exactly the
    /// rejected lines (each parsed and checked once, unless `parse` is false:
    /// then they are only counted).
    static func checkAccounting(_ s: Scratch, parse: Bool = true) throws -> [String: Any] {
        let report = try readJSON(s.sub("reports/ingest_report.json"))
        let lines = report["lines"] as! Int
        let accepted = report["accepted"] as! Int
        let rejected = report["rejected_total"] as! Int
        #expect(lines == accepted + rejected, "lines \(lines) != accepted \(accepted) + rejected \(rejected)")
        let byReason = report["rejected"] as! [String: Int]
        #expect(byReason.values.reduce(0, +) == rejected)
        if parse {
            let listed = try rejects(s.sub("wh"))
            #expect(listed.count == rejected)
            #expect(Set(listed.map { "\($0.file):\($0.line)" }).count == listed.count, "a line is listed twice")
        } else {
            let dir = s.sub("wh/rejects")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            let count = try files.reduce(0) { n, f in
                n + (try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f))).filter { $0 == 0x0A }.count
            }
            #expect(count == rejected)
        }
        return report
    }

    // MARK: gzip

    @Test func damagedGzipInEveryWay() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        var rng = SystemRandomNumberGenerator()
        let lines = (0..<2000).map { event(["id": "\"e\($0)\""]) }
        let text = lines.joined(separator: "\n") + "\n"
        let member = gzip(text)
        // Truncated at ten random offsets.
        for k in 0..<10 {
            let cut = Int.random(in: 1..<member.count, using: &rng)
            s.write("logs/truncated-\(k).ndjson.gz", Array(member[..<cut]))
        }
        // Corrupt bytes at random places.
        for k in 0..<10 {
            var bytes = member
            for _ in 0..<3 { bytes[Int.random(in: 10..<(bytes.count - 8), using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            s.write("logs/corrupt-\(k).ndjson.gz", bytes)
        }
        // A bad member between two good ones: the first is kept, reading stops at the second.
        var bad = gzip(event(["id": "\"m2\""]) + "\n")
        bad[bad.count / 2] ^= 0xFF
        s.write("logs/multi.ndjson.gz", gzip(event(["id": "\"m1\""]) + "\n") + bad + gzip(event(["id": "\"m3\""]) + "\n"))
        s.write("logs/empty.ndjson.gz", [])
        s.write("logs/not-gzip.ndjson.gz", text)
        s.write("logs/good.ndjson.gz", gzip(event(["id": "\"good\""]) + "\n"))
        let run = try runJob("ingest", Self.ingestArgs(logs, s))
        #expect(run.status == 2, "\(run.stderr)")
        let report = try Self.checkAccounting(s)
        let damaged = (report["damaged_files"] as! [[String: String]]).map { $0["file"]! }
        #expect(damaged.contains("multi.ndjson.gz"))
        #expect(damaged.contains("not-gzip.ndjson.gz"))
        #expect(!damaged.contains("empty.ndjson.gz"))
        #expect(!damaged.contains("good.ndjson.gz"))
        #expect(damaged.filter { $0.hasPrefix("truncated-") }.count == 10)
        for d in report["damaged_files"] as! [[String: String]] { #expect(d["error"]!.contains(" at byte "), "\(d)") }
        // Every good file and every readable line made it.
        let manifest = try WarehouseSnapshot(root: s.sub("wh")).manifest
        #expect(manifest.file(at: Array("good.ndjson.gz".utf8))?.accepted == 1)
        #expect((1...2).contains(manifest.file(at: Array("multi.ndjson.gz".utf8))?.accepted ?? 0))
        #expect(manifest.file(at: Array("empty.ndjson.gz".utf8))?.lines == 0)
        // A truncated file's lines are an exact prefix of the real ones, all
        // distinct; a file with flipped bytes may hold altered lines (an id
        // turned into another one: a duplicate), so it cannot witness this.
        let recovered =
            manifest.files.filter { String(decoding: $0.path, as: UTF8.self).hasPrefix("truncated-") }.map(\.accepted).max() ?? 0
        #expect(manifest.events >= recovered + 2)
        #expect(run.stderr.contains("damaged: not-gzip.ndjson.gz: incorrect header check at byte 0"))
    }

    @Test func gzipBombsCostBoundedMemoryAndTime() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        // 4 GiB of one line, and 4 GiB of short lines, each a few MB of gzip.
        try gzipRepeating(Array("x".utf8), total: 4 << 30, to: s.sub("logs/one-line.ndjson.gz"))
        try gzipRepeating(Array("{}\n".utf8), total: 4 << 30, to: s.sub("logs/short-lines.ndjson.gz"))
        s.write("logs/good.ndjson", event() + "\n")
        let start = Date()
        // The short lines are cut by --max-file-bytes, the one line by the 256 MiB line bound.
        let (status, rss) = try runMeasured("ingest", Self.ingestArgs(logs, s) + ["--max-file-bytes", "8M"])
        #expect(status == 2)
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(rss < 400, "peak RSS \(rss) MB")
        let report = try Self.checkAccounting(s, parse: false)
        let damaged = report["damaged_files"] as! [[String: String]]
        #expect(damaged.count == 2)
        #expect(damaged.allSatisfy { $0["error"]!.contains("decompression bomb") })
        #expect(report["stored"] as? Int == 1)
        #expect((report["bytes_uncompressed"] as! Int) < 300 << 20)
        // Cut files are not recorded as ingested: the next night reads them again.
        let manifest = try WarehouseSnapshot(root: s.sub("wh")).manifest
        #expect(manifest.files.map { String(decoding: $0.path, as: UTF8.self) } == ["good.ndjson"])
    }

    @Test func veryCompressibleOrdinaryLogsAreReadInFull() throws {
        // Issue 10.3: 20,000 events with 5 KB of boilerplate each (ratio about
        // 160) were cut as a gzip bomb, 1,649 kept.
        let s = Scratch()
        let logs = s.folder("logs")
        let boilerplate = String(repeating: "<div class=\\\"post-body\\\"><p>Thanks for sharing!</p></div>", count: 90)
        var text = ""
        for i in 0..<20_000 {
            text += event(["id": "\"e\(i)\"", "body": "\"\(boilerplate)\"", "content": "\"c\(i)\""]) + "\n"
        }
        let compressed = gzip(Array(text.utf8), level: 9)
        #expect(text.utf8.count / compressed.count > 100, "the fixture is as compressible as the report said")
        s.write("logs/forum.ndjson.gz", compressed)
        let run = try runJob("ingest", Self.ingestArgs(logs, s))
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.checkAccounting(s, parse: false)
        #expect(report["accepted"] as? Int == 20_000)
        #expect((report["damaged_files"] as! [Any]).isEmpty)
    }

    @Test func aFileCutByALimitIsReadInFullOnceTheLimitIsRaised() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        var text = ""
        for i in 0..<30_000 { text += event(["id": "\"e\(i)\"", "content": "\"c\(i)\""]) + "\n" }
        s.write("logs/big.ndjson.gz", gzip(Array(text.utf8)))
        let cut = try runJob("ingest", Self.ingestArgs(logs, s) + ["--max-file-bytes", "1M"])
        #expect(cut.status == 2)
        #expect(cut.stderr.contains("MAX_FILE_BYTES"))
        let first = try Self.checkAccounting(s, parse: false)
        let kept = first["stored"] as! Int
        #expect(kept > 0 && kept < 30_000)
        // Next night, default limits: the file is read again in full; what it repeats is counted once.
        let full = try runJob("ingest", Self.ingestArgs(logs, s))
        #expect(full.status == 0, "\(full.stderr)")
        let second = try Self.checkAccounting(s, parse: false)
        #expect(second["files_read"] as? Int == 1)
        #expect(second["stored"] as? Int == 30_000 - kept)
        #expect(second["duplicates"] as? Int == kept)
        // And then it is recorded: a third night skips it.
        _ = try runJob("ingest", Self.ingestArgs(logs, s))
        #expect(try Self.checkAccounting(s, parse: false)["files_skipped"] as? Int == 1)
    }

    // MARK: lines

    @Test func everyKindOfBadLineIsAccountedFor() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        var lines: [[UInt8]] = []
        func add(_ t: String) { lines.append(Array(t.utf8)) }
        add(event(["id": "\"ok1\""]))
        add("{\"x\":\"" + String(repeating: "a", count: 1_048_576 - 8 + 1) + "\"}")  // 1 MiB + 1 byte
        add(event(["id": "\"ok2\"", "x": "\"" + String(repeating: "b", count: 1_048_576 - 200) + "\""]))  // just under
        add("not json at all")
        add("[\"an\",\"array\"]")
        add(event(drop: ["actor"]))
        add(event(["actor": "1"]))
        add(event(["ts": "\"2026-13-01T00:00:00Z\""]))
        add(event(["kind": "\"partner\""]))
        add(event(["type": "\"like\""]))
        // Invalid UTF-8 in every field, one line each.
        for field in ["id", "ts", "community", "kind", "actor", "type", "content", "parent", "parent_actor", "source", "note"] {
            var bytes = Array(event([field: "\"PLACEHOLDER\""]).utf8)
            let range = bytes.firstRange(of: Array("PLACEHOLDER".utf8))!
            bytes.replaceSubrange(range, with: [0x61, 0xC3, 0x28, 0x62])
            lines.append(bytes)
        }
        add(event(["id": "\"ok3\"", "deep": String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)]))
        add(event(["id": "\"ok4\"", "type": "\"post\"", "mentions": "[" + (0..<20_000).map { "\"p\($0)\"" }.joined(separator: ",") + "]"]))
        let nul: [UInt8] = Array(event(["id": "\"nul\""]).utf8.prefix(10)) + [0] + Array(event().utf8.dropFirst(10))
        lines.append(nul)
        let crlf: [UInt8] = Array(event(["id": "\"ok5\""]).utf8) + [0x0D]  // \r\n line end
        lines.append(crlf)
        var bytes: [UInt8] = []
        for l in lines { bytes += l + [0x0A] }
        bytes += Array(event(["id": "\"last\""]).utf8)  // no final \n
        s.write("logs/bad.ndjson", bytes)
        s.write("logs/bad-too.ndjson.gz", gzip(bytes))
        let run = try runJob("ingest", Self.ingestArgs(logs, s))
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.checkAccounting(s)
        let reasons = report["rejected"] as! [String: Int]
        #expect(reasons["line_too_long"] == 2)
        #expect(reasons["invalid_utf8"] == 22)
        #expect(reasons["invalid_json"] == 4)  // not json, and the NUL line, in both files
        for r in ["not_object", "missing_field", "wrong_type", "bad_timestamp", "unknown_kind", "unknown_type"] {
            #expect(reasons[r] == 2, "\(r)")
        }
        // ok1 to ok5 and the last line, in each file; the second file's are duplicates.
        #expect(report["accepted"] as? Int == 12)
        #expect(report["duplicates"] as? Int == 6)
        #expect(report["lines"] as? Int == 52)
        let listed = try Self.rejects(s.sub("wh"))
        #expect(listed.contains { $0.file == "bad.ndjson" && $0.line == 2 && $0.reason == "line_too_long" })
        #expect(listed.contains { $0.file == "bad-too.ndjson.gz" && $0.line == 4 && $0.reason == "invalid_json" })
    }

    // MARK: crashes

    /// Runs `make run-jobs` on the jobs under test in its own process group, so
    /// that a kill takes make and its jobs.
    static func makeRunJobs(_ s: Scratch, logs: String, extra: [String] = []) throws -> Process {
        // The same people key for every warehouse: each would make its own,
        // and the reports of two warehouses are compared.
        let key = s.sub("people.key")
        if !FileManager.default.fileExists(atPath: key) {
            FileManager.default.createFile(
                atPath: key, contents: Data("the tests' people key, 32 bytes!".utf8), attributes: [.posixPermissions: 0o600])
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        p.arguments =
            [
                "make", "--no-print-directory", "-C", Paths.repository.path, "run-jobs", "LOGS=" + logs, "WAREHOUSE=" + s.sub("wh"),
                "REPORTS=" + s.sub("reports"), "WORKERS=2", "PEOPLE_KEY=" + key,
                // The jobs under test; make must not rebuild them while `swift test` holds the build folder.
                "SILTA_BIN=" + Paths.binaries.path,
            ] + extra
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Every visible report is whole: JSON parses, CSV ends with a line end and
    /// its rows match the JSON twin's count when both are from the same run.
    /// Stops looking at `until`: parsing the people report's JSON takes long
    /// enough to let a run end before the kill it was aimed at.
    static func reportsAreWhole(_ folder: String, until: Date = .distantFuture) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        for name in names.shuffled() where !name.hasPrefix(".") {
            if Date() >= until { return nil }
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
            if name.hasSuffix(".json") && data.count > 262_144 {
                // A large twin (the people report's) would take longer to parse
                // than many a run lasts: its end tells a whole one.
                if !data.suffix(4).elementsEqual(Array("\n ]}\n".utf8).suffix(4)) { return "\(name) is not whole JSON" }
            } else if name.hasSuffix(".json") {
                if (try? JSONSerialization.jsonObject(with: data)) == nil { return "\(name) is not whole JSON" }
            } else if name.hasSuffix(".csv") {
                if data.last != 0x0A { return "\(name) does not end with a line end" }
            }
        }
        return nil
    }

    @Test func killingMakeRunJobsAtTwentyMomentsLosesNothing() throws {
        let s = Scratch()
        var c = GeneratorConfigForTests.small
        c.events = 150_000
        c.days = 20
        c.badLineRate = 0.002
        c.duplicateRate = 0.002
        _ = try generateLogs(c, out: s.sub("logs"))
        let clean = Scratch()
        var started = Date()
        let reference = try Self.makeRunJobs(clean, logs: s.sub("logs"))
        reference.waitUntilExit()
        #expect(reference.terminationStatus == 0)
        var fullDuration = Date().timeIntervalSince(started)
        // A run with nothing new to ingest is shorter: time it too, to aim the kills.
        started = Date()
        let again = try Self.makeRunJobs(clean, logs: s.sub("logs"))
        again.waitUntilExit()
        var rerunDuration = Date().timeIntervalSince(started)
        let expected = metricReports(clean.sub("reports"))
        // Every report, the dashboard and the workbook on top, and their dated copies under history/.
        let reports = ReportCatalog.reportJobs.flatMap(\.reports).count * 6 + 2
        #expect(expected.count == 2 * reports)
        #expect(expected.keys.filter { $0.hasPrefix("history/") }.count == reports)

        var rng = SystemRandomNumberGenerator()
        var killed = 0
        var problems: [String] = []
        // 24 runs; on a loaded machine some finish before their kill, so more
        // runs (up to 40) are made until 20 were killed.
        var attempt = 0
        while attempt < 24 || (killed < 20 && attempt < 40) {
            defer { attempt += 1 }
            // Half the runs start again from an empty warehouse, so that kills land in ingest too.
            let fresh = attempt % 2 == 0
            if fresh { try? FileManager.default.removeItem(atPath: s.sub("wh")) }
            let runStart = Date()
            let p = try Self.makeRunJobs(s, logs: s.sub("logs"))
            let duration = fresh ? fullDuration : rerunDuration
            let deadline = Date().addingTimeInterval(duration * Double.random(in: 0.05...0.9, using: &rng))
            while Date() < deadline && p.isRunning {
                if let problem = Self.reportsAreWhole(s.sub("reports"), until: deadline) { problems.append(problem) }
                usleep(2_000)
            }
            if p.isRunning {
                kill(-p.processIdentifier, SIGKILL)
                killed += 1
            }
            p.waitUntilExit()
            // A run that ended before its kill shows the machine is faster
            // now than when the durations were timed (other tests ran then): aim by it.
            if p.terminationReason == .exit {
                let took = Date().timeIntervalSince(runStart)
                if fresh { fullDuration = min(fullDuration, took) } else { rerunDuration = min(rerunDuration, took) }
            }
            // The warehouse is always readable in between.
            _ = try WarehouseSnapshot(root: s.sub("wh"))
        }
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(killed >= 20, "only \(killed) runs were killed before they finished")
        let rerun = try Self.makeRunJobs(s, logs: s.sub("logs"))
        rerun.waitUntilExit()
        #expect(rerun.terminationStatus == 0)
        let actual = metricReports(s.sub("reports"))
        #expect(actual == expected)
        #expect(warehouseFiles(s.sub("wh")).keys.filter { $0.hasPrefix("runs/") }.count >= 1)
    }

    @Test func twoRunsAtOnceOneWaitsOrStops() throws {
        let s = Scratch()
        var c = GeneratorConfigForTests.small
        c.events = 100_000
        _ = try generateLogs(c, out: s.sub("logs"))
        let a = try Self.makeRunJobs(s, logs: s.sub("logs"))
        let b = try Self.makeRunJobs(s, logs: s.sub("logs"))
        a.waitUntilExit()
        b.waitUntilExit()
        let statuses = [a.terminationStatus, b.terminationStatus].sorted()
        // One finished; the other either finished after it or stopped at the lock (make exits 2).
        #expect(statuses[0] == 0)
        #expect(statuses[1] == 0 || statuses[1] == 2)
        // Nothing corrupted: the warehouse equals a clean single run's.
        let clean = Scratch()
        let reference = try Self.makeRunJobs(clean, logs: s.sub("logs"))
        reference.waitUntilExit()
        #expect(try WarehouseSnapshot(root: s.sub("wh")).manifest.events == WarehouseSnapshot(root: clean.sub("wh")).manifest.events)
        let again = try Self.makeRunJobs(s, logs: s.sub("logs"))
        again.waitUntilExit()
        #expect(again.terminationStatus == 0)
        #expect(
            metricReports(s.sub("reports"))
                == metricReports(clean.sub("reports")))
    }

    // MARK: environment

    @Test func missingOrWrongLogsFolder() throws {
        let s = Scratch()
        let missing = try runJob("ingest", Self.ingestArgs(s.sub("nothing-here"), s))
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no such folder"))
        s.write("a-file", "not a folder")
        let file = try runJob("ingest", Self.ingestArgs(s.sub("a-file"), s))
        #expect(file.status == 66)
        #expect(file.stderr.contains("not a folder"))
    }

    /// Mounts a tmpfs (as root); nil when this machine does not allow it.
    static func mountTmpfs(_ path: String, options: String) -> Bool {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/mount")
        p.arguments = ["-t", "tmpfs", "-o", options, "tmpfs", path]
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    static func unmount(_ path: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/umount")
        p.arguments = [path]
        try? p.run()
        p.waitUntilExit()
    }

    @Test func readOnlyReportsFolderKeepsThePreviousReports() throws {
        let s = Scratch()
        s.write("logs/a.ndjson", event() + "\n")
        #expect(try runJob("ingest", Self.ingestArgs(s.sub("logs"), s)).status == 0)
        let reports = s.sub("ro-reports")
        guard Self.mountTmpfs(reports, options: "size=1m") else {
            print("skipped: cannot mount a tmpfs here (needs root and mount permission)")
            return
        }
        defer { Self.unmount(reports) }
        let args = ["--warehouse", s.sub("wh"), "--reports", reports]
        #expect(try runJob("engagement", args).status == 0)
        let before = folderContents(reports)
        // Remount read-only.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/mount")
        p.arguments = ["-o", "remount,ro", reports]
        try p.run()
        p.waitUntilExit()
        let run = try runJob("engagement", args)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains(reports))
        #expect(folderContents(reports) == before)
    }

    @Test func aFullDiskCommitsNothingAndKeepsTheWarehouse() throws {
        let s = Scratch()
        let disk = s.sub("small-disk")
        guard Self.mountTmpfs(disk, options: "size=3m") else {
            print("skipped: cannot mount a tmpfs here (needs root and mount permission)")
            return
        }
        defer { Self.unmount(disk) }
        s.write("logs/a.ndjson", event(["id": "\"first\""]) + "\n")
        let args = ["--logs", s.sub("logs"), "--warehouse", disk + "/wh", "--reports", disk + "/reports"]
        #expect(try runJob("ingest", args).status == 0)
        let before = folderContents(disk + "/wh").filter { $0.key != "LOCK" }
        // A log whose run file cannot fit.
        var c = GeneratorConfigForTests.small
        c.events = 200_000
        c.compressionLevel = 9
        _ = try generateLogs(c, out: s.sub("logs/big"))
        let full = try runJob("ingest", args)
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("free some space"))
        #expect(folderContents(disk + "/wh").filter { $0.key != "LOCK" } == before)
        _ = try WarehouseSnapshot(root: disk + "/wh")
    }
}

/// Runs a built job; returns its exit status and peak RSS in MB, measured by
/// Tests/conformance/measure.py (wait4 from a small parent process).
func runMeasured(_ name: String, _ arguments: [String]) throws -> (Int32, Double) {
    let (status, output) = try python("measure.py", [Paths.binary(name).path] + arguments)
    #expect(status == 0, "\(output)")
    let parts = output.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
    return (Int32(parts[0]) ?? -1, (Double(parts[1]) ?? 0) / 1024)
}
