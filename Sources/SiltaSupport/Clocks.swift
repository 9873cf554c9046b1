#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two clocks the jobs read, and how they print durations.
public enum Clocks {
    /// Seconds on the monotonic clock: for durations, immune to the wall
    /// clock being set.
    public static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Now on the wall clock, in UTC epoch milliseconds: for timestamps.
    public static func epochMilliseconds() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000
    }

    /// A non-negative duration in seconds with three decimals, `5.291`,
    /// without Foundation's formatters.
    public static func seconds(_ value: Double) -> String {
        let scaled = Int((max(0, value) * 1000).rounded())
        let frac = String(scaled % 1000)
        return String(scaled / 1000) + "." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
