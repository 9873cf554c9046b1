/// A 128-bit hash that is the same in every process, on every run and every
/// machine: MurmurHash3 x64-128 (Austin Appleby, public domain), seed 0.
///
/// Swift's `Hasher` is seeded per process, so it must never decide anything
/// that is stored or that orders output. Silta uses this hash where a stable
/// one is needed: content ids and event ids are identified by it in the
/// warehouse, and a log file's content hash in the manifest is made with it.
/// Two different inputs share a 128-bit hash with probability about 2^-128;
/// among a billion distinct ids the chance of any collision is below 10^-20.
public struct StableHash128: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var low: UInt64
    public var high: UInt64

    @inlinable
    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The hash of `bytes`.
    /// - Complexity: O(n).
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        // One pass without the streaming form's bookkeeping: most ids are short.
        typealias H = StableHasher
        var state = StableHasher()
        let n = bytes.count
        var i = 0
        while i + 16 <= n {
            state.block(
                UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)),
                UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
            i += 16
        }
        let tail = n - i
        var k1: UInt64 = 0
        var k2: UInt64 = 0
        if n >= 8 {
            // The tail as words: the last 8 bytes, read in one load that may
            // overlap bytes already hashed, shifted down to the tail's (the
            // loop below was 1.7 % of ingest's samples, for ids of 8 to 20 bytes).
            let last = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
            if tail > 8 {
                k1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                k2 = last >> (UInt64(16 - tail) * 8)
            } else if tail > 0 {
                k1 = last >> (UInt64(8 - tail) * 8)
            }
        } else {
            var j = tail
            while j > 0 {
                j -= 1
                k1 = k1 << 8 | UInt64(bytes[i + j])
            }
        }
        state.pending = (k1, k2)
        state.pendingCount = tail
        state.length = UInt64(n)
        self = state.finalize()
    }

    /// The hash of `bytes`.
    @inlinable
    public init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { StableHash128($0) }
    }

    public static func < (a: StableHash128, b: StableHash128) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }

    public var description: String {
        let h = String(high, radix: 16)
        let l = String(low, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }
}

/// The streaming form of ``StableHash128``: feed bytes in any slicing, get the
/// same hash as one call over the concatenation.
public struct StableHasher: Sendable {
    @usableFromInline static let c1: UInt64 = 0x87c3_7b91_1142_53d5
    @usableFromInline static let c2: UInt64 = 0x4cf5_ad43_2745_937f

    @usableFromInline var h1: UInt64 = 0
    @usableFromInline var h2: UInt64 = 0
    @usableFromInline var length: UInt64 = 0
    /// Bytes waiting for a full 16-byte block (at most 15 are pending).
    @usableFromInline var pending: (UInt64, UInt64) = (0, 0)
    @usableFromInline var pendingCount: Int = 0

    @inlinable
    public init() {}

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inlinable @inline(__always)
    static func fmix(_ k: UInt64) -> UInt64 {
        var k = k
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    @inlinable @inline(__always)
    mutating func block(_ k1: UInt64, _ k2: UInt64) {
        var k1 = k1
        var k2 = k2
        k1 = k1 &* Self.c1
        k1 = Self.rotl(k1, 31)
        k1 = k1 &* Self.c2
        h1 ^= k1
        h1 = Self.rotl(h1, 27)
        h1 = h1 &+ h2
        h1 = h1 &* 5 &+ 0x52dc_e729
        k2 = k2 &* Self.c2
        k2 = Self.rotl(k2, 33)
        k2 = k2 &* Self.c1
        h2 ^= k2
        h2 = Self.rotl(h2, 31)
        h2 = h2 &+ h1
        h2 = h2 &* 5 &+ 0x3849_5ab5
    }

    @inlinable @inline(__always)
    mutating func pushPending(_ byte: UInt8) {
        let shift = UInt64(pendingCount & 7) * 8
        if pendingCount < 8 {
            pending.0 |= UInt64(byte) << shift
        } else {
            pending.1 |= UInt64(byte) << shift
        }
        pendingCount += 1
        if pendingCount == 16 {
            block(pending.0, pending.1)
            pending = (0, 0)
            pendingCount = 0
        }
    }

    /// Adds `bytes` to the hash.
    /// - Complexity: O(n).
    @inlinable
    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while pendingCount != 0 && i < n {
            pushPending(bytes[i])
            i += 1
        }
        while i + 16 <= n {
            let k1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let k2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            block(k1, k2)
            i += 16
        }
        while i < n {
            pushPending(bytes[i])
            i += 1
        }
    }

    /// Adds the 8 little-endian bytes of `value`.
    @inlinable
    public mutating func combine(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { combine($0) }
    }

    /// The hash of everything combined so far.
    @inlinable
    public func finalize() -> StableHash128 {
        var s = self
        if s.pendingCount > 8 {
            var k2 = s.pending.1
            k2 = k2 &* Self.c2
            k2 = Self.rotl(k2, 33)
            k2 = k2 &* Self.c1
            s.h2 ^= k2
        }
        if s.pendingCount > 0 {
            var k1 = s.pending.0
            k1 = k1 &* Self.c1
            k1 = Self.rotl(k1, 31)
            k1 = k1 &* Self.c2
            s.h1 ^= k1
        }
        s.h1 ^= s.length
        s.h2 ^= s.length
        s.h1 = s.h1 &+ s.h2
        s.h2 = s.h2 &+ s.h1
        s.h1 = Self.fmix(s.h1)
        s.h2 = Self.fmix(s.h2)
        s.h1 = s.h1 &+ s.h2
        s.h2 = s.h2 &+ s.h1
        return StableHash128(low: s.h1, high: s.h2)
    }
}

/// A fast 64-bit hash for in-memory hash tables of short byte strings
/// (persons, communities): 64x64-to-128-bit multiply-and-fold mixing in the
/// manner of wyhash. Stable across runs, but never stored: stored ids use
/// ``StableHash128``.
@inlinable
public func fastHash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    @inline(__always) func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }
    let n = bytes.count
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
    var i = 0
    while i + 8 <= n {
        h = mum(h ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)), 0xA076_1D64_78BD_642F)
        i += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while i < n {
        tail |= UInt64(bytes[i]) << shift
        shift += 8
        i += 1
    }
    h = mum(h ^ tail ^ 0xE703_7ED1_A0B4_28DB, 0x8EBC_6AF0_9C88_C6E3)
    return mum(h, 0x5899_65CC_7537_4CC3)
}
