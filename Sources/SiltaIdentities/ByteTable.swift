import SiltaSupport

/// A hash table from byte strings (ranges of one storage array) to an
/// `Int32`, open addressing with linear probing over a power-of-two array;
/// hand-written because a `Dictionary<[UInt8], Int32>` of a million ids
/// costs an array per key and several times the time to load (docs/identities.md).
struct ByteTable: Sendable {
    private var slots: [Int32]  // index into `ranges`, or -1
    private var ranges: [Range<Int>] = []
    private var values: [Int32] = []
    private var hashes: [UInt64] = []
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        ranges.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
    }

    /// Adds `range` of `storage` with `value`; returns the value already
    /// there instead when the same bytes are in the table.
    mutating func insert(_ storage: [UInt8], _ range: Range<Int>, value: Int32) -> Int32? {
        if (ranges.count + 1) * 2 > slots.count { grow() }
        let h = storage.withUnsafeBytes { fastHash64(UnsafeRawBufferPointer(rebasing: $0[range])) }
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] >= 0 {
            let k = Int(slots[s])
            if hashes[k] == h && storage[ranges[k]].elementsEqual(storage[range]) { return values[k] }
            s = (s + 1) & mask
        }
        slots[s] = Int32(ranges.count)
        ranges.append(range)
        values.append(value)
        hashes.append(h)
        return nil
    }

    /// The value of `range` of `storage`'s bytes, looked up among `storage`'s entries.
    func find(_ storage: [UInt8], _ range: Range<Int>) -> Int32? {
        storage.withUnsafeBytes { find(storage, UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The value of `bytes`.
    func find(_ storage: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Int32? {
        let h = fastHash64(bytes)
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] >= 0 {
            let k = Int(slots[s])
            if hashes[k] == h && storage[ranges[k]].elementsEqual(bytes) { return values[k] }
            s = (s + 1) & mask
        }
        return nil
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        for k in ranges.indices {
            var s = Int(truncatingIfNeeded: hashes[k]) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(k)
        }
    }
}
