import CSiltaCPU
import Dispatch
import SiltaSupport
import SiltaWarehouse

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The step every table here shares when it grows: a table of `size` slots
/// (a power of two), each `empty`, and every entry `fill` hands to `place`
/// put at the first free slot from its home (linear probing), in the order
/// handed: the same order gives the same table.
enum ProbedTable {
    static func make<Slot>(
        size: Int, empty: Slot, isFree: (Slot) -> Bool, fill: (_ place: (_ home: Int, _ slot: Slot) -> Void) -> Void
    ) -> [Slot] {
        var table = [Slot](repeating: empty, count: size)
        let mask = size - 1
        withoutActuallyEscaping(isFree) { isFree in
            table.withUnsafeMutableBufferPointer { t in
                fill { home, slot in
                    var i = home & mask
                    while !isFree(t[i]) { i = (i + 1) & mask }
                    t[i] = slot
                }
            }
        }
        return table
    }
}

/// The strings of an interner: their bytes end to end in one arena, where
/// each starts, and the stable hash each was interned with, by id.
struct StringArena: Sendable {
    private(set) var arena: [UInt8] = []
    private(set) var starts: [Int] = [0]
    private(set) var hashes: [UInt64] = []

    var count: Int { hashes.count }

    /// Adds `key`; returns its id.
    mutating func append(_ key: UnsafeRawBufferPointer, hash: UInt64) -> UInt32 {
        let id = UInt32(hashes.count)
        hashes.append(hash)
        arena.append(contentsOf: key)
        starts.append(arena.count)
        return id
    }

    /// Whether string `id` is `key`, byte for byte.
    func equal(_ id: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let s = starts[id]
        let n = starts[id + 1] - s
        guard n == key.count else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + s, key.baseAddress!, n) == 0 }
    }
}

/// Byte strings interned to dense `UInt32` ids (0, 1, 2, ... in first-seen
/// order), with their bytes kept once in a ``StringArena``.
protocol InternedStrings {
    var strings: StringArena { get }
}

extension InternedStrings {
    var count: Int { strings.count }

    func bytes(_ id: UInt32) -> ArraySlice<UInt8> { strings.arena[strings.starts[Int(id)]..<strings.starts[Int(id) + 1]] }

    /// The stable hash `id` was interned with.
    func hash(_ id: UInt32) -> UInt64 { strings.hashes[Int(id)] }

    /// Runs `body` with the bytes of `id`.
    func withBytes<T>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try strings.arena.withUnsafeBytes {
            try body(UnsafeRawBufferPointer(rebasing: $0[strings.starts[Int(id)]..<strings.starts[Int(id) + 1]]))
        }
    }
}

/// The interner of one chunk's persons and communities, on the worker that
/// parsed it: a few thousand strings, so its slots are as small as can be
/// (4 bytes) and the whole table stays in the core's cache.
///
/// Open addressing with linear probing; the caller supplies each string's
/// 64-bit stable hash (computed once, on the worker that parsed it). Used by
/// one thread at a time.
struct StringInterner: InternedStrings, Sendable {
    private(set) var strings = StringArena()
    /// Ids plus one; 0 is an empty slot.
    private var slots: [UInt32]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// The id of `key`, adding it when new.
    mutating func intern(_ key: UnsafeRawBufferPointer, hash: UInt64) -> (id: UInt32, isNew: Bool) {
        let found: (slot: Int, id: UInt32?) = slots.withUnsafeBufferPointer { table in
            var i = Int(truncatingIfNeeded: hash) & mask
            while true {
                let s = table[i]
                if s == 0 { return (i, nil) }
                let id = Int(s - 1)
                if strings.hashes[id] == hash && strings.equal(id, key) { return (i, s - 1) }
                i = (i + 1) & mask
            }
        }
        if let id = found.id { return (id, false) }
        let id = strings.append(key, hash: hash)
        slots[found.slot] = id + 1
        if strings.count * 2 > slots.count { grow() }
        return (id, true)
    }

    private mutating func grow() {
        let hashes = strings.hashes
        slots = ProbedTable.make(
            size: slots.count * 2, empty: 0, isFree: { $0 == 0 },
            fill: { place in for (id, h) in hashes.enumerated() { place(Int(truncatingIfNeeded: h), UInt32(id + 1)) } })
        mask = slots.count - 1
    }
}

/// The interner of the whole warehouse's persons and communities, in the
/// merger: millions of strings, far more than the caches hold.
///
/// Each slot (24 bytes, the table at most three quarters full) holds the
/// hash, the length and the first 8 bytes, so that a lookup reads one slot
/// and touches the arena only for a longer string; ``prefetch(hash:)``
/// lets the merger ask for slots ahead. Each extra cache miss per probe (the
/// id's hash, its start, its bytes) was a tenth of the merger's time. Used by
/// one thread at a time.
struct WideStringInterner: InternedStrings, Sendable {
    /// Strings up to this long are compared in the slot.
    private static let inlineBytes = 8

    private struct Slot {
        var hash: UInt64 = 0
        /// The id plus one; 0 is an empty slot.
        var idPlusOne: UInt32 = 0
        var length: UInt32 = 0
        /// The first 8 bytes, zero-padded (all of a short string's bytes).
        var head: UInt64 = 0
    }

    private(set) var strings = StringArena()
    private var slots: [Slot]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
    }

    /// Hints that a string with this hash is looked up soon: its first slot
    /// is brought into the cache meanwhile. Changes nothing.
    @inline(__always)
    func prefetch(hash: UInt64) {
        slots.withUnsafeBufferPointer { silta_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: hash) & mask)) }
    }

    /// The first 8 bytes of `key`, zero-padded.
    @inline(__always)
    private static func head(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = key.count
        guard n > 0, let p = key.baseAddress else { return 0 }
        if n >= 8 { return p.loadUnaligned(as: UInt64.self) }
        var a: UInt64 = 0
        for j in 0..<n { a |= UInt64(p.load(fromByteOffset: j, as: UInt8.self)) << (8 * UInt64(j)) }
        return a
    }

    /// The id of `key`, adding it when new.
    mutating func intern(_ key: UnsafeRawBufferPointer, hash: UInt64) -> (id: UInt32, isNew: Bool) {
        let head = Self.head(key)
        let length = UInt32(truncatingIfNeeded: key.count)
        let short = key.count <= Self.inlineBytes
        let found: (slot: Int, id: UInt32?) = slots.withUnsafeBufferPointer { table in
            var i = Int(truncatingIfNeeded: hash) & mask
            while true {
                let s = table[i]
                if s.idPlusOne == 0 { return (i, nil) }
                if s.hash == hash && s.length == length && s.head == head
                    && (short || strings.equal(Int(s.idPlusOne - 1), key))
                {
                    return (i, s.idPlusOne - 1)
                }
                i = (i + 1) & mask
            }
        }
        if let id = found.id { return (id, false) }
        let id = strings.append(key, hash: hash)
        slots[found.slot] = Slot(hash: hash, idPlusOne: id + 1, length: length, head: head)
        if strings.count * 4 > slots.count * 3 { grow() }
        return (id, true)
    }

    private mutating func grow() {
        let old = slots
        slots = ProbedTable.make(
            size: old.count * 2, empty: Slot(), isFree: { $0.idPlusOne == 0 },
            fill: { place in for s in old where s.idPlusOne != 0 { place(Int(truncatingIfNeeded: s.hash), s) } })
        mask = slots.count - 1
    }
}

/// 128-bit content-id hashes interned to dense `UInt32` ids.
///
/// The table of a large warehouse is far bigger than the caches, and the
/// merger looks up one or two content ids per event. Each slot is 8 bytes:
/// the id and 32 bits of the key's other half, so a probe rejects a
/// stranger without reading the keys, and eight slots share a cache line
/// (the table at most three quarters full). A match is confirmed in the
/// keys, by id: most lookups are of a parent posted shortly before, whose
/// key was written recently and is still in the cache. ``prefetch(_:)`` lets
/// the merger ask for slots ahead. 16 bytes per id for the keys plus 11 to
/// 21 for the slots, as before (4-byte slots half full: 8 to 16); slots
/// holding whole keys were faster by little and 130 MB heavier at 20M events.
struct ContentInterner {
    private(set) var hashes: [StableHash128] = []
    /// The id plus one in the low half (0: empty), the key's `high` truncated in the high half.
    private var slots: [UInt64]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { hashes.count }

    /// Hints that `key` is looked up soon (see ``WideStringInterner/prefetch(hash:)``).
    @inline(__always)
    func prefetch(_ key: StableHash128) {
        slots.withUnsafeBufferPointer { silta_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: key.low) & mask)) }
    }

    mutating func intern(_ key: StableHash128) -> (id: UInt32, isNew: Bool) {
        let tag = key.high << 32
        let found: (slot: Int, id: UInt32?) = slots.withUnsafeBufferPointer { table in
            hashes.withUnsafeBufferPointer { keys in
                var i = Int(truncatingIfNeeded: key.low) & mask
                while true {
                    let s = table[i]
                    if s == 0 { return (i, nil) }
                    if s & 0xFFFF_FFFF_0000_0000 == tag {
                        let id = UInt32(truncatingIfNeeded: s) - 1
                        if keys[Int(id)] == key { return (i, id) }
                    }
                    i = (i + 1) & mask
                }
            }
        }
        if let id = found.id { return (id, false) }
        let id = UInt32(hashes.count)
        hashes.append(key)
        slots[found.slot] = tag | UInt64(id + 1)
        if hashes.count * 4 > slots.count * 3 { grow() }
        return (id, true)
    }

    private mutating func grow() {
        let keys = hashes
        slots = ProbedTable.make(
            size: slots.count * 2, empty: 0, isFree: { $0 == 0 },
            fill: { place in for (id, h) in keys.enumerated() { place(Int(truncatingIfNeeded: h.low), h.high << 32 | UInt64(id + 1)) } })
        mask = slots.count - 1
    }
}

/// The set of events already stored, keyed by (`ts`, hash of `id`)
/// (events.md "Duplicates"), partitioned by UTC day.
///
/// A day's keys from earlier runs are loaded the first time this run meets
/// an event of that day, so a nightly run over one new day of logs reads one
/// day of keys, not the whole history.
///
/// Memory is bounded: while the days held in memory have more than
/// ``residentKeys`` keys, the day met most recently (never the current one)
/// leaves memory (``evict()`` says why not the least recent). This run's new
/// keys of that day go to a spill file (a
/// temporary file beside the run file, removed at the end, or by the next
/// ingest after a crash); the day is loaded again, with its spilled keys, if
/// it is met again. Logs are mostly in time order, so a day is met in a few
/// stretches: 20M events over 90 days in 360 daily files held 560 MB of keys
/// in memory before, about 100 MB with the bound. Keys are written to the run
/// file day by day, the spilled ones first in the order spilled: the same
/// bytes for the same inputs and earlier runs, whatever the number of workers.
struct DedupeIndex {
    private static let dayMillis: Int64 = 86_400_000
    private static let empty: UInt32 = .max
    /// Marks keys added by this run (milliseconds in a day need 27 bits).
    private static let newFlag: UInt32 = 1 << 31
    /// Keys held in memory before days are spilled (16 bytes a slot, over a
    /// table between 3/8 and 3/4 full: 85 to 170 MB).
    static let residentKeys = 1 << 22

    private struct DayTable {
        /// One key: the slot's two halves sit together, so that an insert
        /// reads one cache line.
        struct Slot {
            var hash: UInt64 = 0
            /// Milliseconds in the day, with ``DedupeIndex/newFlag``; ``DedupeIndex/empty`` when free.
            var ms: UInt32 = DedupeIndex.empty
        }

        var slots: [Slot]
        var count = 0
        var newCount = 0
        var mask: Int

        /// A table that holds `keys` keys without growing.
        init(keys: Int = 0) {
            var size = 64
            while size * 3 < keys * 4 + 4 { size <<= 1 }
            slots = Array(repeating: Slot(), count: size)
            mask = size - 1
        }

        /// A key's home before masking: the hash mixed with the milliseconds.
        @inline(__always)
        static func home(_ m: UInt32, _ h: UInt64) -> Int { Int(truncatingIfNeeded: h ^ (UInt64(m) &* 0x9E37_79B9_7F4A_7C15)) }

        @inline(__always)
        static func start(_ m: UInt32, _ h: UInt64, _ mask: Int) -> Int { home(m, h) & mask }

        /// Where the slots are, for hints alone (``DedupeIndex/hint``).
        var slotsAddress: UnsafeRawPointer? { slots.withUnsafeBytes { $0.baseAddress } }

        enum Insertion { case duplicate, added, addedAndGrew }

        /// Inserts; says whether the key was already there, and whether the
        /// table grew (its slots moved).
        @discardableResult
        mutating func insert(ms m: UInt32, hash h: UInt64, isNew: Bool) -> Insertion {
            let found: Int? = slots.withUnsafeBufferPointer { table in
                var i = Self.start(m, h, mask)
                while true {
                    let s = table[i]
                    if s.ms == DedupeIndex.empty { return i }
                    if s.ms & ~DedupeIndex.newFlag == m && s.hash == h { return nil }
                    i = (i + 1) & mask
                }
            }
            guard let i = found else { return .duplicate }
            slots[i] = Slot(hash: h, ms: isNew ? (m | DedupeIndex.newFlag) : m)
            count += 1
            if isNew { newCount += 1 }
            guard count * 4 > slots.count * 3 else { return .added }
            grow()
            return .addedAndGrew
        }

        private mutating func grow() {
            let old = slots
            slots = ProbedTable.make(
                size: old.count * 2, empty: Slot(), isFree: { $0.ms == DedupeIndex.empty },
                fill: { place in
                    for s in old where s.ms != DedupeIndex.empty { place(Self.home(s.ms & ~DedupeIndex.newFlag, s.hash), s) }
                })
            mask = slots.count - 1
        }

        /// This run's keys held here, in table order: the same for the same
        /// inputs and the same earlier runs, whatever the number of workers.
        func newKeys() -> (milliseconds: [UInt32], hashes: [UInt64]) {
            var milliseconds: [UInt32] = []
            var hashes: [UInt64] = []
            milliseconds.reserveCapacity(newCount)
            hashes.reserveCapacity(newCount)
            for s in slots where s.ms != DedupeIndex.empty && s.ms & DedupeIndex.newFlag != 0 {
                milliseconds.append(s.ms & ~DedupeIndex.newFlag)
                hashes.append(s.hash)
            }
            return (milliseconds, hashes)
        }
    }

    /// This run's keys of one day written to the spill file: `count`
    /// milliseconds, then `count` hashes, from `offset`.
    private struct Segment {
        var offset: Int
        var count: Int
    }

    private struct Day {
        var day: Int32
        /// Held in memory, or nil when spilled (or not met yet).
        var table: DayTable?
        var spilled: [Segment] = []
        var lastUse = 0

        var spilledCount: Int { spilled.reduce(0) { $0 + $1.count } }
        var newCount: Int { spilledCount + (table?.newCount ?? 0) }
    }

    private var days: [Day] = []
    private var dayIndex: [Int32: Int] = [:]
    /// The last day met, and its index: a chunk's events are mostly of one day.
    private var lastDay = Int32.min
    private var last = 0
    /// Where the last day's slots are, and its mask, for
    /// ``prefetch(ts:idHash:)`` alone: reading them from the day's table
    /// in `days` retained and released its slots for every event (5 % of
    /// ingest's samples). Set again whenever the slots move; a hint never
    /// faults, so even a stale address would cost a useless fetch, never a
    /// wrong answer.
    private var hint: (slots: UnsafeRawPointer?, mask: Int) = (nil, 0)
    private var clock = 0
    /// Keys in the tables held in memory.
    private var resident = 0
    private let budget: Int
    private let spillPath: String
    private var spill: PosixFile?
    private var spillSize = 0
    /// Days spilled, and loaded again, so far (for the log and the tests).
    private(set) var spills = 0
    private(set) var reloads = 0
    /// The committed runs, kept alive: their keys are read in place from
    /// the mapped files, which live only as long as the `RunFile`s.
    private let runs: [RunFile]

    /// - Parameter runs: the committed runs, whose keys count as stored.
    /// - Parameter spillPath: the temporary file for spilled keys, made only
    ///   when needed.
    /// - Parameter residentKeys: keys held in memory before days are spilled.
    init(runs: [RunFile], spillPath: String, residentKeys: Int = DedupeIndex.residentKeys) {
        self.runs = runs
        self.spillPath = spillPath
        budget = max(1, residentKeys)
    }

    /// Hints that this event is inserted soon: when it falls on the day met
    /// last (nearly always, a few events ahead), its slot is asked for.
    /// Changes nothing.
    @inline(__always)
    func prefetch(ts: Int64, idHash: UInt64) {
        var day = ts / Self.dayMillis
        if ts < 0 && ts % Self.dayMillis != 0 { day -= 1 }
        guard day == Int64(lastDay), let slots = hint.slots else { return }
        let slot = DayTable.start(UInt32(truncatingIfNeeded: ts - day * Self.dayMillis), idHash, hint.mask)
        silta_prefetch(slots + slot * MemoryLayout<DayTable.Slot>.stride)
    }

    private mutating func setHint() {
        hint = (days[last].table?.slotsAddress, days[last].table?.mask ?? 0)
    }

    /// Records the event; returns false when it is a duplicate.
    /// - Throws: ``SystemError`` when the spill file cannot be written or read.
    mutating func insert(ts: Int64, idHash: UInt64) throws -> Bool {
        var day = ts / Self.dayMillis
        if ts < 0 && ts % Self.dayMillis != 0 { day -= 1 }
        let ms = UInt32(ts - day * Self.dayMillis)
        let d = Int32(day)
        if d != lastDay {
            if let k = dayIndex[d] {
                last = k
            } else {
                last = days.count
                dayIndex[d] = last
                days.append(Day(day: d))
            }
            if days[last].table == nil { try load(last) }
            setHint()
            lastDay = d
            clock += 1
            days[last].lastUse = clock
        }
        switch days[last].table!.insert(ms: ms, hash: idHash, isNew: true) {
        case .duplicate: return false
        case .added: break
        case .addedAndGrew: setHint()
        }
        resident += 1
        if resident > budget { try evict() }
        return true
    }

    /// Loads day `k`: the earlier runs' keys and the keys this run spilled.
    private mutating func load(_ k: Int) throws {
        let stored = runs.reduce(0) { $0 + ($1.dedupe?.keys(of: days[k].day)?.milliseconds.count ?? 0) }
        // Room for what is loaded and as much again, so that neither the
        // loading nor the next stretch of the day's events grows the table.
        var t = DayTable(keys: 2 * (stored + days[k].spilledCount))
        for run in runs {
            guard let keys = run.dedupe?.keys(of: days[k].day) else { continue }
            for i in keys.milliseconds.indices { t.insert(ms: keys.milliseconds[i], hash: keys.hashes[i], isNew: false) }
        }
        if !days[k].spilled.isEmpty {
            reloads += 1
            for segment in days[k].spilled {
                let (milliseconds, hashes) = try read(segment)
                // Not new to the table: they are in the spill file already.
                for i in milliseconds.indices { t.insert(ms: milliseconds[i], hash: hashes[i], isNew: false) }
            }
        }
        resident += t.count
        days[k].table = t
    }

    /// Spills the days met most recently, the current one excepted, until
    /// the resident keys are down to three quarters of the budget (or only
    /// the current day is left).
    ///
    /// Most recently, not least: logs come as several time-ordered series
    /// read one after the other (a folder per source, a file per day), so a
    /// run meets the days in cycles, and the day met least recently is the
    /// next one the cycle needs. Spilling it meant loading it again a few
    /// lines later: at 5M events in four series, 115 days spilled and 93
    /// loaded again. The days just behind the current one are the ones the
    /// cycle needs last.
    private mutating func evict() throws {
        while resident > budget / 4 * 3 {
            var victim: Int?
            for k in days.indices where k != last && days[k].table != nil {
                if victim == nil || days[k].lastUse > days[victim!].lastUse { victim = k }
            }
            guard let k = victim else { return }
            let t = days[k].table!
            if t.newCount > 0 {
                let keys = t.newKeys()
                days[k].spilled.append(try write(keys))
            }
            resident -= t.count
            days[k].table = nil
            spills += 1
        }
    }

    private mutating func spillFile() throws -> PosixFile {
        if let spill { return spill }
        try? FileSystem.remove(spillPath)
        let f = try PosixFile(path: spillPath, flags: O_RDWR | O_CREAT | O_EXCL | O_TRUNC, mode: 0o600, noFollow: true)
        spill = f
        return f
    }

    private mutating func write(_ keys: (milliseconds: [UInt32], hashes: [UInt64])) throws -> Segment {
        let f = try spillFile()
        let segment = Segment(offset: spillSize, count: keys.milliseconds.count)
        try keys.milliseconds.withUnsafeBytes { try f.write($0) }
        try keys.hashes.withUnsafeBytes { try f.write($0) }
        spillSize += keys.milliseconds.count * 12
        return segment
    }

    private func read(_ segment: Segment) throws -> (milliseconds: [UInt32], hashes: [UInt64]) {
        guard let f = spill else { throw SystemError("read", path: spillPath, code: 5) }  // EIO
        func fill<T>(_ count: Int, at offset: Int) throws -> [T] {
            try [T](unsafeUninitializedCapacity: count) { buffer, n in
                // `read(into:at:)` reads until full or the end: short is a cut file.
                let raw = UnsafeMutableRawBufferPointer(buffer)
                guard try f.read(into: raw, at: offset) == raw.count else { throw SystemError("read", path: spillPath, code: 5) }
                n = count
            }
        }
        let milliseconds: [UInt32] = try fill(segment.count, at: segment.offset)
        let hashes: [UInt64] = try fill(segment.count, at: segment.offset + segment.count * 4)
        return (milliseconds, hashes)
    }

    /// Writes this run's keys as the run file's de-duplication section:
    /// the days in ascending order and their key counts, then for each day its
    /// milliseconds and hashes (the spilled ones first). Each day's keys are
    /// gathered only when written.
    func write(to run: RunFileWriter) throws {
        let order = days.indices.filter { days[$0].newCount > 0 }.sorted { days[$0].day < days[$1].day }
        run.beginSection(.dedupe)
        try run.writeSection([UInt64(order.count)])
        try run.writeSection(order.map { days[$0].day })
        try run.writeSection(order.map { UInt32(days[$0].newCount) })
        for k in order {
            let held: (milliseconds: [UInt32], hashes: [UInt64]) = days[k].table?.newKeys() ?? ([], [])
            let spilled = try days[k].spilled.map { try read($0) }
            // One array per day: the pieces end to end, padded once.
            for s in spilled { try s.milliseconds.withUnsafeBytes { try run.writeSection($0) } }
            try held.milliseconds.withUnsafeBytes { try run.writeSection($0) }
            try run.padSection()
            for s in spilled { try s.hashes.withUnsafeBytes { try run.writeSection($0) } }
            try held.hashes.withUnsafeBytes { try run.writeSection($0) }
            try run.padSection()
        }
        try run.endSection()
    }

    /// Removes the spill file, if one was made.
    func discard() {
        guard spill != nil else { return }
        try? FileSystem.remove(spillPath)
    }
}
