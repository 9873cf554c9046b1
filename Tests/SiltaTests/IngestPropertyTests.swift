import Foundation
import PropertyBased
import SiltaIngestCheck
import SiltaLogReader
import Testing

/// The whole-ingest invariant (IngestCheck, also the oracle of the
/// `fuzz-ingest` target) over random logs: valid events, every kind of bad
/// line, blank and CRLF lines, lines across the length limits, in plain files
/// and gzip files of several members, whole or cut short, with random chunk
/// and block sizes and 1 or 2 workers.
@Suite struct IngestPropertyTests {
    /// One line of a random log, chosen by `kind`, varied by `seed`.
    static func line(kind: Int, seed: Int, limits: ReadLimits) -> [UInt8] {
        let n = seed % 1000
        let valid =
            "{\"id\":\"e\(n)\",\"ts\":\"2026-11-\(10 + n % 18)T0\(n % 10):00:00Z\",\"community\":\"c\(n % 7)\","
            + "\"kind\":\"\(n % 2 == 0 ? "internal" : "external")\",\"actor\":\"p\(n % 13)\",\"type\":\"post\",\"content\":\"k\(n)\"}"
        switch kind {
        case 0, 1: return Array(valid.utf8)
        case 2: return Array("{\"id\":\"e\(n)\",\"ts\":\"2026-13-01T00:00:00Z\"}".utf8)
        case 3: return Array("not json \(n)".utf8)
        case 4: return [UInt8](repeating: UInt8(0x20 + n % 3 * 0x09 % 0x20), count: n % 5)  // blank-ish
        case 5: return Array(valid.utf8) + [0x0D]  // CRLF when joined
        case 6:
            // Around the line limit: one byte under, at, over.
            let length = limits.maxLineBytes - 1 + n % 3
            return Array("{\"x\":\"".utf8) + [UInt8](repeating: 0x61, count: max(0, length - 8)) + Array("\"}".utf8)
        case 7: return [0xC3, 0x28] + Array("{\"bad utf8\":1}".utf8)
        case 8: return (0..<(n % 40)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ n) }  // arbitrary bytes, \n included
        default: return Array("[1,2,\(n)]".utf8)
        }
    }

    static func log(pieces: [Int], limits: ReadLimits) -> [UInt8] {
        var out: [UInt8] = pieces.first.map { $0 % 17 == 0 } == true ? [0xEF, 0xBB, 0xBF] : []
        for (k, p) in pieces.enumerated() {
            out += line(kind: p % 10, seed: p / 10 &+ k * 7919, limits: limits)
            if k < pieces.count - 1 || p % 3 != 0 { out.append(0x0A) }
        }
        return out
    }

    @Test func everyLineIsAcceptedOrRejectedWithItsOwnBytes() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("silta-prop-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        await propertyCheck(
            count: 150, input: Gen.int(in: 0...255).array(of: 4), Gen.int(in: 0...99_999).array(of: 0...60)
        ) { settings, pieces in
            var limits = ReadLimits()
            limits.maxLineBytes = 40 + settings[1] % 40
            limits.oversizedPrefixBytes = 8 + settings[2] % 24
            limits.chunkBytes = 1 + settings[1] % 120
            limits.blockBytes = 1 + settings[2] % 50
            var c = IngestCase(log: Self.log(pieces: pieces, limits: limits))
            c.limits = limits
            c.gzip = settings[0] & 1 != 0
            c.members = 1 + (settings[0] >> 1) % 3
            if c.gzip && settings[0] & 8 != 0 { c.cutAt = Double(settings[3]) / 256 }
            c.workers = settings[0] & 16 != 0 ? 2 : 1
            #expect(throws: Never.self) { try IngestCheck.run(c, scratch: scratch) }
        }
    }
}
