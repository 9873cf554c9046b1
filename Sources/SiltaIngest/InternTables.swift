import Dispatch
import SiltaSupport
import SiltaWarehouse

/// Byte strings interned to dense `UInt32` ids (0, 1, 2, ... in first-seen
/// order), with their bytes kept once in an arena.
///
/// Open addressing with linear probing; the caller supplies each string's
/// 64-bit stable hash (computed once, on the worker that parsed it).
/// Used by one thread at a time.
struct StringInterner: Sendable {
    private(set) var arena: [UInt8] = []
    private(set) var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    private var slots: [UInt32]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { hashes.count }

    func bytes(_ id: UInt32) -> ArraySlice<UInt8> { arena[starts[Int(id)]..<starts[Int(id) + 1]] }

    /// The stable hash `id` was interned with.
    func hash(_ id: UInt32) -> UInt64 { hashes[Int(id)] }

    /// Runs `body` with the bytes of `id`.
    func withBytes<T>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[starts[Int(id)]..<starts[Int(id) + 1]])) }
    }

    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    /// The id of `key`, adding it when new.
    mutating func intern(_ key: UnsafeRawBufferPointer, hash: UInt64) -> (id: UInt32, isNew: Bool) {
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            let id = Int(s - 1)
            if hashes[id] == hash && equal(id, key) { return (UInt32(id), false) }
            i = (i + 1) & mask
        }
        let id = UInt32(hashes.count)
        hashes.append(hash)
        arena.append(contentsOf: key)
        starts.append(arena.count)
        slots[i] = id + 1
        if hashes.count * 2 > slots.count { grow() }
        return (id, true)
    }

    private func equal(_ id: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let s = starts[id]
        let n = starts[id + 1] - s
        guard n == key.count else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + s, key.baseAddress!, n) == 0 }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        for (id, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt32(id + 1)
        }
    }
}

/// 128-bit content-id hashes interned to dense `UInt32` ids.
struct ContentInterner {
    private(set) var hashes: [StableHash128] = []
    private var slots: [UInt32]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { hashes.count }

    mutating func intern(_ key: StableHash128) -> (id: UInt32, isNew: Bool) {
        var i = Int(truncatingIfNeeded: key.low) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            if hashes[Int(s - 1)] == key { return (s - 1, false) }
            i = (i + 1) & mask
        }
        let id = UInt32(hashes.count)
        hashes.append(key)
        slots[i] = id + 1
        if hashes.count * 2 > slots.count { grow() }
        return (id, true)
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        for (id, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h.low) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt32(id + 1)
        }
    }
}

/// The set of events already stored, keyed by (`ts`, hash of `id`)
/// (events.md "Duplicates"), partitioned by UTC day.
///
/// A day's keys from earlier runs are loaded the first time this run meets
/// an event of that day, so a nightly run over one new day of logs reads one
/// day of keys, not the whole history.
struct DedupeIndex {
    private static let dayMillis: Int64 = 86_400_000
    private static let empty: UInt32 = .max
    /// Marks keys added by this run (milliseconds in a day need 27 bits).
    private static let newFlag: UInt32 = 1 << 31

    private struct DayTable {
        var ms: [UInt32]
        var hash: [UInt64]
        var count = 0
        var newCount = 0
        var mask: Int

        init() {
            ms = Array(repeating: DedupeIndex.empty, count: 64)
            hash = Array(repeating: 0, count: 64)
            mask = 63
        }

        /// Inserts; returns false when the key was already there.
        mutating func insert(ms m: UInt32, hash h: UInt64, isNew: Bool) -> Bool {
            var i = Int(truncatingIfNeeded: h ^ (UInt64(m) &* 0x9E37_79B9_7F4A_7C15)) & mask
            while true {
                let s = ms[i]
                if s == DedupeIndex.empty { break }
                if s & ~DedupeIndex.newFlag == m && hash[i] == h { return false }
                i = (i + 1) & mask
            }
            ms[i] = isNew ? (m | DedupeIndex.newFlag) : m
            hash[i] = h
            count += 1
            if isNew { newCount += 1 }
            if count * 4 > ms.count * 3 { grow() }
            return true
        }

        private mutating func grow() {
            let oldMs = ms
            let oldHash = hash
            let size = ms.count * 2
            ms = Array(repeating: DedupeIndex.empty, count: size)
            hash = Array(repeating: 0, count: size)
            mask = size - 1
            for j in oldMs.indices where oldMs[j] != DedupeIndex.empty {
                let m = oldMs[j] & ~DedupeIndex.newFlag
                var i = Int(truncatingIfNeeded: oldHash[j] ^ (UInt64(m) &* 0x9E37_79B9_7F4A_7C15)) & mask
                while ms[i] != DedupeIndex.empty { i = (i + 1) & mask }
                ms[i] = oldMs[j]
                hash[i] = oldHash[j]
            }
        }

        /// This run's keys, in table order: the same for the same inputs and
        /// the same earlier runs, whatever the number of workers.
        func newKeys() -> (milliseconds: [UInt32], hashes: [UInt64]) {
            var milliseconds: [UInt32] = []
            var hashes: [UInt64] = []
            milliseconds.reserveCapacity(newCount)
            hashes.reserveCapacity(newCount)
            for j in ms.indices where ms[j] != DedupeIndex.empty && ms[j] & DedupeIndex.newFlag != 0 {
                milliseconds.append(ms[j] & ~DedupeIndex.newFlag)
                hashes.append(hash[j])
            }
            return (milliseconds, hashes)
        }
    }

    private var tables: [DayTable] = []
    private var tableOfDay: [Int32: Int] = [:]
    /// The last day met, and its table: a chunk's events are mostly of one day.
    private var lastDay = Int32.min
    private var lastTable = 0
    /// The committed runs, kept alive: their keys are read in place from
    /// the mapped files, which live only as long as the `RunFile`s.
    private let runs: [RunFile]

    /// - Parameter runs: the committed runs, whose keys count as stored.
    init(runs: [RunFile]) { self.runs = runs }

    /// Records the event; returns false when it is a duplicate.
    mutating func insert(ts: Int64, idHash: UInt64) -> Bool {
        var day = ts / Self.dayMillis
        if ts < 0 && ts % Self.dayMillis != 0 { day -= 1 }
        let ms = UInt32(ts - day * Self.dayMillis)
        let d = Int32(day)
        if d != lastDay {
            if let t = tableOfDay[d] {
                lastTable = t
            } else {
                lastTable = tables.count
                tableOfDay[d] = lastTable
                tables.append(load(day: d))
            }
            lastDay = d
        }
        return tables[lastTable].insert(ms: ms, hash: idHash, isNew: true)
    }

    private func load(day: Int32) -> DayTable {
        var t = DayTable()
        for run in runs {
            guard let keys = run.dedupe?.keys(of: day) else { continue }
            for k in keys.milliseconds.indices { _ = t.insert(ms: keys.milliseconds[k], hash: keys.hashes[k], isNew: false) }
        }
        return t
    }

    /// Writes this run's keys as the run file's de-duplication section:
    /// the days in ascending order and their key counts, then for each day its
    /// milliseconds and hashes. Each day's keys are gathered only when written.
    func write(to run: RunFileWriter) throws {
        let days = tableOfDay.keys.sorted().filter { tables[tableOfDay[$0]!].newCount > 0 }
        run.beginSection(.dedupe)
        try run.writeSection([UInt64(days.count)])
        try run.writeSection(days)
        try run.writeSection(days.map { UInt32(tables[tableOfDay[$0]!].newCount) })
        for d in days {
            let keys = tables[tableOfDay[d]!].newKeys()
            try run.writeSection(keys.milliseconds)
            try run.writeSection(keys.hashes)
        }
        try run.endSection()
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
