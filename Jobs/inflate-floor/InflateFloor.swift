import ArgumentParser
import Dispatch
import SiltaJobKit
import SiltaLogReader
import SiltaSupport

/// The inflate floor of `make bench`: inflates every `*.ndjson.gz` under a
/// folder with the same zlib, buffer size and number of workers as `ingest`,
/// and does nothing else. No pipeline built on zlib can be faster.
@main
struct InflateFloor: ParsableCommand {
    static func main() { JobEntry.main(Self.self, job: "inflate-floor") }

    static let configuration = CommandConfiguration(
        commandName: "inflate-floor",
        abstract: "Only inflates the logs under a folder, with N workers: the benchmark's floor.",
        version: SiltaVersion.of("inflate-floor"))

    @Option(help: "Folder of gzip logs, read recursively.")
    var logs: String

    @Option(name: .customLong("workers"), help: ArgumentHelp("Concurrent workers.", valueName: "n"))
    var workerCount: WorkerCount = .processors

    var workers: Int { workerCount.value }

    func run() throws {
        let files = try DirectoryWalk.files(under: logs, suffixes: [LogCompression.gzipSuffix]).files
        let totals = Totals()
        let queue = WorkQueue(count: files.count)
        let group = DispatchGroup()
        for w in 0..<max(1, workers) {
            DispatchQueue(label: "silta.inflate-\(w)").async(group: group) {
                while let i = queue.claim() {
                    if let r = try? InflateOnly.drain(path: files[i].fullPath) { totals.add(r.compressed, r.uncompressed) }
                }
            }
        }
        group.wait()
        print("{\"files\": \(files.count), \"bytes_compressed\": \(totals.compressed), \"bytes_uncompressed\": \(totals.uncompressed)}")
    }
}

final class Totals: @unchecked Sendable {
    private let monitor = Monitor()
    private(set) var compressed = 0
    private(set) var uncompressed = 0

    func add(_ c: Int, _ u: Int) {
        monitor.locked {
            compressed += c
            uncompressed += u
        }
    }
}
