import SiltaEvents
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("1970-01-01t00:00:00z", 0),
        ("2026-11-28T21:15:02.120Z", 1_795_900_502_120),
        ("2026-11-28T23:15:02.12+02:00", 1_795_900_502_120),
        ("2026-11-28T16:15:02.1-05:00", 1_795_900_502_100),
        ("2026-11-28T21:15:02.123456789Z", 1_795_900_502_123),  // digits beyond ms are truncated
        ("2026-11-28T21:15:02.999999Z", 1_795_900_502_999),
        ("2026-11-28T21:15:02-00:00", 1_795_900_502_000),
        ("2016-12-31T23:59:60Z", 1_483_228_800_000),  // leap second: the next second's first instant
        ("2016-12-31T23:59:60.500Z", 1_483_228_800_000),
        ("2024-02-29T12:00:00Z", 1_709_208_000_000),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
        ("0000-12-31T23:00:00-02:00", -62_135_593_200_000),  // year 0 in the text, year 1 in UTC
        ("2000-01-01T00:00:00+23:59", 946_598_460_000),
    ])
    func valid(text: String, millis: Int64) {
        #expect(RFC3339.parse(text) == millis)
    }

    @Test(arguments: [
        "", "2026-11-28", "2026-11-28T21:15:02", "2026-11-28 21:15:02Z", "2026-11-28T21:15Z",
        "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-11-28T24:00:00Z", "2026-11-28T23:60:00Z", "2026-11-28T23:59:61Z",
        "2026-11-28T21:15:02.Z", "2026-11-28T21:15:02.1234567890Z", "2026-11-28T21:15:02+0200",
        "2026-11-28T21:15:02+24:00", "2026-11-28T21:15:02+02:60", "2026-11-28T21:15:02+2:00",
        "2026-11-28T21:15:02ZZ", "2026-11-28T21:15:02Z ", " 2026-11-28T21:15:02Z", "+2026-11-28T21:15:02Z",
        "20261128T211502Z", "2026-11-28T21:15:02,5Z", "２026-11-28T21:15:02Z", "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:30:00-01:00", "0000-01-01T00:00:00Z", "2026-11-28X21:15:02Z", "2026-11-28T21:15:02UTC",
    ])
    func invalid(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func civilRoundTrip() {
        for days in stride(from: -719_162, through: 2_932_896, by: 997) {
            let (y, m, d) = RFC3339.civilFromDays(days)
            #expect(RFC3339.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }

    /// The parser remembers the last valid date: a run of timestamps, valid
    /// and broken, many sharing their first ten bytes, parsed in order with
    /// one cache, must each give what a parse without the cache gives.
    @Test func theRememberedDateChangesNoAnswer() {
        var rng = SplitMix(seed: 3339)
        let dates = ["2026-11-28", "2024-02-29", "2023-02-29", "2026-13-01", "2026-00-10", "0001-01-01", "9999-12-31", "2026-1-28"]
        let times = [
            "T21:15:02.120Z", "T23:59:60Z", "t00:00:00z", "T24:00:00Z", "T12:30:00+02:00", "T12:30:00.1234567890Z", "T1:00:00Z", "x",
        ]
        var cache = RFC3339.DateCache()
        var hits = 0
        for _ in 0..<4000 {
            var text = Array((dates[Int(rng.next() % UInt64(dates.count))] + times[Int(rng.next() % UInt64(times.count))]).utf8)
            // Now and then one byte changed anywhere, the date included.
            if rng.next() % 4 == 0 { text[Int(rng.next() % UInt64(text.count))] = UInt8(truncatingIfNeeded: rng.next() % 128) }
            let plain = text.withUnsafeBytes { RFC3339.parse($0) }
            let cached = text.withUnsafeBytes { RFC3339.parse($0, cache: &cache) }
            #expect(cached == plain, "\(String(decoding: text, as: UTF8.self))")
            if plain != nil { hits += 1 }
        }
        #expect(hits > 500)
    }

    @Test func formatsUTCWithMilliseconds() {
        #expect(RFC3339.format(milliseconds: 1_795_900_502_120) == "2026-11-28T21:15:02.120Z")
        #expect(RFC3339.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
    }
}
