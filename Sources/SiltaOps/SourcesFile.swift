import SiltaReportJobs
import SiltaSupport

/// The sources file (make `SOURCES`, `nightly --sources`; docs/importers.md
/// "The night runs them"): one export per line, the importer's name, the
/// export's path, then the importer's own options, separated by spaces:
///
///     # importer     export                        options
///     slack          /srv/exports/acme-slack.zip   --workspace acme --include-bots
///     stackexchange  /srv/dumps/cooking.stackexchange.com
///     gharchive      "/srv/gh archive/2026-11-30-0.json.gz"
///
/// A word with spaces goes in double quotes (`\"` and `\\` inside); `#`
/// starts a comment; blank lines are skipped. `--out` is the night's `LOGS`
/// and is not given here.
package struct SourcesFile: Sendable {
    package struct Entry: Sendable, Equatable {
        /// The importer's executable (`import-slack`).
        package var job: String
        package var arguments: [String]
        package var line: Int
    }

    package var entries: [Entry]

    /// What is wrong with the file, and where.
    package struct Fault: Error, CustomStringConvertible {
        package var file: String
        package var line: Int?
        package var fault: String
        package var description: String {
            "the sources file \(file)\(line.map { ", line \($0)" } ?? ""): \(fault) (docs/importers.md says what it holds)"
        }
    }

    package static func load(path: String) throws(Fault) -> SourcesFile {
        guard FileSystem.kind(of: path) == .file, let bytes = try? PosixFile.readAll(path) else {
            throw Fault(file: path, line: nil, fault: "no such file, or it cannot be read")
        }
        guard bytes.withUnsafeBytes({ $0.count < 1 << 20 }), let text = String(validating: bytes, as: UTF8.self) else {
            throw Fault(file: path, line: nil, fault: "it is not UTF-8 text of under 1 MiB")
        }
        var entries: [Entry] = []
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = try words(raw, file: path, line: k + 1)
            guard let name = words.first else { continue }
            let job = "import-" + name
            guard ReportCatalog.importers.contains(job) else {
                let known = ReportCatalog.importers.map { String($0.dropFirst("import-".count)) }.joined(separator: ", ")
                throw Fault(file: path, line: k + 1, fault: "\"\(name)\" is no importer; the importers are \(known)")
            }
            guard words.count >= 2 else { throw Fault(file: path, line: k + 1, fault: "\(name) needs the export's path") }
            if words.contains("--out") { throw Fault(file: path, line: k + 1, fault: "--out is the night's LOGS; leave it out") }
            entries.append(Entry(job: job, arguments: Array(words.dropFirst()), line: k + 1))
        }
        return SourcesFile(entries: entries)
    }

    /// The words of one line.
    static func words(_ line: Substring, file: String, line number: Int) throws(Fault) -> [String] {
        var out: [String] = []
        var word = ""
        var inWord = false
        var quoted = false
        var escape = false
        for c in line {
            if quoted {
                if escape {
                    word.append(c)
                    escape = false
                } else if c == "\\" {
                    escape = true
                } else if c == "\"" {
                    quoted = false
                } else {
                    word.append(c)
                }
                continue
            }
            if c == "#" { break }
            if c == " " || c == "\t" || c == "\r" {
                if inWord { out.append(word) }
                word = ""
                inWord = false
            } else if c == "\"" {
                quoted = true
                inWord = true
            } else {
                word.append(c)
                inWord = true
            }
        }
        if quoted { throw Fault(file: file, line: number, fault: "a quote is never closed") }
        if inWord { out.append(word) }
        return out
    }
}
