import Foundation
import SiltaEvents
import SiltaSupport

/// A report time zone as a table of UTC offsets, built once from the system
/// time-zone database (Foundation's `TimeZone`), so that finding the local
/// date of an instant costs a binary search over a few transitions instead of
/// a calendar call per event.
package struct ReportZone: Sendable {
    package static let dayMillis: Int64 = 86_400_000

    /// The IANA name, as given.
    package let identifier: String
    /// UTC instants (ms) where each offset starts; the first is `Int64.min`.
    private let starts: [Int64]
    /// Offsets east of UTC, in ms.
    private let offsets: [Int64]

    /// Why a zone cannot be used.
    package struct Unknown: Error, CustomStringConvertible {
        package let identifier: String
        package var description: String {
            "unknown time zone \"\(identifier)\"; use an IANA name such as UTC or Europe/Helsinki (the list is in /usr/share/zoneinfo)"
        }
    }

    /// The zone `identifier`, exact for instants from `range.lowerBound` to `range.upperBound`.
    package init(identifier: String, covering range: ClosedRange<Int64>) throws {
        guard let zone = TimeZone(identifier: identifier) else { throw Unknown(identifier: identifier) }
        self.identifier = identifier
        // Start a little early and end a little late, so that period ends
        // (the first instant of the next period) are covered too.
        let from = range.lowerBound - 40 * Self.dayMillis
        let to = range.upperBound + 40 * Self.dayMillis
        func offset(_ ms: Int64) -> Int64 {
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
        }
        var starts: [Int64] = [Int64.min]
        var offsets: [Int64] = [offset(from)]
        var at = Date(timeIntervalSince1970: Double(from) / 1000)
        while let next = zone.nextDaylightSavingTimeTransition(after: at) {
            let ms = Int64((next.timeIntervalSince1970 * 1000).rounded())
            if ms > to { break }
            let o = offset(ms)
            if o != offsets.last! {
                starts.append(ms)
                offsets.append(o)
            }
            at = next
        }
        self.starts = starts
        self.offsets = offsets
    }

    /// UTC, for tests and as the default.
    package static let utc = try! ReportZone(identifier: "UTC", covering: 0...0)

    @inline(__always)
    private func segment(_ ms: Int64) -> Int {
        // The last segment starting at or before `ms` (the first always does).
        lowerBound(1..<starts.count) { starts[$0] <= ms } - 1
    }

    /// The offset east of UTC at `ms`, in milliseconds.
    package func offset(at ms: Int64) -> Int64 { offsets[segment(ms)] }

    /// The local date of an instant, as days since 1970-01-01.
    @inline(__always)
    package func localDay(_ ms: Int64) -> Int {
        Int(Self.floorDiv(ms + offsets[segment(ms)], Self.dayMillis))
    }

    /// The first instant whose local date is `day` or later.
    package func firstInstant(onOrAfter day: Int) -> Int64 {
        let target = Int64(day) * Self.dayMillis
        var best = Int64.max
        for i in starts.indices {
            let end = i + 1 < starts.count ? starts[i + 1] : Int64.max
            let t = max(starts[i], target - offsets[i])
            if t < end && t < best { best = t }
        }
        return best
    }

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
