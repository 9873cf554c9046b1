import Foundation
import SiltaLogReader
import SiltaSupport
import Testing

/// Everything a reader handed on, as lines.
struct ReadBack {
    var lines: [String] = []
    var oversized: [OversizedLine] = []
    var summary = ReadSummary()
}

func readBack(_ path: String, _ compression: LogCompression, limits: ReadLimits = ReadLimits()) throws -> ReadBack {
    var out = ReadBack()
    let pool = BufferPool(bufferCapacity: limits.bufferCapacity, keep: 4)
    let collected = Collected()
    let reader = LogFileReader(path: Array(path.utf8), compression: compression, limits: limits)
    out.summary = try reader.read(pool: pool) { item in
        switch item {
        case .lines(let b):
            // Split the way the parser does: on \n; the last line may lack one.
            var bytes = Array(b.bytes)
            if bytes.last == 0x0A { bytes.removeLast() }
            collected.lines += bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            pool.give(b)
        case .oversized(let o):
            collected.lines.append("<oversized \(o.length)>")
            collected.oversized.append(o)
        }
    }
    out.lines = collected.lines
    out.oversized = collected.oversized
    return out
}

final class Collected: @unchecked Sendable {
    var lines: [String] = []
    var oversized: [OversizedLine] = []
}

@Suite struct LogReaderTests {
    let lines = (1...2000).map { "{\"n\":\($0),\"text\":\"line number \($0) of the test log\"}" }
    var text: String { lines.joined(separator: "\n") + "\n" }

    @Test func roundTrip() throws {
        let s = Scratch()
        s.write("a.ndjson.gz", gzip(text))
        let r = try readBack(s.sub("a.ndjson.gz"), .gzip)
        #expect(r.lines == lines)
        #expect(r.summary.damage == nil)
        #expect(r.summary.uncompressedBytes == text.utf8.count)
        #expect(r.summary.contentHash == StableHash128(gzip(text)))
    }

    @Test func plainFilesAndSmallChunks() throws {
        let s = Scratch()
        s.write("a.ndjson", text)
        var limits = ReadLimits()
        limits.chunkBytes = 100
        limits.blockBytes = 37
        limits.maxLineBytes = 1000
        let r = try readBack(s.sub("a.ndjson"), .plain, limits: limits)
        #expect(r.lines == lines)
        #expect(r.summary.compressedBytes == text.utf8.count)
    }

    @Test func multiMemberFilesAreOneLog() throws {
        let s = Scratch()
        let half = lines.count / 2
        let a = lines[..<half].joined(separator: "\n") + "\n"
        let b = lines[half...].joined(separator: "\n")  // no final newline
        s.write("m.ndjson.gz", gzip(a) + gzip(b) + [0, 0, 0, 0])  // zero padding at the end is fine
        let r = try readBack(s.sub("m.ndjson.gz"), .gzip)
        #expect(r.lines == lines)
        #expect(r.summary.damage == nil)
    }

    @Test func emptyFileIsAnEmptyLog() throws {
        let s = Scratch()
        s.write("e.ndjson.gz", [])
        let r = try readBack(s.sub("e.ndjson.gz"), .gzip)
        #expect(r.lines.isEmpty)
        #expect(r.summary.damage == nil)
        s.write("e2.ndjson.gz", gzip(""))
        #expect(try readBack(s.sub("e2.ndjson.gz"), .gzip).lines.isEmpty)
    }

    @Test func truncationKeepsEveryCompleteLine() throws {
        let s = Scratch()
        let full = gzip(text)
        for cut in [10, 100, full.count / 3, full.count / 2, full.count - 9, full.count - 1] {
            s.write("t.ndjson.gz", Array(full[..<cut]))
            let r = try readBack(s.sub("t.ndjson.gz"), .gzip)
            #expect(r.summary.damage != nil, "cut at \(cut)")
            // What was kept is a prefix of the real lines, each complete.
            #expect(Array(lines.prefix(r.lines.count)) == r.lines, "cut at \(cut)")
            if cut == full.count - 1 || cut == full.count - 9 {
                // Only the trailer is missing: every line was inflated.
                #expect(r.lines.count == lines.count)
                #expect(r.summary.damage?.reason == "unexpected end of file")
            }
        }
    }

    @Test func badChecksumKeepsTheMembersLines() throws {
        let s = Scratch()
        var bytes = gzip(text)
        bytes[bytes.count - 6] ^= 0xFF  // inside the CRC-32 of the trailer
        s.write("c.ndjson.gz", bytes)
        let r = try readBack(s.sub("c.ndjson.gz"), .gzip)
        #expect(r.lines == lines)
        #expect(r.summary.damage?.reason == "incorrect data check")
    }

    @Test func flippedByteInTheMiddle() throws {
        let s = Scratch()
        var bytes = gzip(text)
        bytes[bytes.count / 2] ^= 0x55
        s.write("f.ndjson.gz", bytes)
        let r = try readBack(s.sub("f.ndjson.gz"), .gzip)
        #expect(r.summary.damage != nil)
        // Lines before the damage come out intact (a flipped literal may alter
        // one line's content, which the parser then judges as usual).
        #expect(r.lines.count <= lines.count)
    }

    @Test func notGzipAtAll() throws {
        let s = Scratch()
        s.write("n.ndjson.gz", text)
        let r = try readBack(s.sub("n.ndjson.gz"), .gzip)
        #expect(r.lines.isEmpty)
        #expect(r.summary.damage == LogDamage(offset: 0, reason: "incorrect header check"))
        s.write("z.ndjson.gz", [0, 0, 0, 0])
        #expect(try readBack(s.sub("z.ndjson.gz"), .gzip).summary.damage != nil)
    }

    @Test func bytesAfterAMemberAreDamage() throws {
        let s = Scratch()
        let member = gzip(text)
        s.write("g.ndjson.gz", member + Array("garbage".utf8))
        let g = try readBack(s.sub("g.ndjson.gz"), .gzip)
        #expect(g.lines == lines)
        #expect(g.summary.damage?.offset == member.count)
        s.write("z.ndjson.gz", member + [0, 0] + gzip("{\"late\":1}\n"))
        let z = try readBack(s.sub("z.ndjson.gz"), .gzip)
        #expect(z.lines == lines)
        #expect(z.summary.damage == LogDamage(offset: member.count, reason: "zero bytes between gzip members"))
    }

    @Test func byteOrderMarkAndLineEnds() throws {
        let s = Scratch()
        s.write("b.ndjson", [0xEF, 0xBB, 0xBF] + Array("a\r\nb\n\r\nc\r".utf8))
        let r = try readBack(s.sub("b.ndjson"), .plain)
        // The framer keeps \r; the parser strips one before the line end.
        #expect(r.lines == ["a\r", "b", "\r", "c\r"])
        s.write("m.ndjson", [0xEF, 0xBB, 0xBF])
        #expect(try readBack(s.sub("m.ndjson"), .plain).lines.isEmpty)
    }

    @Test func longLinesAreNotHeldWhole() throws {
        let s = Scratch()
        var limits = ReadLimits()
        limits.maxLineBytes = 1000
        limits.chunkBytes = 512
        limits.blockBytes = 64
        limits.oversizedPrefixBytes = 100
        let long = String(repeating: "x", count: 5000)
        let exact = String(repeating: "y", count: 1000)
        let blank = String(repeating: " ", count: 3000)
        s.write("l.ndjson", "a\n\(long)\r\n\(exact)\r\nb\n\(blank)\n\(long)")
        let r = try readBack(s.sub("l.ndjson"), .plain, limits: limits)
        #expect(r.lines == ["a", "<oversized 5000>", exact + "\r", "b", "<oversized 3000>", "<oversized 5000>"])
        #expect(r.oversized[0].prefix == Array(long.utf8.prefix(100)))
        #expect(!r.oversized[0].isBlank)
        #expect(r.oversized[1].isBlank)
    }

    @Test func decompressionBombStopsAtTheByteLimit() throws {
        let s = Scratch()
        // 50 MiB of line ends in about 50 KB: a ratio of 1,000, read in full by default.
        s.write("bomb.ndjson.gz", gzip([UInt8](repeating: 0x0A, count: 50 << 20), level: 9))
        #expect(try readBack(s.sub("bomb.ndjson.gz"), .gzip).summary.damage == nil)
        var limits = ReadLimits()
        limits.maxFileBytes = 8 << 20
        let r = try readBack(s.sub("bomb.ndjson.gz"), .gzip, limits: limits)
        #expect(r.summary.damage?.reason.contains("decompression bomb") == true)
        #expect(r.summary.damage?.limitReached == true)
        // Stopped soon after the first 8 MiB (one 256 KiB block later at most).
        #expect(r.summary.uncompressedBytes < 9 << 20)
        // The whole file is still hashed: the manifest keys it by its content.
        #expect(r.summary.compressedBytes == FileSystem.size(ofBytes: Array(s.sub("bomb.ndjson.gz").utf8)))
        // A few very repetitive lines are not a bomb.
        let lines = (0..<3).map { _ in String(repeating: "b", count: 1_000_000) } + (0..<100).map { "{\"n\":\($0)}" }
        s.write("repetitive.ndjson.gz", gzip(lines.joined(separator: "\n") + "\n"))
        let ok = try readBack(s.sub("repetitive.ndjson.gz"), .gzip)
        #expect(ok.summary.damage == nil)
        #expect(ok.lines.count == 103)
        // Plain files have the same bound; broken bytes are not a limit.
        s.write("plain.ndjson", [UInt8](repeating: 0x0A, count: 3 << 20))
        limits.maxFileBytes = 1 << 20
        let plain = try readBack(s.sub("plain.ndjson"), .plain, limits: limits)
        #expect(plain.summary.damage?.limitReached == true)
        #expect(plain.summary.compressedBytes == 3 << 20)
        s.write("broken.ndjson.gz", Array(gzip("{}\n").dropLast(4)))
        #expect(try readBack(s.sub("broken.ndjson.gz"), .gzip).summary.damage?.limitReached == false)
    }

    @Test func aFileStillBeingReadAfterTheTimeLimitIsCut() throws {
        let s = Scratch()
        s.write("slow.ndjson", [UInt8](repeating: 0x0A, count: 4 << 20))
        var limits = ReadLimits()
        limits.maxFileSeconds = 0
        limits.blockBytes = 4096
        let r = try readBack(s.sub("slow.ndjson"), .plain, limits: limits)
        #expect(r.summary.damage?.limitReached == true)
        #expect(r.summary.damage?.reason.contains("MAX_FILE_SECONDS") == true)
    }

    @Test func ordinaryLogsAreNotBombs() throws {
        let s = Scratch()
        var c = GeneratorConfigForTests.small
        c.compressionLevel = 9
        c.days = 1
        c.events = 30_000
        _ = try generateLogs(c, out: s.sub("logs"))
        for file in try FileManager.default.subpathsOfDirectory(atPath: s.sub("logs")) where file.hasSuffix(".gz") {
            let r = try readBack(s.sub("logs/" + file), .gzip)
            #expect(r.summary.damage == nil, "\(file): \(r.summary.damage!)")
            #expect(r.summary.uncompressedBytes > 100_000)
        }
    }
}
