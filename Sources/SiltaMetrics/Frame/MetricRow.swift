import SiltaReports

/// One row of a per-community report before its identity columns are added.
package struct MetricRow: Sendable {
    /// The period's index in its family.
    package var period: Int
    /// The community id (``MetricsInput/none`` for organisation-wide rows).
    package var community: UInt32
    /// The metric cells, in the family's column order.
    package var values: [ReportValue]

    package init(period: Int, community: UInt32, values: [ReportValue]) {
        self.period = period
        self.community = community
        self.values = values
    }
}

/// Event indices grouped by period, which every family walks.
package enum PeriodGroups {
    /// Groups event indices by period (stable: time order within a period),
    /// periods ascending.
    /// - Parameter period: the period index of each event.
    /// - Complexity: O(n) by counting when the periods span at most about 4n
    ///   indices (always, for time-sorted events of one community), else a sort.
    package static func of(_ period: [Int]) -> [(period: Int, events: ArraySlice<Int>)] {
        let n = period.count
        guard let lo = period.min(), let hi = period.max() else { return [] }
        var order: [Int]
        var bounds: [(Int, Int, Int)] = []  // period, start, end
        if hi - lo <= 4 * n + 4096 {
            var counts = [Int](repeating: 0, count: hi - lo + 2)
            for p in period { counts[p - lo + 1] += 1 }
            for k in 1..<counts.count { counts[k] += counts[k - 1] }
            order = [Int](repeating: 0, count: n)
            var next = counts
            for i in 0..<n {
                let k = period[i] - lo
                order[next[k]] = i
                next[k] += 1
            }
            for k in 0..<(hi - lo + 1) where counts[k + 1] > counts[k] { bounds.append((lo + k, counts[k], counts[k + 1])) }
        } else {
            order = (0..<n).sorted { (period[$0], $0) < (period[$1], $1) }
            var start = 0
            for k in 1...n where k == n || period[order[k]] != period[order[start]] {
                bounds.append((period[order[start]], start, k))
                start = k
            }
        }
        return bounds.map { ($0.0, order[$0.1..<$0.2]) }
    }
}
