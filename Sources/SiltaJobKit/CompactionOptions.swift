import ArgumentParser
import SiltaWarehouse

/// How `ingest` compacts the warehouse's run files after committing a run
/// (``RunCompaction``; docs/warehouse.md "Compaction"), shared by `ingest`
/// and `nightly`, which passes it on.
package struct CompactionOptions: ParsableArguments, Sendable {
    static let name = "compact-fan-in"

    @Option(
        name: .customLong(Self.name),
        help: ArgumentHelp(
            "Run files merged into one once that many in a row each hold the same number of ingest runs; 0 never merges.",
            valueName: "n"))
    package var fanIn = RunCompaction.defaultFanIn

    package init() {}

    package mutating func validate() throws {
        guard fanIn == 0 || fanIn >= 2 else { throw ValidationError("--\(Self.name) must be 0 (never merge) or at least 2.") }
    }

    /// The arguments that give a child job this setting.
    package var arguments: [String] { ["--" + Self.name, String(fanIn)] }
}
