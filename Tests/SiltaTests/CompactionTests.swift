import Foundation
import SiltaDashboard
import SiltaGenerator
import SiltaReportJobs
import SiltaSupport
import SiltaWarehouse
import Testing

/// Compaction (docs/warehouse.md "Compaction"): merged run files hold
/// exactly what the files they replace held, in the same order per
/// community; the choice of runs is a base-`fanIn` counter that keeps
/// tonight's run; a kill at any step leaves a valid warehouse that the next
/// ingest finishes; the kept reports accept a merged file of runs they saw.
@Suite struct CompactionTests {
    /// Generated logs delivered over `nights` ingests, in file-name order,
    /// into one warehouse per fan-in; returns the scratch folders.
    static func nightly(_ s: Scratch, nights: Int, fanIns: [Int], workers: Int = 2) throws -> [Int: String] {
        var c = GeneratorConfigForTests.small
        c.days = 16
        c.badLineRate = 0.01
        c.duplicateRate = 0.02
        let all = s.sub("all")
        _ = try generateLogs(c, out: all)
        let names = try FileManager.default.subpathsOfDirectory(atPath: all).filter { $0.hasSuffix(".gz") }.sorted()
        #expect(names.count >= nights)
        let logs = s.folder("logs")
        var warehouses: [Int: String] = [:]
        for fanIn in fanIns { warehouses[fanIn] = s.sub("wh-\(fanIn)") }
        for k in 0..<nights {
            for name in names[(k * names.count / nights)..<((k + 1) * names.count / nights)] {
                try FileManager.default.copyItem(
                    atPath: all + "/" + name, toPath: logs + "/" + name.replacingOccurrences(of: "/", with: "-"))
            }
            for fanIn in fanIns {
                let r = try ingest(logs: logs, warehouse: warehouses[fanIn]!, workers: workers, compactFanIn: fanIn)
                #expect(r.compactionError == nil)
            }
        }
        return warehouses
    }

    /// Each community's events in stored order, as text.
    static func byCommunity(_ snapshot: WarehouseSnapshot) -> [String: [StoredEvent]] {
        var out: [String: [StoredEvent]] = [:]
        for e in snapshot.allEvents() { out[e.kind.name + "/" + e.community, default: []].append(e) }
        return out
    }

    static func keys(_ snapshot: WarehouseSnapshot) -> [Int32: [[UInt64]]] {
        var out: [Int32: [[UInt64]]] = [:]
        for run in snapshot.runs {
            guard let d = run.dedupe else { continue }
            for day in d.days {
                let k = d.keys(of: day)!
                for i in k.milliseconds.indices { out[day, default: []].append([UInt64(k.milliseconds[i]), k.hashes[i]]) }
            }
        }
        return out
    }

    @Test(arguments: [1, 8])
    func mergedFilesHoldWhatTheFilesTheyReplaceHeld(workers: Int) throws {
        let s = Scratch()
        let wh = try Self.nightly(s, nights: 12, fanIns: [0, 2, 3], workers: workers)
        let plain = try WarehouseSnapshot(root: wh[0]!)
        #expect(plain.runs.count == 12)
        for fanIn in [2, 3] {
            let merged = try WarehouseSnapshot(root: wh[fanIn]!)
            #expect(merged.runs.count < plain.runs.count, "fan-in \(fanIn)")
            #expect(merged.runs.contains { $0.firstGeneration < $0.generation })
            // The same ids in the same order, the same events per community in
            // the same order, the same de-duplication keys.
            #expect(merged.persons.map { Array($0) } == plain.persons.map { Array($0) })
            #expect(merged.communityNames.map { Array($0) } == plain.communityNames.map { Array($0) })
            #expect(merged.communityKinds == plain.communityKinds)
            #expect(
                merged.runs.flatMap { Array($0.contentHashes ?? UnsafeBufferPointer(start: nil, count: 0)) }
                    == plain.runs.flatMap { Array($0.contentHashes ?? UnsafeBufferPointer(start: nil, count: 0)) })
            #expect(Self.byCommunity(merged) == Self.byCommunity(plain))
            let a = Self.keys(merged)
            let b = Self.keys(plain)
            #expect(a.mapValues { Set($0) } == b.mapValues { Set($0) })
            #expect(a.mapValues(\.count) == b.mapValues(\.count))
            #expect(merged.manifest.events == plain.manifest.events)
            #expect(merged.manifest.files == plain.manifest.files)
            // Every run's rejects are still counted, and the files hold no
            // more than the manifest names.
            #expect(
                try WarehouseQuality.read(root: wh[fanIn]!).reasons.map { "\($0)" }
                    == WarehouseQuality.read(root: wh[0]!).reasons.map { "\($0)" })
            let named = Set(merged.manifest.runs.map { RunFileLayout.fileName(of: $0) })
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: wh[fanIn]! + "/runs")) == named)
            // Tonight's run is never merged.
            #expect(merged.manifest.runs.last!.mergedRuns == 1)
        }
        // Blocks joined: fewer, fuller blocks than the nightly files had.
        let two = try WarehouseSnapshot(root: wh[2]!)
        #expect(two.blocks.count < plain.blocks.count)
        #expect(two.blocks.allSatisfy { $0.rows <= 3000 })
        #expect(two.blocks.contains { $0.rows > 1000 })
    }

    @Test func duplicatesOfEventsInMergedFilesAreFound() throws {
        let s = Scratch()
        let wh = try Self.nightly(s, nights: 6, fanIns: [2])[2]!
        let before = try WarehouseSnapshot(root: wh)
        #expect(before.manifest.runs.contains { $0.mergedRuns >= 2 }, "\(before.manifest.runs.map { ($0.mergedRuns, $0.events) })")
        // Every log again, under other names: all duplicates.
        let again = s.folder("logs/again")
        for name in try FileManager.default.contentsOfDirectory(atPath: s.sub("logs")) where name.hasSuffix(".gz") {
            try FileManager.default.copyItem(atPath: s.sub("logs") + "/" + name, toPath: again + "/" + name)
        }
        let r = try ingest(logs: s.sub("logs"), warehouse: wh, compactFanIn: 2)
        #expect(r.stored == 0)
        #expect(r.accepted > 0 && r.duplicates == r.accepted)
    }

    /// A year of equal nights with the default fan-in: at most 7 files a
    /// level, and each event rewritten once a level; a first run of a long
    /// history is never copied again.
    @Test func theChoiceIsABaseEightCounterThatLeavesABigFirstRunAlone() {
        for first in [UInt64(100), 1_000_000] {
            var runs: [Manifest.Run] = []
            var rewritten: UInt64 = 0
            for night in 1...365 {
                let events = night == 1 ? first : 100
                runs.append(Manifest.Run(generation: UInt64(night), fileSize: 1, events: events, hasRejects: false))
                while let g = RunCompaction.nextGroup(runs, before: runs.count - 1, fanIn: 8) {
                    let part = Array(runs[g])
                    #expect(part.allSatisfy { $0.mergedRuns == part[0].mergedRuns })
                    rewritten += part.reduce(0) { $0 + $1.events }
                    runs.replaceSubrange(
                        g,
                        with: [
                            Manifest.Run(
                                generation: part.last!.generation, firstGeneration: part[0].firstGeneration,
                                mergedRuns: part.reduce(0) { $0 + $1.mergedRuns }, fileSize: 1,
                                events: part.reduce(0) { $0 + $1.events }, rejectGenerations: [])
                        ])
                }
                #expect(runs.last!.generation == UInt64(night))
            }
            #expect(runs.count <= 22, "\(runs.map(\.mergedRuns))")
            // Per level at most 7 and tonight's (the big first run aside).
            let counted = runs.dropFirst(first > 100 ? 1 : 0)
            for level in Set(counted.map(\.mergedRuns)) { #expect(counted.filter { $0.mergedRuns == level }.count <= 8) }
            #expect(runs.reduce(0) { $0 + $1.mergedRuns } == 365)
            // 365 = 5·64 + 5·8 + 5: each night's events written at most 3 times more.
            #expect(rewritten <= 3 * 364 * 100 + (first == 100 ? 300 : 0), "\(rewritten)")
            if first > 100 { #expect(runs[0].mergedRuns == 1 && runs[0].events == first) }
        }
    }

    static let faultPoints = ["compact-while-writing", "compact-after-run-file", "compact-after-manifest"]

    @Test(arguments: faultPoints)
    func aKillWhileCompactingLeavesAValidWarehouseThatTheNextIngestFinishes(point: String) throws {
        let s = Scratch()
        let logs = s.folder("logs")
        let clean = s.sub("clean")
        let wh = s.sub("wh")
        func args(_ w: String) -> [String] {
            ["--logs", logs, "--warehouse", w, "--reports", s.sub("r-" + (w == wh ? "wh" : "clean")), "--compact-fan-in", "2"]
        }
        for night in 0..<3 {
            s.write("logs/n\(night).ndjson", (0..<40).map { event(["id": "\"n\(night)-\($0)\""]) }.joined(separator: "\n") + "\nbad\n")
            #expect(try runJob("ingest", args(clean)).status == 0)
            if night < 2 {
                #expect(try runJob("ingest", args(wh)).status == 0)
                continue
            }
            var env = ProcessInfo.processInfo.environment
            env["SILTA_FAULT_POINT"] = point
            let killed = try runJob("ingest", args(wh), environment: env)
            #expect(killed.status == 9, "\(point): \(killed.stderr)")
            // Right after the kill the warehouse opens, with every event.
            let snapshot = try WarehouseSnapshot(root: wh)
            #expect(snapshot.manifest.generation == 3)
            #expect(snapshot.manifest.events == 120)
            #expect(snapshot.manifest.runs.count == (point == "compact-after-manifest" ? 2 : 3))
            let rerun = try runJob("ingest", args(wh))
            #expect(rerun.status == 0, "\(point): \(rerun.stderr)")
            // What the kill left: a temporary file, the merged file no
            // manifest names, or the two files the committed merge replaced.
            let left = ["compact-while-writing": 1, "compact-after-run-file": 1, "compact-after-manifest": 2][point]!
            #expect(rerun.stderr.contains("removed \(left) file(s)"), "\(rerun.stderr)")
        }
        #expect(warehouseFiles(wh) == warehouseFiles(clean), "\(point)")
        let runs = try WarehouseSnapshot(root: wh).manifest.runs
        #expect(runs.map(\.mergedRuns) == [2, 1])
        #expect(runs[0].rejectGenerations == [1, 2])
        let report = try readJSON(s.sub("r-clean/ingest_report.json"))
        #expect(report["run_files"] as? Int == 2)
        #expect(report["compactions"] as? Int == 1)
    }

    @Test func aManifestOfFormatOneIsRead() throws {
        var w = ByteWriter()
        w.append(Array("SILTAMAN".utf8))
        w.append(UInt32(1))
        w.append(UInt32(0))
        for n: UInt64 in [2, 5, 1, 3, 9] { w.append(n) }  // generation, persons, communities, contents, events
        w.append(UInt32(2))
        for (g, size, events, rejects) in [(UInt64(1), UInt64(500), UInt64(4), UInt8(1)), (2, 600, 5, 0)] {
            w.append(g)
            w.append(size)
            w.append(events)
            w.append(rejects)
        }
        w.append(UInt32(0))
        w.append(CRC32.of(w.bytes))
        let m = try Manifest(decoding: w.bytes, path: "MANIFEST")
        #expect(
            m.runs == [
                Manifest.Run(generation: 1, fileSize: 500, events: 4, hasRejects: true),
                Manifest.Run(generation: 2, fileSize: 600, events: 5, hasRejects: false),
            ])
        #expect(m.runs[0].rejectGenerations == [1] && m.runs[1].mergedRuns == 1)
        #expect(try Manifest(decoding: m.encoded(), path: "MANIFEST") == m)
    }

    @Test func everyTruncationAndFlippedByteOfAManifestIsAnError() throws {
        var m = Manifest()
        m.generation = 9
        m.events = 20
        m.runs = [
            Manifest.Run(generation: 8, firstGeneration: 1, mergedRuns: 8, fileSize: 100, events: 15, rejectGenerations: [2, 7]),
            Manifest.Run(generation: 9, fileSize: 50, events: 5, hasRejects: true),
        ]
        m.record([
            Manifest.IngestedFile(
                path: Array("a/b.ndjson.gz".utf8), size: 10, contentHash: StableHash128(low: 1, high: 2), generation: 9, lines: 3,
                accepted: 2, rejected: 1, damage: "")
        ])
        let bytes = m.encoded()
        #expect(try Manifest(decoding: bytes, path: "MANIFEST") == m)
        for n in 0..<bytes.count {
            #expect(throws: WarehouseError.self) { try Manifest(decoding: Array(bytes[..<n]), path: "MANIFEST") }
        }
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            var damaged = bytes
            damaged[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            #expect(throws: WarehouseError.self) { try Manifest(decoding: damaged, path: "MANIFEST") }
        }
    }

    @Test func aManifestWhoseRunsOverlapIsDamage() throws {
        var m = Manifest()
        m.generation = 4
        m.runs = [
            Manifest.Run(generation: 3, firstGeneration: 1, mergedRuns: 3, fileSize: 1, events: 1, rejectGenerations: []),
            Manifest.Run(generation: 4, firstGeneration: 3, mergedRuns: 2, fileSize: 1, events: 1, rejectGenerations: []),
        ]
        #expect(throws: WarehouseError.self) { try Manifest(decoding: m.encoded(), path: "MANIFEST") }
        m.runs = [Manifest.Run(generation: 3, firstGeneration: 1, mergedRuns: 4, fileSize: 1, events: 1, rejectGenerations: [])]
        #expect(throws: WarehouseError.self) { try Manifest(decoding: m.encoded(), path: "MANIFEST") }
        m.runs = [Manifest.Run(generation: 3, firstGeneration: 1, mergedRuns: 2, fileSize: 1, events: 1, rejectGenerations: [4])]
        #expect(throws: WarehouseError.self) { try Manifest(decoding: m.encoded(), path: "MANIFEST") }
    }

    @Test func keptReportsAcceptAMergedFileOfRunsTheySaw() {
        func run(_ g: UInt64, _ events: UInt64) -> Manifest.Run {
            Manifest.Run(generation: g, fileSize: 10 * g, events: events, hasRejects: false)
        }
        func merged(_ first: UInt64, _ last: UInt64, runs: UInt64, _ events: UInt64) -> Manifest.Run {
            Manifest.Run(generation: last, firstGeneration: first, mergedRuns: runs, fileSize: 1, events: events, rejectGenerations: [])
        }
        let kept = [run(1, 5), run(2, 6), run(3, 7)]
        #expect(KeptPlan.addedRuns(kept: kept, now: kept + [run(4, 1)]) == [4])
        #expect(KeptPlan.addedRuns(kept: kept, now: [merged(1, 2, runs: 2, 11), run(3, 7), run(4, 1)]) == [4])
        #expect(KeptPlan.addedRuns(kept: kept, now: [merged(1, 3, runs: 3, 18), run(4, 1)]) == [4])
        // A merged file the kept reports saw only part of counts as new.
        #expect(KeptPlan.addedRuns(kept: [run(1, 5), run(2, 6)], now: [merged(1, 3, runs: 3, 18), run(4, 1)]) == [3, 4])
        #expect(KeptPlan.addedRuns(kept: kept, now: [merged(1, 2, runs: 2, 12), run(3, 7)]) == [2])
        // A run gone, or changed: nothing can be kept.
        #expect(KeptPlan.addedRuns(kept: kept, now: [run(2, 6), run(3, 7)]) == nil)
        #expect(KeptPlan.addedRuns(kept: kept, now: [run(1, 5), run(2, 6), run(3, 8)]) == nil)
        // Kept reports made after a merge, and a later merge of that file.
        let later = [merged(1, 2, runs: 2, 11), run(3, 7), run(4, 1)]
        #expect(KeptPlan.addedRuns(kept: later, now: [merged(1, 4, runs: 4, 19), run(5, 2)]) == [5])
    }
}
