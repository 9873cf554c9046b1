import SiltaSupport

/// Merges consecutive run files into one, so that a year of nightly runs
/// stays a few files whose blocks hold many rows per community
/// (docs/warehouse.md "Compaction").
///
/// **Which runs.** A base-`fanIn` counter over the nightly runs: the
/// earliest `fanIn` consecutive runs that each merge the same number of
/// ingest runs become one. Eight nightly files make one of 8, eight of those
/// one of 64, and so on; a year of nights is at most about 7 files per level
/// (under 25), and each event is rewritten once per level (about 3 times a
/// year). Tonight's run is never merged: the reports kept last night saw
/// every earlier run, so a merged file holds only events they saw. A group
/// in which one run holds more than four fifths of the events (the first
/// ingest of a long history, a backfill) is left alone: merging it would
/// mostly copy that one file again.
///
/// **What a merged file holds.** Exactly the events, ids and
/// de-duplication keys of the files it replaces, in the same order: persons,
/// communities and content ids keep their ids (the tables end to end), each
/// community's rows keep their order (blocks are joined, never split), and
/// each day's keys are the files' keys end to end. Rejects files are never
/// merged: each stays under its own generation.
///
/// **Crash safety.** The merged file is written under a temporary name and
/// renamed; the manifest that names it in place of the files it replaces is
/// the commit point; those files are removed after it. A kill before the
/// commit leaves a file that no manifest names, after it files that no
/// manifest names: ``WarehouseLocation/removeUncommitted(after:)`` removes
/// both at the next ingest.
public enum RunCompaction {
    /// Runs merged into one.
    public static let defaultFanIn = 8
    /// Most rows of a merged block. Far more than ingest's blocks (which it
    /// holds in memory while it fills them; a merge copies from the mapped
    /// files and holds only the block's mention offsets, 4 bytes a row):
    /// each block ends every community's rows on a page that is not given
    /// back until the job ends, so fewer blocks keep less resident.
    public static let defaultBlockRows = 1 << 22

    /// The runs (indices into `runs`) to merge next, if any: the earliest
    /// `fanIn` consecutive runs before `keepFrom` with the same
    /// ``Manifest/Run/mergedRuns``, none holding more than four fifths of
    /// their events.
    public static func nextGroup(_ runs: [Manifest.Run], before keepFrom: Int, fanIn: Int) -> Range<Int>? {
        guard fanIn >= 2, keepFrom >= fanIn else { return nil }
        var start = 0
        while start + fanIn <= keepFrom {
            let group = start..<(start + fanIn)
            let level = runs[start].mergedRuns
            if let odd = group.first(where: { runs[$0].mergedRuns != level }) {
                start = odd
                continue
            }
            let total = group.reduce(UInt64(0)) { $0 + runs[$1].events }
            let largest = group.map { runs[$0].events }.max()!
            if largest * 5 <= total * 4 { return group }
            start += 1
        }
        return nil
    }

    /// Merges runs until no group is left to merge, committing each merge on
    /// its own.
    /// - Parameters:
    ///   - manifest: the committed manifest; updated with each merge.
    ///   - files: the mapped files of the manifest's runs, by generation (the
    ///     merged files are added, the replaced ones dropped).
    ///   - keeping: a generation never merged (tonight's run).
    ///   - progress: one line per merge.
    /// - Returns: the merges made.
    /// - Throws: ``WarehouseError`` when a file cannot be written or the
    ///   manifest committed; what was committed before stays.
    @discardableResult
    public static func compact(
        _ location: WarehouseLocation, manifest: inout Manifest, files: inout [UInt64: RunFile], keeping: UInt64?,
        fanIn: Int = defaultFanIn, blockRows: Int, progress: (String) -> Void = { _ in }
    ) throws -> Int {
        var merges = 0
        while true {
            let keepFrom = manifest.runs.firstIndex { $0.generation == keeping } ?? manifest.runs.count
            guard let group = nextGroup(manifest.runs, before: keepFrom, fanIn: fanIn) else { return merges }
            let replaced = Array(manifest.runs[group])
            let inputs = try replaced.map { run -> RunFile in
                if let f = files[run.generation] { return f }
                return try RunFile(path: location.runPath(of: run), expected: run, verify: true)
            }
            let started = Clocks.monotonicSeconds()
            var merged = Manifest.Run(
                generation: replaced.last!.generation, firstGeneration: replaced.first!.firstGeneration,
                mergedRuns: replaced.reduce(0) { $0 + $1.mergedRuns }, fileSize: 0,
                events: replaced.reduce(0) { $0 + $1.events }, rejectGenerations: replaced.flatMap(\.rejectGenerations))
            let path = location.runPath(of: merged)
            do {
                merged.fileSize = try write(
                    inputs, to: path, generation: merged.generation, firstGeneration: merged.firstGeneration, blockRows: blockRows)
            } catch let e as SystemError {
                throw WarehouseError.system(e)
            }
            FaultInjection.point("compact-after-run-file")
            var next = manifest
            next.runs.replaceSubrange(group, with: [merged])
            try location.commit(next)
            manifest = next
            FaultInjection.point("compact-after-manifest")
            for run in replaced {
                try? FileSystem.remove(location.runPath(of: run))
                files[run.generation] = nil
            }
            do {
                files[merged.generation] = try RunFile(path: path, expected: merged, verify: false)
            } catch let e as SystemError {
                throw WarehouseError.system(e)
            }
            merges += 1
            progress(
                "compacted runs \(merged.firstGeneration) to \(merged.generation) (\(merged.mergedRuns) ingest runs, \(merged.events) events) into one file in \(Clocks.seconds(Clocks.monotonicSeconds() - started)) s"
            )
        }
    }

    /// Writes the merged file of `inputs` (consecutive committed runs) to
    /// `path`, atomically; returns its size.
    static func write(_ inputs: [RunFile], to path: String, generation: UInt64, firstGeneration: UInt64, blockRows: Int) throws -> UInt64 {
        let w = try RunFileWriter(path: path, generation: generation, firstGeneration: firstGeneration)
        do {
            try writeBlocks(inputs.flatMap { f in f.blocks.map { (f, $0) } }, to: w, blockRows: blockRows)
            FaultInjection.point("compact-while-writing")
            try writePersons(inputs.compactMap(\.persons), to: w)
            try writeCommunities(inputs, to: w)
            try writeContents(inputs.compactMap(\.contentHashes), to: w)
            try writeDedupe(inputs.compactMap(\.dedupe), to: w)
            try w.commit()
            // What was read stays out of the resident set (a merge of 64
            // nights at 80M events a year reads about 800 MB).
            for f in inputs { f.mapped.releaseAll() }
        } catch {
            w.abandon()
            throw error
        }
        return UInt64(w.size)
    }

    /// Joins consecutive blocks while their rows fit in `blockRows`: each
    /// community's rows are those of the joined blocks, in block order.
    /// Each block's pages are given back to the page cache once written.
    private static func writeBlocks(_ blocks: [(file: RunFile, block: EventBlockView)], to w: RunFileWriter, blockRows: Int) throws {
        var at = 0
        while at < blocks.count {
            var end = at + 1
            var rows = blocks[at].block.rows
            while end < blocks.count && rows + blocks[end].block.rows <= blockRows {
                rows += blocks[end].block.rows
                end += 1
            }
            try writeBlock(blocks[at..<end].map(\.block), rows: rows, to: w)
            for (file, b) in blocks[at..<end] {
                // The columns lie end to end, from `ts` to `type`.
                guard let first = b.ts.baseAddress, let last = b.type.baseAddress else { continue }
                file.mapped.release(UnsafeRawBufferPointer(start: first, count: UnsafeRawPointer(first).distance(to: last) + b.rows))
            }
            at = end
        }
    }

    private static func writeBlock(_ blocks: [EventBlockView], rows: Int, to w: RunFileWriter) throws {
        // (community, block, range) in community order, then block order.
        var pieces: [(community: UInt32, block: Int, start: Int, count: Int)] = []
        for (b, block) in blocks.enumerated() {
            for r in block.communities { pieces.append((r.community, b, r.start, r.count)) }
        }
        pieces.sort { ($0.community, $0.block) < ($1.community, $1.block) }
        var header: [UInt32] = [UInt32(rows), 0]
        var start = 0
        var k = 0
        var groups = 0
        while k < pieces.count {
            let c = pieces[k].community
            var count = 0
            while k < pieces.count && pieces[k].community == c {
                count += pieces[k].count
                k += 1
            }
            header += [c, UInt32(start), UInt32(count), 0]
            start += count
            groups += 1
        }
        header[1] = UInt32(groups)
        w.beginSection(.events)
        try header.withUnsafeBytes { try w.writeSection($0) }
        func column<T: FixedWidthInteger>(_ values: (EventBlockView) -> UnsafeBufferPointer<T>) throws {
            for p in pieces {
                let v = values(blocks[p.block])
                try w.writeSection(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: v[p.start..<(p.start + p.count)])))
            }
            try w.padSection()
        }
        try column(\.ts)
        try column(\.actor)
        try column(\.content)
        try column(\.parent)
        try column(\.parentActor)
        var offsets = [UInt32](repeating: 0, count: rows + 1)
        var slot = 0
        var total: UInt32 = 0
        for p in pieces {
            let mo = blocks[p.block].mentionOffsets
            for i in p.start..<(p.start + p.count) {
                total += mo[i + 1] - mo[i]
                slot += 1
                offsets[slot] = total
            }
        }
        try w.writeSection(offsets)
        for p in pieces {
            let b = blocks[p.block]
            let m = Int(b.mentionOffsets[p.start])..<Int(b.mentionOffsets[p.start + p.count])
            try w.writeSection(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b.mentions[m])))
        }
        try w.padSection()
        try column(\.type)
        try w.endSection()
    }

    /// A string table: count, `count + 1` offsets, the bytes (the tables end to end).
    private static func writeStrings(_ tables: [StringTableView], to w: RunFileWriter) throws {
        let count = tables.reduce(0) { $0 + $1.count }
        var offsets: [UInt64] = [UInt64(count), 0]
        offsets.reserveCapacity(count + 2)
        var at: UInt64 = 0
        for t in tables {
            for i in 0..<t.count {
                at += t.offsets[i + 1] - t.offsets[i]
                offsets.append(at)
            }
        }
        try w.writeSection(offsets)
        for t in tables { try w.writeSection(UnsafeRawBufferPointer(rebasing: t.bytes[..<Int(t.offsets[t.count])])) }
        try w.padSection()
    }

    private static func writePersons(_ tables: [StringTableView], to w: RunFileWriter) throws {
        w.beginSection(.persons)
        try writeStrings(tables, to: w)
        try w.endSection()
    }

    private static func writeCommunities(_ inputs: [RunFile], to w: RunFileWriter) throws {
        w.beginSection(.communities)
        let kinds = inputs.compactMap(\.communityKinds)
        try w.writeSection([UInt64(kinds.reduce(0) { $0 + $1.count })])
        for k in kinds { try w.writeSection(UnsafeRawBufferPointer(k)) }
        try w.padSection()
        try writeStrings(inputs.compactMap(\.communityNames), to: w)
        try w.endSection()
    }

    private static func writeContents(_ hashes: [UnsafeBufferPointer<UInt64>], to w: RunFileWriter) throws {
        w.beginSection(.contents)
        try w.writeSection([UInt64(hashes.reduce(0) { $0 + $1.count } / 2)])
        for h in hashes { try w.writeSection(UnsafeRawBufferPointer(h)) }
        try w.endSection()
    }

    /// Each day's keys are the files' keys of that day, end to end.
    private static func writeDedupe(_ views: [DedupeView], to w: RunFileWriter) throws {
        let days = Set(views.flatMap { Array($0.days) }).sorted()
        let keys = days.map { day in views.compactMap { $0.keys(of: day) } }
        w.beginSection(.dedupe)
        try w.writeSection([UInt64(days.count)])
        try w.writeSection(days)
        try w.writeSection(keys.map { UInt32($0.reduce(0) { $0 + $1.milliseconds.count }) })
        for dayKeys in keys {
            for k in dayKeys { try w.writeSection(UnsafeRawBufferPointer(k.milliseconds)) }
            try w.padSection()
            for k in dayKeys { try w.writeSection(UnsafeRawBufferPointer(k.hashes)) }
            try w.padSection()
        }
        try w.endSection()
    }
}
