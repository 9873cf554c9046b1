import Foundation
import SiltaReportJobs
import Testing

/// Every job's `--help`, as a user sees it, against the saved text in
/// `Tests/Fixtures/help/<job>.txt` (the checkout's path shown as `<repo>`).
/// After a deliberate change, `SILTA_UPDATE_SNAPSHOTS=1 swift test --filter
/// HelpSnapshotTests` writes the new texts; review them with `git diff`.
@Suite struct HelpSnapshotTests {
    static let jobs = ReportCatalog.installedJobs

    @Test(arguments: jobs)
    func theHelpIsTheSavedText(job: String) throws {
        let r = try runJob(job, ["--help"], environment: ["COLUMNS": "80", "PATH": "/usr/bin:/bin"])
        #expect(r.status == 0)
        let text = r.stdout.replacingOccurrences(of: Paths.repository.path, with: "<repo>")
        let fixture = Paths.fixtures.appendingPathComponent("help/\(job).txt")
        if ProcessInfo.processInfo.environment["SILTA_UPDATE_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: fixture.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: fixture)
        }
        let saved = try String(contentsOf: fixture, encoding: .utf8)
        // The docs path in the overview is as long as the checkout's path, so
        // the paragraph holding it wraps differently in every clone: the
        // words are compared, and the width of every line apart from that one.
        let flat = Self.words(text)
        #expect(flat == Self.words(saved), "\(job) --help changed; if that was meant, update Tests/Fixtures/help (see the suite's comment)")
        for line in r.stdout.split(separator: "\n") where !line.contains(Paths.repository.path) && !line.hasPrefix("USAGE:") {
            #expect(line.count <= 80, "\(job) --help: a line wider than COLUMNS=80: \(line)")
        }
        // Each option's default is said once.
        for option in flat.components(separatedBy: " --").dropFirst() {
            #expect(option.components(separatedBy: "(default").count <= 2, "--\(option)")
        }
    }

    static func words(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test(arguments: jobs)
    func theVersionNamesTheJob(job: String) throws {
        let r = try runJob(job, ["--version"])
        #expect(r.stdout.hasPrefix("silta \(job) 0."), "\(r.stdout)")
    }
}
