import SiltaEvents
import SiltaSupport

/// Writes the lines a run rejected to `WAREHOUSE/rejects/<generation>.ndjson`,
/// one JSON object per line:
///
///     {"file":"2026/valo-2026-11-28.ndjson.gz","line":17,"reason":"invalid_json","raw":"{\"id\":..."}
///
/// `raw` is the line itself when it is valid UTF-8, otherwise `raw_base64`
/// holds its bytes. A line longer than ``rawLimit`` bytes keeps its first
/// ``rawLimit`` bytes, with `"raw_length"` (the full length) and
/// `"raw_truncated": true`; the whole line is still in the log, which Silta
/// never changes. The file is written under a temporary name and becomes
/// visible at the run's commit.
final class RejectsWriter {
    /// Bytes of a rejected line kept in the rejects file.
    static let rawLimit = 65_536

    let path: String
    private var writer: AtomicFileWriter?

    init(path: String) { self.path = path }

    /// True once at least one line was written.
    var hasContent: Bool { writer != nil }

    func write(file: String, line: Int, reason: RejectReason, raw: [UInt8], length: Int) throws {
        if writer == nil { writer = try AtomicFileWriter(path: path) }
        var out: [UInt8] = Array("{\"file\":".utf8)
        out += JSONText.quoted(Array(file.utf8))
        out += Array(",\"line\":\(line),\"reason\":\"\(reason.name)\",".utf8)
        var kept = raw
        let truncated = length > kept.count
        if truncated {
            // Cut at a character boundary so that a valid line stays valid text.
            var cut = kept.count
            while cut > 0 && kept[cut - 1] & 0xC0 == 0x80 { cut -= 1 }
            if cut > 0 && kept[cut - 1] >= 0xC0 { cut -= 1 }
            if cut > 0 { kept.removeLast(kept.count - cut) }
        }
        let valid = kept.withUnsafeBytes { UTF8Validation.isValid($0) }
        if valid {
            out += Array("\"raw\":".utf8) + JSONText.quoted(kept)
        } else {
            out += Array("\"raw_base64\":\"\(JSONText.base64(raw))\"".utf8)
        }
        if truncated { out += Array(",\"raw_length\":\(length),\"raw_truncated\":true".utf8) }
        out += Array("}\n".utf8)
        try writer!.write(out)
    }

    /// Makes the file visible (flushed and renamed into place).
    func commit() throws { try writer?.commit() }

    func abandon() { writer?.abandon() }
}
