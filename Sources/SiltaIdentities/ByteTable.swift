import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hash table from byte strings (ranges of one storage array) to an
/// `Int32`, open addressing with linear probing over a power-of-two array
/// of (hash, entry) slots, so that a probe costs one cache line; hand-written
/// because a `Dictionary<[UInt8], Int32>` of a million ids costs an array
/// per key and several times the time to load (docs/identities.md).
struct ByteTable: Sendable {
    private struct Slot {
        var hash: UInt64
        /// Index into ``ranges`` and ``values``; -1 when empty.
        var entry: Int32
    }

    private var slots: [Slot]
    private var ranges: [Range<Int>] = []
    private var values: [Int32] = []
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(hash: 0, entry: -1), count: size)
        mask = size - 1
        ranges.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    /// Adds `range` of `storage` with `value`; returns the value already
    /// there instead when the same bytes are in the table.
    mutating func insert(_ storage: [UInt8], _ range: Range<Int>, value: Int32) -> Int32? {
        if (ranges.count + 1) * 2 > slots.count { grow() }
        return storage.withUnsafeBytes { all in
            let key = UnsafeRawBufferPointer(rebasing: all[range])
            let h = fastHash64(key)
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s].entry >= 0 {
                let k = Int(slots[s].entry)
                if slots[s].hash == h && Self.equal(all, ranges[k], key) { return values[k] }
                s = (s + 1) & mask
            }
            slots[s] = Slot(hash: h, entry: Int32(ranges.count))
            ranges.append(range)
            values.append(value)
            return nil
        }
    }

    /// The value of `range` of `storage`'s bytes.
    func find(_ storage: [UInt8], _ range: Range<Int>) -> Int32? {
        storage.withUnsafeBytes { find(storage, UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The value of `bytes`, looked up among `storage`'s entries.
    func find(_ storage: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Int32? {
        let h = fastHash64(bytes)
        return storage.withUnsafeBytes { all in
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s].entry >= 0 {
                let k = Int(slots[s].entry)
                if slots[s].hash == h && Self.equal(all, ranges[k], bytes) { return values[k] }
                s = (s + 1) & mask
            }
            return nil
        }
    }

    @inline(__always)
    private static func equal(_ all: UnsafeRawBufferPointer, _ r: Range<Int>, _ key: UnsafeRawBufferPointer) -> Bool {
        guard r.count == key.count else { return false }
        guard r.count > 0, let a = all.baseAddress, let b = key.baseAddress else { return true }
        return memcmp(a + r.lowerBound, b, r.count) == 0
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = Array(repeating: Slot(hash: 0, entry: -1), count: size)
        mask = size - 1
        for slot in slots where slot.entry >= 0 {
            var s = Int(truncatingIfNeeded: slot.hash) & mask
            while fresh[s].entry >= 0 { s = (s + 1) & mask }
            fresh[s] = slot
        }
        slots = fresh
    }
}
