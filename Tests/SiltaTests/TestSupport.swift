import CSiltaZlib
import Foundation
import SiltaIngestCheck
import SiltaSupport

/// Where the test sources and fixtures are.
enum Paths {
    /// `Tests/` in the checkout.
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = tests.appendingPathComponent("Fixtures")
    static let repository = tests.deletingLastPathComponent()
    static let sampleData = repository.appendingPathComponent("SampleData")

    /// The folder holding the built jobs: `SILTA_BIN_DIR`, or the folder of
    /// the running test bundle (where `swift build` puts the executables).
    static var binaries: URL {
        if let dir = ProcessInfo.processInfo.environment["SILTA_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func binary(_ name: String) -> URL { binaries.appendingPathComponent(name) }
}

/// A fresh folder under the system temporary folder, removed by `cleanup()`.
final class Scratch {
    let url: URL
    var path: String { url.path }

    init(_ label: String = "silta-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func sub(_ name: String) -> String {
        let u = url.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        return u.path
    }

    /// Creates the folder `name` and returns its path.
    func folder(_ name: String) -> String {
        let u = url.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u.path
    }

    func write(_ name: String, _ bytes: [UInt8]) {
        let p = sub(name)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
    }

    func write(_ name: String, _ text: String) { write(name, Array(text.utf8)) }
}

/// gzip-compresses bytes with the system zlib, as one member.
func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] { IngestCheck.gzip(bytes, level: level) }

func gzip(_ text: String) -> [UInt8] { gzip(Array(text.utf8)) }

/// What a finished child process did.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a built job and waits for it.
@discardableResult
func runJob(_ name: String, _ arguments: [String], environment: [String: String]? = nil) throws -> RunResult {
    try runProgram(Paths.binary(name), arguments, environment: environment)
}

/// Runs any program and waits for it; `environment` replaces the whole
/// environment when given (as `env -i` does).
@discardableResult
func runProgram(_ program: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> RunResult {
    let process = Process()
    process.executableURL = program
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(
        status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// Every regular file under `root`, relative path to content.
func folderContents(_ root: String) -> [String: Data] {
    var result: [String: Data] = [:]
    guard let e = FileManager.default.enumerator(atPath: root) else { return result }
    while let rel = e.nextObject() as? String {
        var isDir: ObjCBool = false
        let full = root + "/" + rel
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
            result[rel] = FileManager.default.contents(atPath: full)
        }
    }
    return result
}

/// The metric reports under a reports folder, history included, without the
/// files that describe one run (`ingest_report.json`, `run_summary.json`,
/// `silta.prom`: timings and run ids differ between two runs over the same data).
func metricReports(_ root: String) -> [String: Data] {
    let perRun: Set<String> = ["ingest_report.json", "run_summary.json", "silta.prom"]
    return folderContents(root).filter { !perRun.contains(String($0.key.split(separator: "/").last ?? "")) }
}

/// Parses a JSON file into a dictionary (tests only: Foundation is fine here).
func readJSON(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

/// Writes a gzip file that inflates to about `total` bytes of `pattern`
/// repeated: one member of 64 MiB, written as many times as needed (a
/// multi-member gzip file is one log), so that gigabytes are never compressed
/// nor held in memory.
func gzipRepeating(_ pattern: [UInt8], total: Int, to path: String) throws {
    var block = pattern
    while block.count < 64 << 20 { block += block }
    block.removeLast(block.count - (64 << 20) / pattern.count * pattern.count)
    let member = gzip(block, level: 9)
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    for _ in 0..<max(1, total / block.count) { try handle.write(contentsOf: member) }
}

/// The bytes of a gzip file (every member).
func gunzip(_ bytes: [UInt8]) throws -> [UInt8] { IngestCheck.inflateMembers(bytes).bytes }
