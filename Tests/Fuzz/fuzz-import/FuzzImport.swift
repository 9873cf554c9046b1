// libFuzzer target for what the importers parse (`make fuzz`): the JSON tape
// (GH Archive lines, Slack day files) and a DiscordChatExporter channel and a
// Mattermost bulk-export line and a Discourse topic (and, for what is no
// JSON, a Discourse likes CSV and a Viva Engage CSV) read through it, the dump-row scanner (Stack Exchange XML) and the mention
// scanners. The first input byte picks one.
//
// Built normally, the program replays the files given as arguments.
import SiltaFuzzDriver
import SiltaImport

#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var tape = JSONTape()

/// Any bytes: a verdict, never a trap; the same verdict twice; a parsed
/// document's every node inside the text and every string valid UTF-8.
@_cdecl("LLVMFuzzerTestOneInput")
package func fuzzImport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
    case 0:
        let ok = tape.parse(bytes)
        precondition(tape.parse(bytes) == ok, "the JSON tape is not deterministic")
        if ok {
            for k in tape.nodes.indices {
                let n = tape.nodes[k]
                precondition(n.start >= 0 && n.start <= n.end && Int(n.end) <= bytes.count && Int(n.skip) > k)
                if let s = tape.string(k) { precondition(String(validating: s, as: UTF8.self) != nil) }
                _ = tape.integer(k)
                _ = tape.elements(k)
            }
            _ = tape.path(tape.root, "repo", "name")
            // A Discord channel: every event it yields is one ingest would take.
            var discord = DiscordImporter()
            var summary = ImportSummary(importer: "fuzz")
            try? discord.channel(bytes, summary: &summary) { e in precondition(e.missing == nil && !e.id.isEmpty) }
            // A Mattermost line, after a user and a bot line that make mentions and bots known.
            var mattermost = MattermostImporter()
            for known in [#"{"type":"user","user":{"username":"anna"}}"#, #"{"type":"bot","bot":{"username":"bot"}}"#] {
                try? Array(known.utf8).withUnsafeBytes { try mattermost.line($0, summary: &summary) { _ in } }
            }
            try? bytes.withUnsafeBytes {
                try mattermost.line($0, summary: &summary) { e in precondition(e.missing == nil && !e.id.isEmpty) }
            }
            // A Discourse topic file.
            var discourse = DiscourseImporter()
            _ = try? discourse.read(jsons: [bytes], csvs: [], summary: &summary) { e in precondition(e.missing == nil) }
        } else {
            // Bytes that are no JSON, as a Discourse likes file (CSV).
            var discourse = DiscourseImporter()
            var summary = ImportSummary(importer: "fuzz")
            _ = try? discourse.read(jsons: [], csvs: [bytes], summary: &summary) { _ in }
            // And as a Viva Engage CSV: every row has at most the header's columns.
            VivaEngageImporter.forEachRow(bytes) { _ in }
        }
    case 1:
        var malformed = 0
        let rows = DumpRows.parse(bytes, malformed: &malformed)
        var again = 0
        precondition(DumpRows.parse(bytes, malformed: &again).count == rows.count && again == malformed)
    default:
        for m in Mentions.github(bytes) { precondition((1...39).contains(m.count)) }
        _ = Mentions.slack(bytes)
    }
    return 0
}

@main
struct FuzzImport {
    static func main() { exit(FuzzDriver.run(fuzzImport)) }
}
