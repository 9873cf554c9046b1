/// The version of Silta, reported by `--version` and in every report.
package enum SiltaVersion {
    package static let string = "0.2.0"
    /// `generated_by` in reports.
    package static let generatedBy = "silta " + string

    /// What `--version` prints for one job: `silta ingest 0.2.0`.
    package static func of(_ job: String) -> String { "silta " + job + " " + string }
}
