/// The version of Silta, reported by `--version` and in every report.
public enum SiltaVersion {
    public static let string = "0.1.0"
    /// `generated_by` in reports.
    public static let generatedBy = "silta " + string
}
