/// What a report column's cells are, for a reader that gives them types
/// (the workbook: docs/workbook.md "Cells").
package enum ColumnType: String, Sendable {
    /// `YYYY-MM-DD`.
    case date
    /// `true` or `false`.
    case boolean
    /// An id, written as it is whatever it looks like.
    case text
    /// A whole number.
    case count
    /// A decimal number.
    case number
    /// A share from 0 to 1, shown as a percentage.
    case ratio
}

/// One column of a report: its type, and its meaning in a manager's words
/// next to its exact definition, as docs/metrics.md, docs/people.md and
/// docs/reports.md have them.
package struct ColumnEntry: Sendable, Equatable {
    package let column: String
    package let type: ColumnType
    package let meaning: String
    package let definition: String
}

/// Every report column's type and meaning. The words come from the docs'
/// column tables through tools/column_guide.py (``text``); the types are
/// named here.
package enum ColumnGuide {
    /// The columns of the shown reports that are not counts, by report (`identity`: of every report).
    static let types: [String: [String: ColumnType]] = [
        "identity": [
            "period_start": .date, "complete": .boolean, "kind": .text, "community": .text, "kind_a": .text, "community_a": .text,
            "kind_b": .text, "community_b": .text, "person": .text,
        ],
        "engagement": [
            "lurker_share": .ratio, "retention_rate": .ratio, "response_rate": .ratio, "median_response_s": .number,
            "creator_gini": .number,
        ],
        "social_capital": [
            "density": .ratio, "reciprocity": .ratio, "transitivity": .ratio, "avg_clustering": .number,
            "largest_component_share": .ratio, "mean_constraint": .number, "mean_effective_size": .number, "bonding_index": .number,
            "bridging_index": .number,
        ],
        "bridging": ["advocacy_rate": .ratio],
        "community_links": ["jaccard": .ratio],
        "people": ["first_seen": .date, "boundary_spanner": .boolean, "new": .boolean, "previous_active": .boolean],
    ]

    /// Column `column` of report `report` (`engagement`), or `nil` when the
    /// docs do not describe it.
    package static func entry(report: String, column: String) -> ColumnEntry? {
        let own = text[report]?.first { $0.column == column }
        guard let words = own ?? text["identity"]?.first(where: { $0.column == column }) else { return nil }
        let type = types[report]?[column] ?? types["identity"]?[column] ?? .count
        return ColumnEntry(column: column, type: type, meaning: words.meaning, definition: words.definition)
    }
}
