import Foundation
import SiltaEvents
import SiltaIngest
import SiltaSupport
import SiltaWarehouse
import Testing

/// Runs ingest in-process.
@discardableResult
func ingest(
    logs: String, warehouse: String, reports: String? = nil, workers: Int = 2, dedupeResidentKeys: Int? = nil,
    compactFanIn: Int? = nil
) throws -> IngestReport {
    var options = IngestOptions(logs: logs, warehouse: warehouse, reports: reports, workers: workers)
    if let dedupeResidentKeys { options.dedupeResidentKeys = dedupeResidentKeys }
    if let compactFanIn { options.compactFanIn = compactFanIn }
    options.limits.chunkBytes = 4096  // many chunks even for small files
    options.blockRows = 1000
    options.compactBlockRows = 3000
    return try IngestRunner.run(options)
}

/// The warehouse's files (MANIFEST, runs, rejects), by relative path.
func warehouseFiles(_ root: String) -> [String: Data] {
    folderContents(root).filter { $0.key != "LOCK" }
}

@Suite struct IngestTests {
    @Test(arguments: ["stackexchange-3sites", "slack-houstondatavis"])
    func realLogsMatchTheirIndependentTotals(name: String) throws {
        let s = Scratch()
        let logs = s.folder("logs")
        try FileManager.default.copyItem(
            atPath: Paths.sampleData.appendingPathComponent("real/\(name).ndjson.gz").path, toPath: logs + "/\(name).ndjson.gz")
        let report = try ingest(logs: logs, warehouse: s.sub("wh"), reports: s.folder("reports"))
        let expected = try readJSON(Paths.sampleData.appendingPathComponent("real/\(name).expected.json").path)
        #expect(report.filesRead == expected["files"] as? Int)
        #expect(report.accepted == expected["accepted"] as? Int)
        #expect(report.duplicates == expected["duplicates"] as? Int)
        #expect(report.rejectedTotal == (expected["rejected"] as? [String: Int])?.values.reduce(0, +))
        #expect(report.damagedFiles.isEmpty)
        let byType = expected["by_type"] as! [String: Int]
        for t in EventType.allCases {
            #expect((report.acceptedByType[t] ?? 0) == (byType[t.name] ?? 0), "\(t.name)")
        }
        let snapshot = try WarehouseSnapshot(root: s.sub("wh"))
        #expect(snapshot.communityNames.count == expected["communities"] as? Int)
        #expect(snapshot.persons.count >= expected["actors"] as! Int)  // mentioned and parent actors count too
        // The report on disk says the same.
        let written = try readJSON(s.sub("reports/ingest_report.json"))
        #expect(written["accepted"] as? Int == report.accepted)
        #expect(written["files_read"] as? Int == 1)
    }

    @Test func secondRunIngestsNothingAndChangesNothing() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        s.write("logs/a.ndjson", event(["id": "\"a1\""]) + "\n" + event(["id": "\"a2\""]) + "\n")
        s.write("logs/sub/b.ndjson.gz", gzip(event(["id": "\"b1\""]) + "\n"))
        let first = try ingest(logs: logs, warehouse: s.sub("wh"))
        #expect(first.filesRead == 2)
        #expect(first.stored == 3)
        let before = warehouseFiles(s.sub("wh"))
        let second = try ingest(logs: logs, warehouse: s.sub("wh"))
        #expect(second.filesRead == 0)
        #expect(second.filesSkipped == 2)
        #expect(second.generation == first.generation)
        #expect(warehouseFiles(s.sub("wh")) == before)

        // A new file: only it is read.
        s.write("logs/c.ndjson", event(["id": "\"c1\""]) + "\n")
        let third = try ingest(logs: logs, warehouse: s.sub("wh"))
        #expect(third.filesRead == 1)
        #expect(third.filesSkipped == 2)
        #expect(third.stored == 1)
        #expect(third.generation == first.generation + 1)
        #expect(try WarehouseSnapshot(root: s.sub("wh")).manifest.events == 4)
    }

    @Test func aChangedFileIsReadAgainAndItsOldEventsAreDuplicates() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        s.write("logs/a.ndjson", event(["id": "\"a1\""]) + "\n")
        try ingest(logs: logs, warehouse: s.sub("wh"))
        s.write("logs/a.ndjson", event(["id": "\"a1\""]) + "\n" + event(["id": "\"a2\""]) + "\n")
        let r = try ingest(logs: logs, warehouse: s.sub("wh"))
        #expect(r.filesRead == 1)
        #expect(r.accepted == 2)
        #expect(r.duplicates == 1)
        #expect(r.stored == 1)
        // Same size, other content: read again too.
        s.write("logs/a.ndjson", event(["id": "\"a3\""]) + "\n" + event(["id": "\"a4\""]) + "\n")
        #expect(try ingest(logs: logs, warehouse: s.sub("wh")).stored == 2)
    }

    @Test func duplicatesAcrossFilesAndRunsAreCountedOnceAndTheFirstReadWins() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        let x = event(["id": "\"x\"", "actor": "\"alice\""])
        let xOther = event(["id": "\"x\"", "actor": "\"bob\""])  // same id and ts, differs
        let xLater = event(["id": "\"x\"", "ts": "\"2026-11-28T21:15:03Z\""])  // same id, other instant: another event
        s.write("logs/b.ndjson", xOther + "\n")
        s.write("logs/a.ndjson", x + "\n" + x + "\n" + xLater + "\n")
        let r = try ingest(logs: logs, warehouse: s.sub("wh"))
        #expect(r.accepted == 4)
        #expect(r.duplicates == 2)
        #expect(r.stored == 2)
        let events = try WarehouseSnapshot(root: s.sub("wh")).allEvents()
        #expect(events.filter { $0.ts == 1_795_900_502_120 }.map(\.actor) == ["alice"])  // a.ndjson sorts first

        // The same instant written another way is the same event.
        s.write("logs/c.ndjson", event(["id": "\"x\"", "ts": "\"2026-11-28T23:15:02.120+02:00\""]) + "\n")
        let again = try ingest(logs: logs, warehouse: s.sub("wh"))
        #expect(again.duplicates == 1)
        #expect(again.stored == 0)
    }

    @Test func rejectedLinesAreKeptWithFileLineAndReason() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        let lines = [
            event(), "", "   \t ", "not json", event(["kind": "\"partner\""]), "[1]",
            "{\"id\":\"\u{E9}" + String(repeating: "x", count: 10) + "\"}", event(["id": "\"second\""]),
        ]
        var bytes = Array(lines.joined(separator: "\r\n").utf8)
        bytes += Array("\n".utf8) + [0x7B, 0xFF, 0x7D]  // invalid UTF-8, last line without \n
        s.write("logs/x.ndjson", bytes)
        let r = try ingest(logs: logs, warehouse: s.sub("wh"))
        #expect(r.lines == 7)
        #expect(r.accepted == 2)
        #expect(r.rejectedTotal == 5)
        #expect(r.lines == r.accepted + r.rejectedTotal)
        #expect(r.rejected[.invalidJSON] == 1)
        #expect(r.rejected[.unknownKind] == 1)
        #expect(r.rejected[.notObject] == 1)
        #expect(r.rejected[.missingField] == 1)
        #expect(r.rejected[.invalidUTF8] == 1)
        let rejects = try String(contentsOfFile: r.rejectsFile!, encoding: .utf8).split(separator: "\n")
        let parsed = try rejects.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(parsed.map { $0["line"] as! Int } == [4, 5, 6, 7, 9])
        #expect(parsed.allSatisfy { $0["file"] as? String == "x.ndjson" })
        #expect(parsed[0]["raw"] as? String == "not json")
        #expect(parsed[4]["raw_base64"] as? String == Data([0x7B, 0xFF, 0x7D]).base64EncodedString())
    }

    @Test func damagedGzipKeepsWhatWasReadable() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        let text = (0..<300).map { event(["id": "\"e\($0)\""]) }.joined(separator: "\n") + "\n"
        let full = gzip(text)
        s.write("logs/cut.ndjson.gz", Array(full[..<(full.count - 4)]))
        s.write("logs/good.ndjson.gz", gzip(event(["id": "\"g\""]) + "\n"))
        s.write("logs/fake.ndjson.gz", "this is not gzip\n")
        s.write("logs/ignored.txt", "whatever")
        s.write("logs/ignored.NDJSON", "whatever")
        let r = try ingest(logs: logs, warehouse: s.sub("wh"))
        #expect(r.filesRead == 3)
        #expect(r.damagedFiles.map(\.file).sorted() == ["cut.ndjson.gz", "fake.ndjson.gz"])
        #expect(r.stored == 301)
        #expect(r.damagedFiles.first { $0.file == "fake.ndjson.gz" }?.error == "incorrect header check at byte 0")
        // Recorded as ingested: not read again while unchanged.
        #expect(try ingest(logs: logs, warehouse: s.sub("wh")).filesRead == 0)
    }

    @Test func workerCountDoesNotChangeTheWarehouse() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        var config = GeneratorConfigForTests.small
        config.badLineRate = 0.01
        config.duplicateRate = 0.01
        _ = try generateLogs(config, out: logs)
        var results: [[String: Data]] = []
        for workers in [1, 2, 8] {
            let wh = s.sub("wh\(workers)")
            let r = try ingest(logs: logs, warehouse: wh, workers: workers)
            #expect(r.rejectedTotal > 0)
            #expect(r.duplicates > 0)
            results.append(warehouseFiles(wh))
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
        #expect(results[0].keys.contains("MANIFEST"))
    }

    /// The de-duplication keys held in memory are bounded: days beyond the
    /// bound go to a spill file and come back when met again. Whatever the
    /// bound, the same events are stored, the same lines are duplicates, and
    /// the stored keys are the same set; under one bound the warehouse is the
    /// same bytes for any number of workers. Files in path order visit each
    /// day once per source, so a small bound spills and reloads days.
    @Test func deDuplicationKeysSpilledFromMemoryChangeNothing() throws {
        let s = Scratch()
        let logs = s.folder("logs")
        var config = GeneratorConfigForTests.small
        config.duplicateRate = 0.05
        _ = try generateLogs(config, out: logs)
        // Copies of early files under names read last: their days have been
        // spilled by then, so their events are found among spilled keys.
        let names = try FileManager.default.subpathsOfDirectory(atPath: logs).filter { $0.hasSuffix(".gz") }.sorted()
        func copy(_ picked: [String], to folder: String) throws {
            for name in picked {
                try FileManager.default.copyItem(
                    atPath: logs + "/" + name, toPath: folder + "/" + name.replacingOccurrences(of: "/", with: "-"))
            }
        }
        try copy(Array(names.prefix(3)), to: s.folder("logs/zz-copies"))
        try copy(Array(names.prefix(3)), to: s.folder("copied"))
        let copiedLines = try ingest(logs: s.sub("copied"), warehouse: s.sub("copied-wh")).accepted
        let held = try ingest(logs: logs, warehouse: s.sub("held"))
        #expect(held.dedupeDaysSpilled == 0)
        #expect(held.duplicates >= copiedLines)
        #expect(held.duplicates > 0)
        var spilled: [[String: Data]] = []
        for workers in [1, 2, 8] {
            let wh = s.sub("spilled\(workers)")
            let r = try ingest(logs: logs, warehouse: wh, workers: workers, dedupeResidentKeys: 300)
            #expect(r.dedupeDaysSpilled > 5)
            #expect(r.dedupeDaysReloaded > 5)
            #expect(r.duplicates == held.duplicates)
            #expect(r.stored == held.stored)
            spilled.append(warehouseFiles(wh))
        }
        #expect(spilled[0] == spilled[1])
        #expect(spilled[0] == spilled[2])
        func keys(_ root: String) throws -> [Int32: Set<[UInt64]>] {
            var out: [Int32: Set<[UInt64]>] = [:]
            for run in try WarehouseSnapshot(root: root).runs {
                guard let d = run.dedupe else { continue }
                for day in d.days {
                    let k = d.keys(of: day)!
                    for i in k.milliseconds.indices { out[day, default: []].insert([UInt64(k.milliseconds[i]), k.hashes[i]]) }
                }
            }
            return out
        }
        #expect(try keys(s.sub("held")) == keys(s.sub("spilled2")))
        #expect(try WarehouseSnapshot(root: s.sub("held")).allEvents() == WarehouseSnapshot(root: s.sub("spilled2")).allEvents())

        // A second run: copies of earlier files under new names are all
        // duplicates, found among both the stored and the spilled keys.
        try copy(Array(names.prefix(4) + names.suffix(2)), to: s.folder("logs/zz-again"))
        let second = try ingest(logs: logs, warehouse: s.sub("held"))
        let secondSpilled = try ingest(logs: logs, warehouse: s.sub("spilled2"), dedupeResidentKeys: 300)
        #expect(second.filesRead == 6)
        #expect(second.stored == 0)
        #expect(second.duplicates == second.accepted)
        #expect(secondSpilled.duplicates == second.duplicates)
        #expect(secondSpilled.stored == 0)
        // No spill file is left behind, and one left by a run killed while
        // spilling (a temporary name) goes with the next ingest.
        let stale = s.sub("spilled1") + "/runs/.00000002.run.dedupe" + AtomicFileWriter.temporaryMarker + "4242"
        FileManager.default.createFile(atPath: stale, contents: Data(repeating: 7, count: 96))
        s.write("logs/zz-new.ndjson", event(["id": "\"fresh\""]) + "\n")
        #expect(try ingest(logs: logs, warehouse: s.sub("spilled1"), dedupeResidentKeys: 300).stored == 1)
        #expect(!FileManager.default.fileExists(atPath: stale))
        for wh in ["held", "spilled1", "spilled2", "spilled8"] {
            #expect(try FileManager.default.contentsOfDirectory(atPath: s.sub(wh) + "/runs").allSatisfy { $0.hasSuffix(".run") })
        }
    }

    /// Logs read as series one after the other (a folder per source, a file
    /// per day) meet the days in cycles: when the keys pass the bound, the
    /// day that goes is the one met most recently (the current day
    /// excepted), since the next series starts again from the first day.
    /// Three days of 40 events and a bound of 100 keys: the third day's
    /// keys push out the second day, so the next series' first day is still
    /// in memory, and its keys push out the third. (Spilling the day met
    /// least recently, the first, loaded it again at once.)
    @Test func theDaySpilledIsTheOneMetMostRecently() throws {
        let s = Scratch()
        func file(_ path: String, day: Int, prefix: String) {
            let lines = (0..<40).map { k in
                event(
                    [
                        "id": "\"\(prefix)-\(k)\"", "ts": "\"2026-11-0\(day)T10:00:\(10 + k).000Z\"", "type": "\"post\"",
                        "content": "\"\(prefix)-c\(k)\"",
                    ], drop: ["parent"])
            }
            s.write(path, lines.joined(separator: "\n") + "\n")
        }
        for day in 1...3 { file("logs/a/2026-11-0\(day).ndjson", day: day, prefix: "a\(day)") }
        file("logs/b/2026-11-01.ndjson", day: 1, prefix: "b1")
        for workers in [1, 2] {
            let r = try ingest(logs: s.sub("logs"), warehouse: s.sub("wh\(workers)"), workers: workers, dedupeResidentKeys: 100)
            #expect(r.stored == 160)
            #expect(r.dedupeDaysSpilled == 2)
            #expect(r.dedupeDaysReloaded == 0)
        }
    }

    @Test func missingLogsFolderIsAClearError() throws {
        let s = Scratch()
        #expect(throws: IngestError.self) { try ingest(logs: s.sub("nope"), warehouse: s.sub("wh")) }
    }
}
