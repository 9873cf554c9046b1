import Foundation
import SiltaSupport
import SiltaWarehouse
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What hostile and unlucky input and settings found (issue 10), each
/// reproduced as it was reported, run through the built jobs.
@Suite(.serialized) struct SettingsAndDamageTests {
    static func args(_ logs: String, _ s: Scratch) -> [String] {
        ["--logs", logs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2"]
    }

    static func reportArgs(_ warehouse: String, _ s: Scratch) -> [String] {
        ["--warehouse", warehouse, "--reports", s.sub("reports"), "--workers", "2"]
    }

    @Test(arguments: ["engagement", "social-capital", "bridging"])
    func aWarehouseThatIsNoWarehouseIsAnErrorAndNoReportIsTouched(job: String) throws {
        // Issue 10.4: `engagement --warehouse var/warehuose` exited 0 and wrote a header-only report over a real one.
        let s = Scratch()
        let logs = s.folder("logs")
        s.write("logs/a.ndjson", event() + "\n")
        #expect(try runJob("ingest", Self.args(logs, s)).status == 0)
        #expect(try runJob(job, Self.reportArgs(s.sub("wh"), s)).status == 0)
        let good = folderContents(s.sub("reports"))
        s.write("plain-file", "not a folder\n")
        _ = s.folder("empty-folder")
        for (path, says) in [
            (s.sub("warehuose"), "no such folder"), (s.sub("plain-file"), "not a folder"), (s.sub("empty-folder"), "MANIFEST"),
        ] {
            let r = try runJob(job, Self.reportArgs(path, s))
            #expect(r.status == 66, "\(path): \(r.stderr)")
            #expect(r.stderr.contains("is not a Silta warehouse") && r.stderr.contains(says), "\(r.stderr)")
            #expect(r.stderr.contains("check WAREHOUSE"))
            #expect(folderContents(s.sub("reports")) == good, "no report file changed")
        }
        // An existing warehouse with nothing in it writes header-only reports.
        let empty = s.folder("logs-empty")
        #expect(try runJob("ingest", ["--logs", empty, "--warehouse", s.sub("wh2"), "--reports", s.sub("r2")]).status == 0)
        let r = try runJob(job, ["--warehouse", s.sub("wh2"), "--reports", s.sub("r2")])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(
            contentsOfFile: s.sub("r2/" + (job == "social-capital" ? "social_capital" : job) + "_daily.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1)
    }

    @Test func twoLongLinesInARowOrALongRejectThenALongerLineNeverTrap() throws {
        // Issue 10.1: both logs made ingest die with SIGILL (exit 132) in RejectsWriter, every night.
        let s = Scratch()
        let logs = s.folder("logs")
        let a = String(repeating: "a", count: 1_100_000)
        let b = String(repeating: "b", count: 1_100_000)
        s.write("logs/two-long.ndjson", "{\"x\":\"\(a)\"}\n{\"y\":\"\(b)\"}\n" + event() + "\n")
        s.write("logs/reject-then-long.ndjson", "not json\n{\"x\":\"\(String(repeating: "c", count: 70_000))\"}\n{\"y\":\"\(b)\"}\n")
        let r = try runJob("ingest", Self.args(logs, s))
        #expect(r.status == 0, "\(r.stderr)")
        let report = try readJSON(s.sub("reports/ingest_report.json"))
        #expect(report["accepted"] as? Int == 1)
        #expect(report["rejected"] as? [String: Int] == ["line_too_long": 3, "invalid_json": 1, "missing_field": 1])
    }

    @Test func theWarehouseInsideTheLogsFolderIsNeverReadAsLogs() throws {
        // Issue 10.7: a WAREHOUSE inside LOGS read its own rejects/*.ndjson back every night.
        let s = Scratch()
        let logs = s.folder("logs")
        s.write("logs/a.ndjson", event() + "\n" + "not json\n")
        let args = ["--logs", logs, "--warehouse", logs + "/wh", "--reports", logs + "/reports", "--workers", "2"]
        #expect(try runJob("ingest", args).status == 0)
        let second = try runJob("ingest", args)
        #expect(second.status == 0)
        #expect(second.stderr.contains("left out wh: it is Silta's own warehouse"))
        let report = try readJSON(logs + "/reports/ingest_report.json")
        #expect(report["files_read"] as? Int == 0)
        #expect(report["files_skipped"] as? Int == 1)
    }

    @Test func anUnreadableSubfolderIsDamageNotAFailedNight() throws {
        // Issue 10.7: an unreadable subfolder aborted the whole ingest with 66.
        let s = Scratch()
        let logs = s.folder("logs")
        s.write("logs/a.ndjson", event() + "\n")
        s.write("logs/locked/b.ndjson", event(["id": "\"e2\""]) + "\n")
        chmod(logs + "/locked", 0)
        defer { chmod(logs + "/locked", 0o755) }
        var run: RunResult
        if getuid() == 0 {
            // root reads any folder: run ingest as nobody, in folders nobody may write.
            chmod(s.path, 0o777)
            run = try runProgram(
                URL(fileURLWithPath: "/usr/bin/setpriv"),
                ["--reuid=65534", "--regid=65534", "--clear-groups", Paths.binary("ingest").path] + Self.args(logs, s))
        } else {
            run = try runJob("ingest", Self.args(logs, s))
        }
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("damaged: locked/: cannot list this folder"))
        let report = try readJSON(s.sub("reports/ingest_report.json"))
        #expect(report["stored"] as? Int == 1)
    }

    /// A committed warehouse with one run file, and that file's path.
    static func warehouseWithOneRun(_ s: Scratch) throws -> (logs: String, run: String) {
        let logs = s.folder("logs")
        s.write("logs/a.ndjson", event() + "\n")
        #expect(try runJob("ingest", Self.args(logs, s)).status == 0)
        return (logs, s.sub("wh/runs/00000001.run"))
    }

    static func flip(_ path: String, at offset: Int, with mask: UInt8 = 0x01) throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[offset] ^= mask
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func ingestWithNothingNewStillFindsADamagedWarehouse() throws {
        // Issue 10.7: ingest with nothing new exited 0 on a damaged warehouse.
        let s = Scratch()
        let (logs, run) = try Self.warehouseWithOneRun(s)
        try Self.flip(run, at: 40)
        let r = try runJob("ingest", Self.args(logs, s))
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("is damaged"))
    }

    @Test(arguments: [(16, "generation"), (8, "version"), (9, "version"), (24, "header")])
    func aFlippedHeaderByteIsDamage(offset: Int, field: String) throws {
        // Issue 10.7: a flipped generation byte went unnoticed; one in the version field read "format version 257".
        let s = Scratch()
        let (_, run) = try Self.warehouseWithOneRun(s)
        try Self.flip(run, at: offset)
        let r = try runJob("engagement", Self.reportArgs(s.sub("wh"), s))
        #expect(r.status == 65, "\(field): \(r.stderr)")
        #expect(r.stderr.contains("is damaged"), "\(field): \(r.stderr)")
        #expect(!r.stderr.contains("use the Silta that wrote it"))
    }

    @Test func aRunFileOfANewerFormatIsSaidSo() throws {
        let s = Scratch()
        let (_, run) = try Self.warehouseWithOneRun(s)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: run)))
        bytes[8] = 3  // version 3, with the header checksum such a file would carry
        let crc = bytes.withUnsafeBytes { RunFileLayout.headerCRC($0) }
        withUnsafeBytes(of: crc.littleEndian) { for k in 0..<4 { bytes[RunFileLayout.headerCRCOffset + k] = $0[k] } }
        try Data(bytes).write(to: URL(fileURLWithPath: run))
        let r = try runJob("engagement", Self.reportArgs(s.sub("wh"), s))
        #expect(r.status == 65)
        #expect(r.stderr.contains("has format version 3, but this Silta reads version 2"))
    }

    /// One actor posting once in each of `communities` communities, one day.
    static func oneActorEverywhere(_ s: Scratch, communities: Int) throws -> String {
        let logs = s.folder("logs-\(communities)")
        var text = ""
        for c in 0..<communities {
            text +=
                event(["id": "\"e\(c)\"", "community": "\"c\(c)\"", "type": "\"post\"", "content": "\"k\(c)\""], drop: ["parent"]) + "\n"
        }
        s.write("logs-\(communities)/a.ndjson", text)
        #expect(try runJob("ingest", ["--logs", logs, "--warehouse", s.sub("wh-\(communities)"), "--reports", s.sub("r")]).status == 0)
        return s.sub("wh-\(communities)")
    }

    @Test func communityLinksAreStreamedAndMayBeThinned() throws {
        // Issue 10.5: one actor in each of 4,000 communities made 8.0M link rows
        // and a 1.19 GB peak: the pairs were all held before writing.
        let s = Scratch()
        let small = try Self.oneActorEverywhere(s, communities: 300)
        let large = try Self.oneActorEverywhere(s, communities: 1500)
        let thin = ["--periods", "day", "--links-min-shared", "2"]
        let (smallStatus, smallRSS) = try runMeasured("bridging", ["--warehouse", small, "--reports", s.sub("r-small")] + thin)
        let (largeStatus, largeRSS) = try runMeasured("bridging", ["--warehouse", large, "--reports", s.sub("r-large")] + thin)
        #expect(smallStatus == 0 && largeStatus == 0)
        // 1,124,250 pairs at 1,500 communities, 44,850 at 300: memory must not follow them.
        #expect(largeRSS - smallRSS < 20, "peak RSS \(smallRSS) MB at 300 communities, \(largeRSS) MB at 1,500")
        let thinned = try String(contentsOfFile: s.sub("r-large/community_links_daily.csv"), encoding: .utf8)
        #expect(thinned.split(separator: "\n").count == 1, "no pair shares two creators")
        // Without the option every pair is a row, streamed to the file.
        #expect(try runJob("bridging", ["--warehouse", small, "--reports", s.sub("r-all"), "--periods", "day"]).status == 0)
        let all = try String(contentsOfFile: s.sub("r-all/community_links_daily.csv"), encoding: .utf8)
        #expect(all.split(separator: "\n").count == 1 + 300 * 299 / 2)
        #expect(try runJob("bridging", ["--links-min-shared", "0"]).status == 64)
    }
}
