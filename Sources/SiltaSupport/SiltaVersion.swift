/// The version of Silta, reported by `--version` and in every report.
public enum SiltaVersion {
    public static let string = "0.2.0"
    /// `generated_by` in reports.
    public static let generatedBy = "silta " + string

    /// What `--version` prints for one job: `silta ingest 0.2.0`.
    public static func of(_ job: String) -> String { "silta " + job + " " + string }
}
