import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hash table from byte strings (ranges of one storage array) to an
/// `Int32`, open addressing with linear probing over a power-of-two array
/// of 8-byte slots (the hash's high half, which also picks the slot, and
/// the entry), so that a probe
/// costs one cache line and a miss rarely touches the keys; hand-written
/// because a `Dictionary<[UInt8], Int32>` of a million ids costs an array
/// per key and several times the time to load (docs/identities.md).
///
/// Callers hash once (``hash(_:)``) and may look the same bytes up in
/// several tables with that hash.
struct ByteTable: Sendable {
    /// `(hash >> 32) << 32 | (entry + 1)`; 0 when empty.
    private var slots: [UInt64]
    private var ranges: [Range<Int>] = []
    private var values: [Int32] = []
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        ranges.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 { fastHash64(bytes) }

    /// Adds `range` of `storage` with `value`; returns the value already
    /// there instead when the same bytes are in the table.
    mutating func insert(_ storage: [UInt8], _ range: Range<Int>, value: Int32) -> Int32? {
        if (ranges.count + 1) * 2 > slots.count { grow() }
        let (h, found) = storage.withUnsafeBytes { all in
            let key = UnsafeRawBufferPointer(rebasing: all[range])
            let h = Self.hash(key)
            return (h, find(all, key, hash: h))
        }
        if let found { return found }
        var s = Int(truncatingIfNeeded: h >> 32) & mask
        let tag = h & 0xFFFF_FFFF_0000_0000
        slots.withUnsafeMutableBufferPointer { slots in
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = tag | UInt64(ranges.count + 1)
        }
        ranges.append(range)
        values.append(value)
        return nil
    }

    /// The value of `bytes` (whose ``hash(_:)`` is `h`), looked up among
    /// `all`'s entries (`all` is the storage's bytes).
    @inline(__always)
    func find(_ all: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer, hash h: UInt64) -> Int32? {
        let tag = h & 0xFFFF_FFFF_0000_0000
        return slots.withUnsafeBufferPointer { slots in
            var s = Int(truncatingIfNeeded: h >> 32) & mask
            while true {
                let slot = slots[s]
                if slot == 0 { return nil }
                if slot & 0xFFFF_FFFF_0000_0000 == tag {
                    let k = Int(slot & 0xFFFF_FFFF) - 1
                    if Self.equal(all, ranges[k], bytes) { return values[k] }
                }
                s = (s + 1) & mask
            }
        }
    }

    /// The value of `range` of `storage`'s bytes.
    func find(_ storage: [UInt8], _ range: Range<Int>) -> Int32? {
        storage.withUnsafeBytes { all in
            let key = UnsafeRawBufferPointer(rebasing: all[range])
            return find(all, key, hash: Self.hash(key))
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
        var fresh = [UInt64](repeating: 0, count: size)
        mask = size - 1
        for slot in slots where slot != 0 {
            var s = Int(truncatingIfNeeded: slot >> 32) & mask
            while fresh[s] != 0 { s = (s + 1) & mask }
            fresh[s] = slot
        }
        slots = fresh
    }
}
