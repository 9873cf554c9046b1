/// The strict RFC 3339 date-time of events.md "Timestamps":
/// `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, then `Z` or
/// `+HH:MM`/`-HH:MM`. `T` and `Z` may be lower case; digits are ASCII; a
/// second of `60` is the next second's first instant; digits beyond the
/// millisecond are truncated; the instant must fall in years 0001 to 9999 (UTC).
public enum RFC3339 {
    /// Milliseconds since 1970-01-01T00:00:00Z of 0001-01-01T00:00:00Z.
    public static let minimumMilliseconds: Int64 = -62_135_596_800_000
    /// Milliseconds since the epoch of 9999-12-31T23:59:59.999Z.
    public static let maximumMilliseconds: Int64 = 253_402_300_799_999

    /// The last valid date (`YYYY-MM-DD`) a parser met, and its day number:
    /// the lines of a log mostly share their date, and checking it is a
    /// third of parsing a timestamp. A hit is the same ten bytes, so the
    /// answer is the one the full check would give.
    public struct DateCache: Sendable {
        @usableFromInline var head: UInt64 = 0
        @usableFromInline var tail: UInt16 = 0
        @usableFromInline var days: Int64 = 0
        @usableFromInline var filled = false

        public init() {}

        @usableFromInline
        init(head: UInt64, tail: UInt16, days: Int64, filled: Bool) {
            self.head = head
            self.tail = tail
            self.days = days
            self.filled = filled
        }
    }

    /// The instant `text` names, in UTC epoch milliseconds, or `nil` when it
    /// is not a valid timestamp.
    @inlinable
    public static func parse(_ text: UnsafeRawBufferPointer) -> Int64? {
        var cache = DateCache()
        return parse(text, cache: &cache)
    }

    /// ``parse(_:)``, remembering the date in `cache` between calls.
    @inlinable
    public static func parse(_ text: UnsafeRawBufferPointer, cache: inout DateCache) -> Int64? {
        let n = text.count
        // Shortest form: 2026-11-28T21:15:02Z (20 bytes).
        guard n >= 20, let base = text.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let head = base.loadUnaligned(as: UInt64.self)
        let tail = base.loadUnaligned(fromByteOffset: 8, as: UInt16.self)

        @inline(__always) func digit(_ i: Int) -> Int? {
            let d = Int(p[i]) &- 48
            return (d >= 0 && d <= 9) ? d : nil
        }
        @inline(__always) func two(_ i: Int) -> Int? {
            guard let a = digit(i), let b = digit(i + 1) else { return nil }
            return a * 10 + b
        }

        let days: Int64
        if cache.filled && cache.head == head && cache.tail == tail {
            days = cache.days
        } else {
            guard let y1 = two(0), let y2 = two(2), p[4] == 0x2D, let month = two(5), p[7] == 0x2D, let day = two(8)
            else { return nil }
            let year = y1 * 100 + y2
            guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
            days = Int64(daysFromCivil(year: year, month: month, day: day))
            cache = DateCache(head: head, tail: tail, days: days, filled: true)
        }
        guard p[10] == 0x54 || p[10] == 0x74,
            let hour = two(11), p[13] == 0x3A,
            let minute = two(14), p[16] == 0x3A,
            let second = two(17)
        else { return nil }
        guard hour <= 23, minute <= 59, second <= 60 else { return nil }

        var i = 19
        var fractionMillis = 0
        if p[i] == 0x2E {
            i += 1
            let start = i
            while i < n, let d = digit(i) {
                if i - start < 3 { fractionMillis = fractionMillis * 10 + d }
                i += 1
            }
            let digits = i - start
            guard digits >= 1, digits <= 9 else { return nil }
            for _ in digits..<max(digits, 3) { fractionMillis *= 10 }
        }
        guard i < n else { return nil }
        var offsetMinutes = 0
        switch p[i] {
        case 0x5A, 0x7A:  // Z z
            i += 1
        case 0x2B, 0x2D:  // + -
            guard i + 6 == n, let oh = two(i + 1), p[i + 3] == 0x3A, let om = two(i + 4), oh <= 23, om <= 59 else {
                return nil
            }
            offsetMinutes = (oh * 60 + om) * (p[i] == 0x2D ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == n else { return nil }

        // A leap second counts as the next second's first instant.
        if second == 60 { fractionMillis = 0 }
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        let millis = seconds * 1000 + Int64(fractionMillis)
        guard millis >= minimumMilliseconds, millis <= maximumMilliseconds else { return nil }
        return millis
    }

    /// Parses a Swift string (for options such as `--as-of`).
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    @inlinable
    static func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    @inlinable
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
    /// `days_from_civil`), valid for every year Silta accepts, year 0 included.
    @inlinable
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
    /// Hinnant's `civil_from_days`).
    @inlinable
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for an epoch-millisecond instant; with
    /// `omittingZeroMilliseconds`, `YYYY-MM-DDTHH:MM:SSZ` when they are 0.
    public static func format(milliseconds: Int64, omittingZeroMilliseconds: Bool = false) -> String {
        let ms = milliseconds
        var days = ms / 86_400_000
        var rest = ms % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        let (y, m, d) = civilFromDays(Int(days))
        let h = rest / 3_600_000
        let mi = rest / 60_000 % 60
        let s = rest / 1000 % 60
        let f = rest % 1000
        func pad(_ v: Int64, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        let fraction = f == 0 && omittingZeroMilliseconds ? "" : ".\(pad(f, 3))"
        return "\(pad(Int64(y), 4))-\(pad(Int64(m), 2))-\(pad(Int64(d), 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))\(fraction)Z"
    }

    /// The day number (days since 1970-01-01) of a real date written
    /// `YYYY-MM-DD` (year 0001 or later); `nil` for anything else,
    /// 2026-02-30 included.
    public static func parseDate(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), y >= 1, (1...12).contains(m), d >= 1
        else { return nil }
        let days = daysFromCivil(year: y, month: m, day: d)
        // Reject 2026-02-30 and the like: the day must come back unchanged.
        guard civilFromDays(days) == (y, m, d) else { return nil }
        return days
    }

    /// `YYYY-MM-DD` for a day count since 1970-01-01.
    public static func formatDate(days: Int) -> String {
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
}
