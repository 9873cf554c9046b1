import SiltaEvents
import SiltaSupport

/// Writes the lines a run rejected to `WAREHOUSE/rejects/<generation>.ndjson`,
/// one JSON object per line:
///
///     {"file":"2026/valo-2026-11-28.ndjson.gz","line":17,"reason":"invalid_json","raw":"{\"id\":..."}
///
/// `raw` is the line itself when it is valid UTF-8, otherwise `raw_base64`
/// holds its bytes. A line longer than the kept bytes
/// (``ReadLimits/oversizedPrefixBytes``, 64 KiB) keeps its first bytes, cut at
/// a character boundary, with `"raw_length"` (the full length) and
/// `"raw_truncated": true`; the whole line is still in the log, which Silta
/// never changes. The file is written under a temporary name and becomes
/// visible at the run's commit.
final class RejectsWriter {
    let path: String
    private var writer: AtomicFileWriter?

    init(path: String) { self.path = path }

    /// True once at least one line was written.
    var hasContent: Bool { writer != nil }

    private var w = JSONWriter()
    private var lastFile = ""
    private var quotedFile: [UInt8] = []

    func write(file: String, line: Int, reason: RejectReason, raw: ArraySlice<UInt8>, length: Int) throws {
        if writer == nil { writer = try AtomicFileWriter(path: path) }
        if file != lastFile {
            lastFile = file
            quotedFile = JSONText.quoted(Array(file.utf8))
        }
        var kept = raw
        let truncated = length > kept.count
        if truncated {
            // Drop a last character that the cut split (at most 3 bytes), so
            // that a valid line stays valid text; any other byte stays.
            // A slice keeps its parent's indices: count from its own start.
            let start = kept.startIndex
            let end = kept.endIndex
            var lead = end - 1
            while lead > start && lead > end - 4 && kept[lead] & 0xC0 == 0x80 { lead -= 1 }
            if lead >= start {
                let b = kept[lead]
                let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                if lead + length > end && lead > start { kept = kept[..<lead] }
            }
        }
        w.beginObject(.compact)
        w.key("file")
        w.value { $0 += quotedFile }
        w.key("line")
        w.integer(line)
        w.key("reason")
        w.string(reason.name)
        if kept.withUnsafeBytes({ UTF8Validation.isValid($0) }) {
            w.key("raw")
            w.string(bytes: kept)
        } else {
            w.key("raw_base64")
            w.string(JSONText.base64(raw))
        }
        if truncated {
            w.key("raw_length")
            w.integer(length)
            w.key("raw_truncated")
            w.bool(true)
        }
        w.endObject()
        w.finishLine()
        try writer!.write(w.take())
    }

    /// Makes the file visible (flushed and renamed into place).
    func commit() throws { try writer?.commit() }

    func abandon() { writer?.abandon() }
}
