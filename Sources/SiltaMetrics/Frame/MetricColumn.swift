import SiltaReports

/// One output column of a metric family: its name in the reports (and in
/// docs/metrics.md) next to the expression that computes its cell from the
/// family's per-period figures.
///
///     MetricColumn("retention_rate") { share($0.retained, of: $0.previousActive) }
///
/// A family lists its columns once, in report order; the table's header and
/// every row come from that list, so a name and its formula cannot drift apart.
package struct MetricColumn<Figures>: Sendable {
    /// The column's name in the report header.
    package let name: String
    /// The cell of one period.
    package let cell: @Sendable (Figures) -> ReportValue

    package init(_ name: String, _ cell: @escaping @Sendable (Figures) -> ReportValue) {
        self.name = name
        self.cell = cell
    }
}

extension Array {
    /// The header names of these columns, in order.
    package func names<Figures>() -> [String] where Element == MetricColumn<Figures> { map(\.name) }

    /// One row's cells for `figures`, in column order.
    package func cells<Figures>(_ figures: Figures) -> [ReportValue] where Element == MetricColumn<Figures> {
        map { $0.cell(figures) }
    }

    /// `row` (its identity cells) followed by the cells for `figures`, in
    /// one allocation: for the tables made a row at a time.
    package func row<Figures>(_ row: [ReportValue], _ figures: Figures) -> [ReportValue] where Element == MetricColumn<Figures> {
        var out = row
        out.reserveCapacity(row.count + count)
        for column in self { out.append(column.cell(figures)) }
        return out
    }
}

/// `part / whole` as a ratio cell: empty when `whole` is 0 (metrics.md "Ratios").
@inline(__always)
package func share(_ part: Int, of whole: Int) -> ReportValue { .ratio(Double(part), Double(whole)) }
