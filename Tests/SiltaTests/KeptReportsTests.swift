import Foundation
import SiltaGenerator
import SiltaIdentities
import SiltaReportJobs
import SiltaReports
import SiltaSupport
import SiltaWarehouse
import Testing

/// Incremental nights (docs/warehouse.md "Kept reports"): a night that keeps
/// the unchanged periods of last night's reports writes exactly the bytes a
/// night from scratch writes on the same logs. The property is checked over
/// random splits of generated logs into nights, with events that arrive
/// nights late (so parents after their replies), duplicates across nights,
/// a log that grows, and 1, 2 and 8 workers; after every night the reports
/// are compared with those of a fresh warehouse.
@Suite(.serialized) struct KeptReportsTests {
    /// The logs of one split: the lines each night adds, and a file that grows.
    struct Nights {
        /// New files per night (name, lines).
        var files: [[(String, [[UInt8]])]]
        /// Lines appended to `grow.ndjson.gz` each night (a new gzip member).
        var grown: [[[UInt8]]]
    }

    /// Every line of the generated logs, each with the day its file is for.
    static func generatedLines(_ s: Scratch, seed: UInt64) throws -> [(day: String, line: [UInt8])] {
        var c = GeneratorConfig()
        c.events = 5_000
        c.days = 10
        c.firstDay = RFC3339Days.of("2026-10-20")
        c.communities = 6
        c.persons = 150
        c.seed = seed
        c.badLineRate = 0.005
        c.duplicateRate = 0.02
        _ = try LogGenerator.generate(c, out: s.sub("generated"))
        var lines: [(String, [UInt8])] = []
        let root = s.sub("generated")
        let files = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".ndjson.gz") }
            .sorted()
        for f in files {
            let day = String(f.suffix("2026-10-20.ndjson.gz".count).prefix(10))
            let bytes = try gunzip(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + f))))
            for l in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) { lines.append((day, Array(l))) }
        }
        return lines
    }

    /// The `id` of a generated line, if it has one where the generator puts it.
    static func eventId(_ line: [UInt8]) -> [UInt8]? {
        let key = Array(#"{"id":""#.utf8)
        guard line.starts(with: key), let end = line[key.count...].firstIndex(of: 0x22) else { return nil }
        return Array(line[key.count..<end])
    }

    /// Splits the lines into `count` nights by day, then moves some lines to
    /// a later night (late arrivals), copies some into a later night
    /// (duplicates) and sends some through the growing file. The copies of
    /// one id that the generator made differ go where its first copy goes:
    /// of differing copies the one read first is kept (docs/input.md), and a
    /// fresh warehouse reads the logs in another order than the nights did.
    static func split(_ lines: [(day: String, line: [UInt8])], nights count: Int, seed: UInt64) -> Nights {
        var rng = SplitMix(seed: seed)
        let days = Set(lines.map(\.day)).sorted()
        // Cut days: night k takes the days before cuts[k].
        var cuts = Set<Int>()
        while cuts.count < count - 1 { cuts.insert(1 + Int(rng.next() % UInt64(days.count - 1))) }
        let bounds = cuts.sorted().map { days[$0] }
        var files = [[[UInt8]]](repeating: [], count: count)
        var grown = [[[UInt8]]](repeating: [], count: count)
        var placed: [[UInt8]: (night: Int, roll: UInt64)] = [:]
        for (day, line) in lines {
            var night = bounds.firstIndex { day < $0 } ?? count - 1
            var roll = rng.next() % 100
            let id = eventId(line)
            if let id, let first = placed[id] {
                (night, roll) = (first.night, first.roll % 97)
                if roll < 5 || roll >= 8 { files[night].append(line) } else { grown[night].append(line) }
                continue
            }
            defer { if let id { placed[id] = (night, roll) } }
            // Late: a line of a night's last day comes a night later.
            let lastDay = night < count - 1 && days.firstIndex(of: day)! + 1 == days.firstIndex(of: bounds[night])!
            if roll < 10 && lastDay { night += 1 }
            if roll >= 5 && roll < 8 { grown[night].append(line) } else { files[night].append(line) }
            if roll >= 97 && night < count - 1 { files[count - 1].append(line) }
        }
        // Parents that come after their replies, in time and in arrival: a
        // reply of the first night names content that a post of the last
        // night, made later, creates. Their replies' periods change then.
        let replies = files[0].indices.filter { files[0][$0].containsSubsequence(Array(#""type":"reply""#.utf8)) }
        let posts = files[count - 1].indices.filter { files[count - 1][$0].containsSubsequence(Array(#""type":"post""#.utf8)) }
        for (k, (r, p)) in zip(replies.prefix(3), posts.prefix(3)).enumerated() {
            files[0][r] = setValue(files[0][r], "parent", "late-parent-\(k)")
            files[count - 1][p] = setValue(setValue(files[count - 1][p], "content", "late-parent-\(k)"), "id", "late-post-\(k)")
        }
        return Nights(files: files.enumerated().map { k, lines in [("night-\(k + 1).ndjson.gz", lines)] }, grown: grown)
    }

    /// `line` with the string value of `key` replaced by `value`.
    static func setValue(_ line: [UInt8], _ key: String, _ value: String) -> [UInt8] {
        let pattern = Array("\"\(key)\":\"".utf8)
        guard let at = (0...(line.count - pattern.count)).first(where: { line[$0..<($0 + pattern.count)].elementsEqual(pattern) }),
            let end = line[(at + pattern.count)...].firstIndex(of: 0x22)
        else { return line }
        return Array(line[..<(at + pattern.count)]) + Array(value.utf8) + Array(line[end...])
    }

    /// Writes night `k`'s files into `logs` (the growing file gets a member).
    static func writeNight(_ nights: Nights, _ k: Int, logs: String) throws {
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        for (name, lines) in nights.files[k] {
            try Data(gzip(lines.flatMap { $0 + [0x0A] })).write(to: URL(fileURLWithPath: logs + "/" + name))
        }
        guard !nights.grown[k].isEmpty else { return }
        let path = logs + "/grow.ndjson.gz"
        var bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Array.init) ?? []
        bytes += gzip(nights.grown[k].flatMap { $0 + [0x0A] })
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func night(logs: String, warehouse: String, reports: String, key: String, workers: Int, extra: [String]) throws -> RunResult {
        try runJob(
            "nightly",
            [
                "--logs", logs, "--warehouse", warehouse, "--reports", reports, "--workers", "\(workers)", "--people-key", key,
                "--keep-days", "3",
            ]
                + extra)
    }

    /// The report files at the top of `reports` (not the per-run ones).
    static func reportFiles(_ reports: String) -> [String: Data] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).filter {
            ($0.hasSuffix(".csv") || $0.hasSuffix(".json")) && $0 != "run_summary.json" && $0 != "ingest_report.json"
        }
        return Dictionary(uniqueKeysWithValues: names.map { ($0, FileManager.default.contents(atPath: reports + "/" + $0)!) })
    }

    /// Rows the report jobs kept, by the night's summary.
    static func keptRows(_ reports: String) throws -> Int {
        let summary = try readJSON(reports + "/run_summary.json")
        let jobs = summary["jobs"] as? [[String: Any]] ?? []
        return jobs.reduce(0) { $0 + ((($1["figures"] as? [String: Any])?["kept_rows"] as? Int) ?? 0) }
    }

    /// Runs a night from scratch on `logs` and expects the reports in
    /// `s`'s `reports` folder to be its files, byte for byte.
    static func expectTheBytesOfANightFromScratch(_ s: Scratch, logs: String, key: String, _ context: String = "") throws {
        let f = try night(logs: logs, warehouse: s.sub("fresh/wh"), reports: s.sub("fresh/reports"), key: key, workers: 2, extra: [])
        #expect(f.status == 0, "\(f.stderr)")
        let scratch = reportFiles(s.sub("fresh/reports"))
        let incremental = reportFiles(s.sub("reports"))
        #expect(incremental.count == scratch.count, "\(context)")
        for (name, bytes) in scratch { #expect(incremental[name] == bytes, "\(context): \(name) differs") }
    }

    /// Generated logs split into `count` nights, and the first night run into
    /// `s`'s `wh` and `reports`: the people key, the nights, the logs folder.
    static func firstNight(_ s: Scratch, seed: UInt64, nights count: Int) throws -> (key: String, nights: Nights, logs: String) {
        let key = try makeKey(s)
        let nights = split(try generatedLines(s, seed: seed), nights: count, seed: seed)
        let logs = s.sub("logs")
        try writeNight(nights, 0, logs: logs)
        #expect(try night(logs: logs, warehouse: s.sub("wh"), reports: s.sub("reports"), key: key, workers: 2, extra: []).status == 0)
        return (key, nights, logs)
    }

    static func makeKey(_ s: Scratch) throws -> String {
        let key = s.sub("people.key")
        try Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).write(to: URL(fileURLWithPath: key))
        chmod(key, 0o600)
        return key
    }

    @Test(
        arguments: [
            (seed: 11, nights: 3, workers: 1, zone: "UTC", fanIn: 8),
            (seed: 12, nights: 4, workers: 2, zone: "Europe/Helsinki", fanIn: 8),
            (seed: 13, nights: 3, workers: 8, zone: "UTC", fanIn: 8),
            (seed: 14, nights: 2, workers: 2, zone: "America/New_York", fanIn: 8),
            // Compaction after nights 3 and 5 (runs 1-2, then 3-4 and 1-4):
            // merged files of runs the kept reports saw keep their rows.
            (seed: 15, nights: 6, workers: 2, zone: "UTC", fanIn: 2),
        ] as [(seed: UInt64, nights: Int, workers: Int, zone: String, fanIn: Int)])
    func everyIncrementalNightWritesTheBytesOfANightFromScratch(
        seed: UInt64, nights count: Int, workers: Int, zone: String, fanIn: Int
    ) throws {
        let s = Scratch()
        let key = try Self.makeKey(s)
        let nights = Self.split(try Self.generatedLines(s, seed: seed), nights: count, seed: seed)
        let logs = s.sub("logs")
        let extra = ["--time-zone", zone]
        var kept = 0
        for k in 0..<count {
            try Self.writeNight(nights, k, logs: logs)
            let r = try Self.night(
                logs: logs, warehouse: s.sub("wh"), reports: s.sub("reports"), key: key, workers: workers,
                extra: extra + ["--compact-fan-in", String(fanIn)])
            #expect(r.status == 0, "night \(k + 1): \(r.stderr)")
            let fresh = s.sub("fresh-\(k)")
            let f = try Self.night(
                logs: logs, warehouse: fresh + "/wh", reports: fresh + "/reports", key: key, workers: workers, extra: extra)
            #expect(f.status == 0, "\(f.stderr)")
            let incremental = Self.reportFiles(s.sub("reports"))
            let scratch = Self.reportFiles(fresh + "/reports")
            #expect(incremental.count == scratch.count && incremental.count >= 30, "night \(k + 1): \(incremental.keys.sorted())")
            for (name, bytes) in scratch { #expect(incremental[name] == bytes, "night \(k + 1) of \(count): \(name) differs") }
            // And the report jobs alone, in full (`--full`) on a copy of the same warehouse.
            let full = s.sub("full-\(k)")
            try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: s.sub("wh"), toPath: full + "/wh")
            let g = try Self.night(
                logs: logs, warehouse: full + "/wh", reports: full + "/reports", key: key, workers: workers, extra: extra + ["--full"])
            #expect(g.status == 0, "\(g.stderr)")
            for (name, bytes) in Self.reportFiles(full + "/reports") {
                #expect(incremental[name] == bytes, "night \(k + 1) of \(count): \(name) differs from --full's")
            }
            try? FileManager.default.removeItem(atPath: full)
            if k > 0 { kept += try Self.keptRows(s.sub("reports")) }
            try? FileManager.default.removeItem(atPath: fresh)
        }
        #expect(kept > 0, "the later nights kept rows of the earlier ones")
        if fanIn < count {
            let runs = try WarehouseSnapshot(root: s.sub("wh")).manifest.runs
            #expect(runs.count < count && runs.contains { $0.mergedRuns > 1 }, "\(runs)")
        }
    }

    /// The as-of instant moving back and forth, and a night with nothing new:
    /// `complete` changes, and so do the periods between the two instants.
    @Test func movingTheAsOfInstantWritesTheBytesOfANightFromScratch() throws {
        let s = Scratch()
        let key = try Self.makeKey(s)
        let nights = Self.split(try Self.generatedLines(s, seed: 21), nights: 2, seed: 21)
        let logs = s.sub("logs")
        try Self.writeNight(nights, 0, logs: logs)
        try Self.writeNight(nights, 1, logs: logs)
        for (k, asOf) in ["2026-10-26", "2026-10-23T12:00:00Z", "2026-10-23T12:00:00Z", "2026-11-02"].enumerated() {
            let extra = ["--as-of", asOf]
            let r = try Self.night(logs: logs, warehouse: s.sub("wh"), reports: s.sub("reports"), key: key, workers: 2, extra: extra)
            #expect(r.status == 0, "\(r.stderr)")
            let fresh = s.sub("fresh-\(k)")
            let f = try Self.night(logs: logs, warehouse: fresh + "/wh", reports: fresh + "/reports", key: key, workers: 2, extra: extra)
            #expect(f.status == 0, "\(f.stderr)")
            let scratch = Self.reportFiles(fresh + "/reports")
            let incremental = Self.reportFiles(s.sub("reports"))
            for (name, bytes) in scratch { #expect(incremental[name] == bytes, "as of \(asOf): \(name) differs") }
            if k == 2 { #expect(try Self.keptRows(s.sub("reports")) > 0, "a night with nothing new keeps every row") }
        }
    }

    /// A night killed while it replaces a report, or just after it kept its
    /// state, fails and leaves last night's reports; the next night is whole.
    @Test(arguments: ["report-between-csv-and-json", "kept-after-state"])
    func aNightKilledWhileKeepingLeavesTheNextNightCorrect(point: String) throws {
        let s = Scratch()
        let (key, nights, logs) = try Self.firstNight(s, seed: 31, nights: 3)
        let before = Self.reportFiles(s.sub("reports"))
        try Self.writeNight(nights, 1, logs: logs)
        var env = ProcessInfo.processInfo.environment
        env["SILTA_FAULT_POINT"] = point
        let killed = try runJob(
            "nightly",
            ["--logs", logs, "--warehouse", s.sub("wh"), "--reports", s.sub("reports"), "--workers", "2", "--people-key", key],
            environment: env)
        #expect(killed.status != 0, "the night failed")
        #expect(Self.reportFiles(s.sub("reports")) == before, "last night's reports are still published, whole")
        try Self.writeNight(nights, 2, logs: logs)
        #expect(try Self.night(logs: logs, warehouse: s.sub("wh"), reports: s.sub("reports"), key: key, workers: 2, extra: []).status == 0)
        try Self.expectTheBytesOfANightFromScratch(s, logs: logs, key: key, "after a night killed at \(point)")
    }

    /// Kept rows are used only from the very files they were written to: a
    /// report edited in place (or replaced) since is written in full.
    @Test func aReportChangedSinceIsWrittenInFull() throws {
        let s = Scratch()
        let (key, nights, logs) = try Self.firstNight(s, seed: 41, nights: 2)
        // Same length, other bytes: only the stamp tells.
        let path = s.sub("reports/engagement_daily.csv")
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        let at = bytes.count / 2
        bytes[at] = bytes[at] == 0x30 ? 0x31 : 0x30
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try Self.writeNight(nights, 1, logs: logs)
        let r = try Self.night(logs: logs, warehouse: s.sub("wh"), reports: s.sub("reports"), key: key, workers: 2, extra: ["--verbose"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("wrote engagement_daily in full"), "the log says why")
        try Self.expectTheBytesOfANightFromScratch(s, logs: logs, key: key)
    }

    /// The kept rows of a table whose family was computed with placeholders
    /// before the cut (``ReportSettings/writtenFrom``) are refused by the
    /// writer when tonight's rows before the cut are not as many as the kept
    /// index says: the job then computes that table again in full. A state
    /// whose row counts are off by one stands in for a missing reach-back
    /// rule, which no night should meet.
    @Test func keptRowsRefusedAfterPlaceholdersAreComputedAgainInFull() throws {
        let s = Scratch()
        // Three nights, of which the first two run: the late parents that
        // reach back to the first day come in the third.
        let (key, nights, logs) = try Self.firstNight(s, seed: 43, nights: 3)
        let statePath = KeptReports.path(warehouse: s.sub("wh"), job: "engagement")
        var state = try KeptReports(decoding: Array(FileManager.default.contents(atPath: statePath)!))
        let t = try #require(state.tables.firstIndex { $0.stem == "engagement_daily" })
        for k in state.tables[t].index.periods.indices.dropFirst() { state.tables[t].index.periods[k].rowsBefore += 1 }
        state.tables[t].index.rows += 1
        #expect(state.tables[t].index.isConsistent)
        try Data(state.encoded()).write(to: URL(fileURLWithPath: statePath))
        try Self.writeNight(nights, 1, logs: logs)
        let r = try Self.night(logs: logs, warehouse: s.sub("wh"), reports: s.sub("reports"), key: key, workers: 2, extra: [])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote engagement_daily in full: tonight's table has"), "\(r.stderr)")
        try Self.expectTheBytesOfANightFromScratch(s, logs: logs, key: key)
        // The other tables kept their rows.
        #expect(try Self.keptRows(s.sub("reports")) > 0)
    }
}

/// The history's gzip in members (``ChunkedGzip``): any reader reads it as
/// one stream, and a file sharing chunks with an earlier one copies their
/// members, to the very bytes deflating them again would give.
@Suite struct ChunkedGzipTests {
    static let chunk = ChunkedGzip.chunkBytes

    /// `count` bytes that compress somewhat, different for each `seed`.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count { out += Array("row,\(rng.next() % 1000),\(rng.next() % 7)\n".utf8) }
        return Array(out.prefix(count))
    }

    static func compress(_ s: Scratch, _ name: String, _ content: [UInt8], reusing previous: String? = nil) throws -> (
        path: String, members: Int, copied: Int
    ) {
        s.write(name, content)
        let out = try AtomicFileWriter(path: s.sub(name + ".gz"))
        let (members, copied) = try ChunkedGzip.compressFile(s.sub(name), into: out, reusing: previous, digest: SHA256Hex.digest)
        try out.commit()
        return (s.sub(name + ".gz"), members, copied)
    }

    static func contents(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }

    @Test func membersReadAsOneStreamByGzipAndCopiesGiveTheSameBytes() throws {
        let s = Scratch()
        let a = Self.bytes(2 * Self.chunk + 12_345, seed: 1)
        let first = try Self.compress(s, "a", a)
        #expect(first.members == 3 && first.copied == 0)
        #expect(try gunzip(Self.contents(first.path)) == a)
        let z = try runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -dc '\(first.path)' | cmp - '\(s.sub("a"))'"])
        #expect(z.status == 0, "gzip reads every member: \(z.stdout)\(z.stderr)")
        let members = try ChunkedGzip.members(of: PosixFile.openForReading(first.path))
        #expect(members.map(\.uncompressedCount) == [Self.chunk, Self.chunk, 12_345])
        #expect(members.last?.bytes.upperBound == Self.contents(first.path).count)

        // The same first two chunks, then other bytes: two members copied.
        let b = Array(a[..<(2 * Self.chunk)]) + Self.bytes(Self.chunk + 99, seed: 2)
        let reused = try Self.compress(s, "b", b, reusing: first.path)
        let fresh = try Self.compress(s, "b-fresh", b)
        #expect(reused.copied == 2 && reused.members == 4 && fresh.copied == 0)
        #expect(Self.contents(reused.path) == Self.contents(fresh.path), "copied members are the bytes deflate makes")
        #expect(try gunzip(Self.contents(reused.path)) == b)

        // A change in the first chunk: nothing before it to copy, the rest is
        // compared chunk by chunk at the same offsets.
        var c = a
        c[10] ^= 1
        let changed = try Self.compress(s, "c", c, reusing: first.path)
        #expect(changed.copied == 2)
        #expect(try gunzip(Self.contents(changed.path)) == c)
    }

    @Test func anEarlierFileThatIsNoSuchGzipOrDamagedIsOnlyNotCopiedFrom() throws {
        let s = Scratch()
        let a = Self.bytes(Self.chunk + 5, seed: 3)
        let plain = try Self.compress(s, "a", a)
        var damaged = Self.contents(plain.path)
        damaged[20] ^= 0xFF
        s.write("damaged.gz", damaged)
        s.write("truncated.gz", Array(Self.contents(plain.path).prefix(100)))
        s.write("other.gz", gzip(a))
        s.write("garbage.gz", Self.bytes(5_000, seed: 4))
        for previous in ["damaged.gz", "truncated.gz", "other.gz", "garbage.gz", "missing.gz"] {
            let r = try Self.compress(s, "b-" + previous, a, reusing: s.sub(previous))
            #expect(Self.contents(r.path) == Self.contents(plain.path), "\(previous)")
        }
        // A header naming a member larger than the file is no member.
        var big = Self.contents(plain.path)
        big[16] = 0xFF
        big[17] = 0xFF
        big[18] = 0xFF
        s.write("big.gz", big)
        #expect(try ChunkedGzip.members(of: PosixFile.openForReading(s.sub("big.gz"))).isEmpty)
        let empty = try Self.compress(s, "empty", [])
        #expect(try gunzip(Self.contents(empty.path)).isEmpty && empty.members == 1)
    }
}

/// The kept state is read back exactly, and any damage to it is an error
/// (the night then writes in full), never a trap.
@Suite struct KeptStateTests {
    static let state = KeptReports(
        settings: Array("kept-reports 1\nsilta test".utf8), asOf: 1_790_000_000_000,
        runs: [
            Manifest.Run(generation: 8, firstGeneration: 1, mergedRuns: 8, fileSize: 9000, events: 80, rejectGenerations: [3]),
            Manifest.Run(generation: 9, fileSize: 1000, events: 10, hasRejects: false),
        ], folder: "/r/.tonight",
        tables: [
            KeptReports.Table(
                stem: "engagement_daily",
                csv: FileStamp(identity: FileIdentity(device: 1, inode: 2), size: 300, modifiedSeconds: 3, modifiedNanoseconds: 4),
                json: FileStamp(identity: FileIdentity(device: 1, inode: 5), size: 900, modifiedSeconds: 6, modifiedNanoseconds: 7),
                index: ReportIndex(
                    periods: [ReportIndex.Period(day: 20_000, rowsBefore: 0, csv: 40, json: 200)], rows: 3, csvRows: 40..<300,
                    jsonRows: 200..<890))
        ])

    @Test func theStateReadsBackAsWritten() throws {
        #expect(try KeptReports(decoding: Self.state.encoded()) == Self.state)
    }

    @Test func everyTruncationAndRandomDamageIsAnError() throws {
        let bytes = Self.state.encoded()
        for n in 0..<bytes.count { #expect(throws: (any Error).self) { try KeptReports(decoding: Array(bytes[..<n])) } }
        var rng = SplitMix(seed: 5)
        for _ in 0..<2_000 {
            var b = bytes
            let k = Int(rng.next() % UInt64(b.count))
            b[k] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            #expect(throws: (any Error).self) { try KeptReports(decoding: b) }
        }
        for n in [0, 8, 64, 4096] {
            let noise = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(throws: (any Error).self) { try KeptReports(decoding: Array("SILTAKEP".utf8) + noise) }
        }
    }
}

/// ``AtomicFileWriter/append(_:of:)``: any range of another file, at any
/// place in the file being written, block-aligned or not, gives its bytes.
@Suite struct AppendRangeTests {
    @Test(arguments: [0, 1, 100, 4095, 4096, 5000])
    func aRangeOfAnotherFileIsAppendedExactly(headBytes: Int) throws {
        let s = Scratch()
        let source = ChunkedGzipTests.bytes(3 * 4096 + 1234, seed: 9)
        s.write("source", source)
        let file = try PosixFile.openForReading(s.sub("source"))
        for range in [0..<source.count, 100..<9000, headBytes..<(headBytes + 8192), 4096..<8192, 7..<8, 12_000..<source.count] {
            let head = ChunkedGzipTests.bytes(headBytes, seed: 10)
            let w = try AtomicFileWriter(path: s.sub("out"))
            try w.write(head)
            try w.append(range, of: file)
            try w.write([0x21])
            try w.commit()
            #expect(ChunkedGzipTests.contents(s.sub("out")) == head + Array(source[range]) + [0x21], "\(range) after \(headBytes)")
        }
        let w = try AtomicFileWriter(path: s.sub("short"))
        #expect(throws: (any Error).self) { try w.append(0..<(source.count + 1), of: file) }
        w.abandon()
    }
}
