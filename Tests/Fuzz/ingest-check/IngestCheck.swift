// The invariant of a whole ingest, checked without trusting ingest's own
// framing: what the libFuzzer target `fuzz-ingest` and the property test in
// `IngestPropertyTests` both assert (docs/reliability.md).
//
// One log's bytes are written to a scratch folder (plain, or gzip in one or
// more members, optionally cut short), ingested with the limits given, and
// then compared with an independent reading of the same bytes: no trap, lines
// read = accepted + rejected, every reject names a real line of the input and
// keeps that line's bytes (or their first kept bytes), and each line gets the
// verdict the line parser gives it on its own.
import CSiltaZlib
import Foundation
import SiltaEvents
import SiltaIngest
import SiltaLogReader
import SiltaSupport

/// One log to ingest and how.
package struct IngestCase: Sendable {
    /// The log's bytes, uncompressed.
    package var log: [UInt8]
    package var gzip = false
    /// gzip members the log is cut into (1 or more).
    package var members = 1
    /// When set (gzip only), the compressed file keeps only this share of its bytes, in 0..<1.
    package var cutAt: Double?
    package var limits = ReadLimits()
    package var workers = 1

    package init(log: [UInt8]) { self.log = log }
}

/// A failed invariant: what was expected and what ingest did.
package struct IngestCheckFailure: Error, CustomStringConvertible {
    package let description: String
    init(_ d: String) { description = d }
}

package enum IngestCheck {
    /// The lines of a log as events.md frames them: a byte-order mark at the
    /// start skipped, `\n` ends a line, a `\r` before it (or at the very end)
    /// belongs to the line end, the last line needs no `\n`. Blank lines included.
    package static func lines(of log: [UInt8]) -> [ArraySlice<UInt8>] {
        var body = log[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var out: [ArraySlice<UInt8>] = []
        var start = body.startIndex
        func add(_ end: Int) {
            var e = end
            if e > start && body[e - 1] == 0x0D { e -= 1 }
            out.append(body[start..<e])
        }
        var i = start
        while i < body.endIndex {
            if body[i] == 0x0A {
                add(i)
                start = i + 1
            }
            i += 1
        }
        if start < body.endIndex { add(body.endIndex) }
        return out
    }

    /// Blank: nothing but spaces and tabs.
    package static func isBlank(_ line: ArraySlice<UInt8>) -> Bool { line.allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    /// gzip-compresses `bytes` with the system zlib as `members` members (cut at even offsets).
    package static func gzip(_ bytes: [UInt8], members: Int = 1, level: Int32 = 6) -> [UInt8] {
        let parts = max(1, members)
        var out: [UInt8] = []
        for k in 0..<parts {
            let lo = bytes.count * k / parts
            let hi = bytes.count * (k + 1) / parts
            out += Gzip.compress(Array(bytes[lo..<hi]), level: level)
        }
        return out
    }

    /// Ingests `c` in a fresh folder under `scratch` and checks the invariant.
    /// - Returns: the ingest report.
    /// - Throws: ``IngestCheckFailure`` when the invariant fails, or what ingest throws.
    @discardableResult
    package static func run(_ c: IngestCase, scratch: String) throws -> IngestReport {
        try? FileManager.default.removeItem(atPath: scratch)
        let logs = scratch + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        var file = c.log
        // What a reader can get from the file: the whole log, or, for a cut
        // file, what zlib inflates before the cut (a cut at a member
        // boundary is a clean, shorter log; any other cut is damage, and the
        // line it splits is dropped).
        var readable = c.log
        var damaged = false
        if c.gzip {
            file = gzip(c.log, members: c.members)
            if let cut = c.cutAt {
                let keep = Int(Double(file.count) * min(max(cut, 0), 0.999))
                file = Array(file[..<keep])
                let inflated = inflateMembers(file)
                damaged = !inflated.clean
                readable = inflated.bytes
                if damaged, let nl = readable.lastIndex(of: 0x0A) {
                    readable = Array(readable[...nl])
                } else if damaged {
                    readable = []
                }
            }
        }
        let name = logs + (c.gzip ? "/log.ndjson.gz" : "/log.ndjson")
        try Data(file).write(to: URL(fileURLWithPath: name))
        var options = IngestOptions(logs: logs, warehouse: scratch + "/wh", reports: nil, workers: c.workers)
        options.limits = c.limits
        options.blockRows = 64
        let report = try IngestRunner.run(options)
        try check(report, c, readable: readable, damaged: damaged)
        return report
    }

    /// Inflates gzip members one after the other with the system zlib until
    /// the input ends or zlib reports an error; `clean` when every member
    /// ended and nothing but the end of the input followed.
    package static func inflateMembers(_ bytes: [UInt8]) -> (bytes: [UInt8], clean: Bool) {
        var out: [UInt8] = []
        var at = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while at < bytes.count {
            var stream = z_stream()
            guard silta_inflateInit2(&stream, 15 + 16) == Z_OK else { return (out, false) }
            defer { inflateEnd(&stream) }
            var ended = false
            var input = Array(bytes[at...])
            let consumed: Int = input.withUnsafeMutableBufferPointer { inp in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                while true {
                    let (rc, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { o in
                        stream.next_out = o.baseAddress
                        stream.avail_out = UInt32(o.count)
                        let rc = inflate(&stream, Z_NO_FLUSH)
                        return (rc, o.count - Int(stream.avail_out))
                    }
                    out += chunk[..<produced]
                    if rc == Z_STREAM_END {
                        ended = true
                        break
                    }
                    if rc != Z_OK || (stream.avail_in == 0 && produced == 0) { break }
                }
                return inp.count - Int(stream.avail_in)
            }
            if !ended { return (out, false) }
            at += consumed
        }
        return (out, true)
    }

    static func check(_ report: IngestReport, _ c: IngestCase, readable: [UInt8], damaged: Bool) throws {
        var parser = LineParser()
        defer { parser.deallocate() }
        func verdictOf(_ line: ArraySlice<UInt8>, limits: ReadLimits) -> String {
            Self.verdict(line, limits: limits, parser: &parser)
        }
        let expected = lines(of: readable)
        let nonBlank = expected.filter { !isBlank($0) }.count
        func fail(_ s: String) throws -> Never { throw IngestCheckFailure(s) }
        if report.accepted + report.rejectedTotal != report.lines {
            try fail("lines \(report.lines) != accepted \(report.accepted) + rejected \(report.rejectedTotal)")
        }
        if report.lines != nonBlank {
            try fail("read \(report.lines) non-blank lines, the readable log has \(nonBlank) (damage: \(report.damagedFiles))")
        }
        if damaged != !report.damagedFiles.isEmpty {
            try fail("damage \(damaged ? "expected" : "not expected"), reported: \(report.damagedFiles)")
        }

        // Every reject is a real non-blank line, with its bytes kept.
        var records: [[String: Any]] = []
        if let path = report.rejectsFile {
            let text = try Data(contentsOf: URL(fileURLWithPath: path))
            for line in text.split(separator: 0x0A) {
                guard var o = try JSONSerialization.jsonObject(with: line) as? [String: Any] else {
                    try fail("a rejects line is no object")
                }
                // The raw text is decoded here, not by Foundation, which drops
                // a U+FEFF that follows an escape (`\u0000` then a BOM).
                if o["raw"] != nil {
                    guard let raw = rawString(Array(line)) else { try fail("a rejects line has an unreadable raw string") }
                    o["raw"] = raw
                }
                records.append(o)
            }
        }
        if records.count != report.rejectedTotal { try fail("\(records.count) rejects kept, \(report.rejectedTotal) counted") }
        let keep = c.limits.oversizedPrefixBytes
        var rejectedLines = Set<Int>()
        var last = 0
        for r in records {
            guard let n = r["line"] as? Int, n >= 1, n <= expected.count else { try fail("reject names no line: \(r["line"] ?? "nil")") }
            if n <= last { try fail("rejects out of order at line \(n)") }
            last = n
            rejectedLines.insert(n)
            let line = expected[n - 1]
            if isBlank(line) { try fail("line \(n) is blank but was rejected") }
            let raw: [UInt8]
            if let bytes = r["raw"] as? [UInt8] {
                raw = bytes
            } else if let b = r["raw_base64"] as? String, let d = Data(base64Encoded: b) {
                raw = Array(d)
            } else {
                try fail("reject of line \(n) keeps no bytes")
            }
            if r["raw_truncated"] as? Bool == true {
                if r["raw_length"] as? Int != line.count { try fail("line \(n): raw_length \(r["raw_length"] ?? "nil") != \(line.count)") }
                if raw.count > keep || raw.count < min(keep, line.count) - 3 || !line.starts(with: raw) {
                    let at = zip(raw, line).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(raw.count, line.count)
                    try fail(
                        "line \(n): the kept \(raw.count) bytes are not the line's first bytes (of \(line.count); first difference at \(at): "
                            + "kept \(Array(raw[at..<min(raw.count, at + 8)])), line \(Array(line.dropFirst(at).prefix(8))))")
                }
            } else if !raw.elementsEqual(line) {
                try fail("line \(n): the kept bytes differ from the line (\(raw.count) vs \(line.count) bytes)")
            }
            let reason = r["reason"] as? String ?? ""
            let verdict = verdictOf(line, limits: c.limits)
            if verdict != reason { try fail("line \(n): rejected as \(reason), the parser alone says \(verdict)") }
        }
        // Lines not rejected were accepted: each must pass the parser on its own.
        var accepted = 0
        for (k, line) in expected.enumerated() where !isBlank(line) && !rejectedLines.contains(k + 1) {
            let verdict = verdictOf(line, limits: c.limits)
            if verdict != "accepted" { try fail("line \(k + 1) was accepted, the parser alone says \(verdict)") }
            accepted += 1
        }
        if accepted != report.accepted { try fail("\(accepted) lines pass the parser, \(report.accepted) were accepted") }
    }

    /// The bytes of the `"raw"` string of one rejects record: JSON string
    /// escapes decoded (surrogate pairs joined), everything else kept as is.
    static func rawString(_ record: [UInt8]) -> [UInt8]? {
        let key = Array("\"raw\":\"".utf8)
        guard var i = (0...(record.count - key.count)).first(where: { record[$0..<($0 + key.count)].elementsEqual(key) }) else {
            return nil
        }
        i += key.count
        var out: [UInt8] = []
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= record.count, let v = UInt32(String(decoding: record[at..<(at + 4)], as: UTF8.self), radix: 16) else {
                return nil
            }
            return v
        }
        func append(scalar v: UInt32) {
            if v < 0x80 {
                out.append(UInt8(v))
            } else if v < 0x800 {
                out += [UInt8(0xC0 | (v >> 6)), UInt8(0x80 | (v & 0x3F))]
            } else if v < 0x10000 {
                out += [UInt8(0xE0 | (v >> 12)), UInt8(0x80 | ((v >> 6) & 0x3F)), UInt8(0x80 | (v & 0x3F))]
            } else {
                out += [
                    UInt8(0xF0 | (v >> 18)), UInt8(0x80 | ((v >> 12) & 0x3F)), UInt8(0x80 | ((v >> 6) & 0x3F)), UInt8(0x80 | (v & 0x3F)),
                ]
            }
        }
        while i < record.count {
            let b = record[i]
            if b == 0x22 { return out }
            if b != 0x5C {
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < record.count else { return nil }
            let e = record[i + 1]
            i += 2
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let v = hex4(i) else { return nil }
                i += 4
                if (0xD800..<0xDC00).contains(v), i + 6 <= record.count, record[i] == 0x5C, record[i + 1] == 0x75,
                    let w = hex4(i + 2), (0xDC00..<0xE000).contains(w)
                {
                    i += 6
                    append(scalar: 0x10000 + ((v - 0xD800) << 10) + (w - 0xDC00))
                } else {
                    append(scalar: v)
                }
            default: return nil
            }
        }
        return nil
    }

    /// The parser's verdict on one line alone: `accepted` or a reason name.
    static func verdict(_ line: ArraySlice<UInt8>, limits: ReadLimits, parser: inout LineParser) -> String {
        if line.count > limits.maxLineBytes { return RejectReason.lineTooLong.name }
        let result = Array(line).withUnsafeBytes { parser.parse($0) }
        switch result {
        case .accepted: return "accepted"
        case .rejected(let reason): return reason.name
        }
    }
}

/// Decodes a fuzzer's bytes into an ``IngestCase``: four bytes of settings,
/// then the log, where `0xFF k b` stands for byte `b` repeated `(k + 1) ×`
/// a unit (16 bytes with scaled limits, 8 KiB with the real ones), so that
/// lines across the 64 KiB and 1 MiB limits cost a few input bytes.
package enum IngestCaseDecoder {
    /// The most log bytes a case decodes to.
    package static let maxLogBytes = 6 << 20

    package static func decode(_ data: UnsafeBufferPointer<UInt8>) -> IngestCase? {
        guard data.count >= 4 else { return nil }
        let mode = data[0]
        let realLimits = mode & 2 != 0
        var limits = ReadLimits()
        if realLimits {
            limits.blockBytes = 512 + Int(data[1]) * 1024
            limits.chunkBytes = (1 + Int(data[2]) % 32) * 65_536
        } else {
            limits.maxLineBytes = 48
            limits.oversizedPrefixBytes = 16
            limits.blockBytes = 1 + Int(data[1]) % 64
            limits.chunkBytes = 1 + Int(data[2]) % 96
        }
        let unit = realLimits ? 8192 : 16
        var log: [UInt8] = []
        var i = 4
        while i < data.count && log.count < maxLogBytes {
            if data[i] == 0xFF && i + 2 < data.count {
                let n = min((Int(data[i + 1]) + 1) * unit, maxLogBytes - log.count)
                log.append(contentsOf: repeatElement(data[i + 2], count: n))
                i += 3
            } else {
                log.append(data[i])
                i += 1
            }
        }
        var c = IngestCase(log: log)
        c.limits = limits
        c.gzip = mode & 1 != 0
        c.members = 1 + Int(mode >> 2) & 3
        if c.gzip && mode & 16 != 0 { c.cutAt = Double(data[3]) / 256 }
        c.workers = mode & 32 != 0 ? 2 : 1
        return c
    }
}
