import SiltaEvents

/// A family of report periods (metrics.md "Periods and time zone").
package enum PeriodFamily: String, CaseIterable, Sendable, Comparable {
    case day, week, month

    /// The file-name word: `daily`, `weekly`, `monthly`.
    package var adjective: String {
        switch self {
        case .day: "daily"
        case .week: "weekly"
        case .month: "monthly"
        }
    }

    /// The family whose file-name word is `adjective` (a table's `period`).
    package init?(adjective: String) {
        guard let family = Self.allCases.first(where: { $0.adjective == adjective }) else { return nil }
        self = family
    }

    package static func < (a: PeriodFamily, b: PeriodFamily) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The index of the period holding a local date (days since 1970-01-01).
    /// Consecutive periods have consecutive indices, so `index - 1` is the previous period.
    @inline(__always)
    package func index(ofLocalDay day: Int) -> Int {
        switch self {
        case .day:
            return day
        case .week:
            // 1970-01-01 was a Thursday; weeks start on Monday (ISO).
            return Int(ReportZone.floorDiv(Int64(day + 3), 7))
        case .month:
            let (y, m, _) = RFC3339.civilFromDays(day)
            return y * 12 + m - 1
        }
    }

    /// The first local date of period `index`.
    package func firstDay(of index: Int) -> Int {
        switch self {
        case .day:
            return index
        case .week:
            return index * 7 - 3
        case .month:
            let y = Int(ReportZone.floorDiv(Int64(index), 12))
            return RFC3339.daysFromCivil(year: y, month: index - y * 12 + 1, day: 1)
        }
    }

    /// The instant period `index` ends: the first instant whose local date is
    /// the next period's first date.
    package func end(of index: Int, in zone: ReportZone) -> Int64 {
        zone.firstInstant(onOrAfter: firstDay(of: index + 1))
    }
}
