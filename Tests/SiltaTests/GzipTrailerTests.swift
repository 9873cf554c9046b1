import CSiltaZlib
import SiltaLogReader
import SiltaSupport
import Testing

/// The gzip reader checks ordinary members' trailers itself (zlib's check
/// turned off, the CRC-32 computed by carry-less multiplication): these tests
/// hold it to zlib's own answers, value for value and damage for damage.
@Suite struct GzipTrailerTests {
    /// CRC-32 one bit at a time, straight from the polynomial: no table, no zlib.
    static func bitwiseCRC(_ bytes: ArraySlice<UInt8>, from start: UInt32 = 0) -> UInt32 {
        var c = ~start
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }

    static func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var x = seed | 1
        return (0..<n).map { _ in
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            return UInt8(truncatingIfNeeded: x >> 24)
        }
    }

    @Test func theCRCIsTheBitwiseOneForEveryLengthAndAlignment() {
        let data = Self.randomBytes(2_100, seed: 7)
        for length in 0...2_048 {
            for offset in [0, 1, 3] where offset + length <= data.count {
                let slice = data[offset..<(offset + length)]
                let seed = UInt32(truncatingIfNeeded: length &* 2_654_435_761)
                let fast = slice.withUnsafeBytes { silta_crc32(seed, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), length) }
                #expect(fast == Self.bitwiseCRC(slice, from: seed), "length \(length), offset \(offset)")
            }
        }
    }

    @Test func chainedUpdatesEqualOneUpdate() {
        let data = Self.randomBytes(300_000, seed: 11)
        let whole = data.withUnsafeBytes {
            UInt32(truncatingIfNeeded: crc32_z(0, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count))
        }
        var crc = CRC32()
        var at = 0
        var step = 1
        data.withUnsafeBytes { all in
            while at < all.count {
                let n = min(step, all.count - at)
                crc.update(UnsafeRawBufferPointer(rebasing: all[at..<(at + n)]))
                at += n
                step = step * 7 % 70_001 + 1
            }
        }
        #expect(crc.value == whole)
        #expect(CRC32.of(data) == whole)
    }

    /// zlib's own verdict on one member: its message and the input offset it
    /// had reached, with its check on (what the reader did before).
    static func zlibVerdict(_ member: [UInt8]) -> (reason: String?, offset: Int) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            inflateEnd(stream)
            stream.deallocate()
        }
        _ = silta_inflateInit2(stream, 15 + 16)
        var out = [UInt8](repeating: 0, count: 1 << 16)
        return member.withUnsafeBufferPointer { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            while true {
                let rc = out.withUnsafeMutableBufferPointer { o -> Int32 in
                    stream.pointee.next_out = o.baseAddress
                    stream.pointee.avail_out = UInt32(o.count)
                    return inflate(stream, Z_NO_FLUSH)
                }
                let offset = input.count - Int(stream.pointee.avail_in)
                if rc == Z_STREAM_END { return (nil, offset) }
                if rc != Z_OK { return (stream.pointee.msg.map { String(cString: $0) } ?? "code \(rc)", offset) }
            }
        }
    }

    static func read(_ bytes: [UInt8], blockBytes: Int) throws -> ReadBack {
        let s = Scratch()
        s.write("t.ndjson.gz", bytes)
        var limits = ReadLimits()
        limits.blockBytes = blockBytes
        return try readBack(s.sub("t.ndjson.gz"), .gzip, limits: limits)
    }

    @Test func aDamagedTrailerIsReportedAsZlibReportsIt() throws {
        let first = gzip((1...300).map { "{\"n\":\($0)}" }.joined(separator: "\n") + "\n")
        let text = (1...500).map { "{\"m\":\($0),\"pad\":\"\(String(repeating: "x", count: $0 % 40))\"}" }.joined(separator: "\n") + "\n"
        let second = gzip(text)
        for position in (second.count - 8)..<second.count {
            for flip: UInt8 in [0x01, 0x80] {
                var damaged = second
                damaged[position] ^= flip
                let verdict = Self.zlibVerdict(damaged)
                #expect(verdict.reason != nil)
                for blockBytes in [1, 3, 7, 8, 9, 37, 256 << 10] {
                    let r = try Self.read(first + damaged, blockBytes: blockBytes)
                    #expect(r.summary.damage?.reason == verdict.reason, "byte \(position), block \(blockBytes)")
                    #expect(r.summary.damage?.offset == first.count + verdict.offset, "byte \(position), block \(blockBytes)")
                    #expect(r.lines.count == 300 + 500, "every line was inflated before the trailer")
                }
            }
        }
        // An empty member with a bad CRC is reported where it starts, as before.
        var empty = gzip("")
        empty[empty.count - 8] ^= 1
        let r = try Self.read(first + empty, blockBytes: 5)
        #expect(r.summary.damage == LogDamage(offset: first.count, reason: "incorrect data check"))
    }

    /// A member with a header CRC (`FHCRC`) keeps zlib's check, which covers
    /// the header CRC too.
    @Test func aHeaderCRCIsStillChecked() throws {
        let plain = gzip("{\"a\":1}\n{\"b\":2}\n")
        #expect(plain[3] == 0, "the helper writes no optional header fields")
        var header = Array(plain[0..<10])
        header[3] |= 0x02
        let crc16 = Self.bitwiseCRC(header[...]) & 0xFFFF
        let good = header + [UInt8(crc16 & 0xFF), UInt8(crc16 >> 8)] + plain[10...]
        for blockBytes in [1, 11, 256 << 10] {
            let ok = try Self.read(good, blockBytes: blockBytes)
            #expect(ok.summary.damage == nil)
            #expect(ok.lines == ["{\"a\":1}", "{\"b\":2}"])
        }
        var bad = good
        bad[10] ^= 0xFF
        let r = try Self.read(bad, blockBytes: 4)
        #expect(r.summary.damage?.reason == Self.zlibVerdict(bad).reason)
        #expect(r.summary.damage?.reason == "header crc mismatch")
        // And a bad data CRC in such a member is zlib's finding, at zlib's offset.
        var badData = good
        badData[badData.count - 7] ^= 0x10
        let verdict = Self.zlibVerdict(badData)
        let d = try Self.read(badData, blockBytes: 3)
        #expect(d.summary.damage == LogDamage(offset: verdict.offset, reason: "incorrect data check"))
    }
}
