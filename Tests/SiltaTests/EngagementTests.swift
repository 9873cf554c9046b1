import Foundation
import SiltaEvents
import SiltaMetrics
import Testing

/// Hand-computed fixtures, one per tricky rule of metrics.md "Engagement".
@Suite struct EngagementTests {
    @Test func leaveAndRejoin() throws {
        let r = try engagement([
            "a.ndjson": [
                line("1", "2026-11-02T09:00:00Z", actor: "ann", "join"),
                line("2", "2026-11-02T10:00:00Z", actor: "bob", "view"),  // no join needed
                line("3", "2026-11-03T09:00:00Z", actor: "ann", "leave"),
                line("4", "2026-11-03T09:00:00Z", actor: "bob", "leave"),
                line("5", "2026-11-03T09:00:00Z", actor: "bob", "view"),  // same instant: the leave counts as after it
                line("6", "2026-11-04T09:00:00Z", actor: "ann", "view"),  // any event makes a member again
            ]
        ])
        let day = r[.day]!
        #expect(day.row("2026-11-02")?["members"] == "2")
        #expect(day.row("2026-11-03")?["members"] == "0")
        #expect(day.row("2026-11-04")?["members"] == "1")
        #expect(day.row("2026-11-04")?["new_members"] == "0")
        #expect(day.row("2026-11-02")?["new_members"] == "2")
        #expect(r[.week]!.row("2026-11-02")?["members"] == "1")
        #expect(day.row("2026-11-03")?["lurkers"] == "2")
        #expect(day.row("2026-11-03")?["lurker_share"] == "1")
    }

    @Test func responsesWithinSevenDaysExactly() throws {
        let r = try engagement([
            "a.ndjson": [
                line("p1", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c1"),
                line("p2", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c2"),
                line("p3", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c3"),
                // c1: answered after exactly 7 days.
                line("r1", "2026-11-09T00:00:00Z", actor: "bob", "reply", content: "x1", parent: "c1"),
                // c2: only one millisecond too late.
                line("r2", "2026-11-09T00:00:00.001Z", actor: "bob", "reply", content: "x2", parent: "c2"),
                // c3: answered only by its own author.
                line("r3", "2026-11-02T01:00:00Z", actor: "ann", "reply", content: "x3", parent: "c3"),
            ]
        ])
        let row = r[.day]!.row("2026-11-02")!
        #expect(row["posts"] == "3")
        #expect(row["response_rate"] == "0.333333")
        #expect(row["median_response_s"] == "604800")
        // The own reply is not a response and not an interaction; the others are interactions on the day they happen.
        #expect(row["interactions"] == "0")
        #expect(r[.day]!.row("2026-11-09")?["interactions"] == "2")
    }

    @Test func medianOfAnEvenNumberOfAnsweredPosts() throws {
        let r = try engagement([
            "a.ndjson": [
                line("p1", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c1"),
                line("p2", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c2"),
                line("p3", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c3"),
                line("p4", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c4"),
                line("r1", "2026-11-02T00:00:01.001Z", actor: "bob", "reply", content: "x1", parent: "c1"),
                line("r2", "2026-11-02T00:00:02.500Z", actor: "bob", "reply", content: "x2", parent: "c2"),
                line("r2b", "2026-11-02T00:00:01.000Z", actor: "cat", "reply", content: "x2b", parent: "c2"),  // earliest wins
                line("r3", "2026-11-02T00:10:00Z", actor: "bob", "reply", content: "x3", parent: "c3"),
                // c4 unanswered; a reply in another community still counts.
                line("r5", "2026-11-02T00:00:04Z", "sales", actor: "dan", "reply", content: "x5", parent: "c3"),
            ]
        ])
        let row = r[.day]!.row("2026-11-02")!
        // Delays: c1 1.001 s, c2 1.000 s (earliest), c3 4 s (other community) -> three: median 1.001.
        #expect(row["response_rate"] == "0.75")
        #expect(row["median_response_s"] == "1.001")
        // Add a fourth answer: c4 at 3.000 s -> 1.000, 1.001, 3, 4 -> (1.001 + 3) / 2.
        let r2 = try engagement([
            "a.ndjson": [
                line("p1", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c1"),
                line("p2", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c2"),
                line("p3", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c3"),
                line("p4", "2026-11-02T00:00:00Z", actor: "ann", "post", content: "c4"),
                line("r1", "2026-11-02T00:00:01.001Z", actor: "bob", "reply", content: "x1", parent: "c1"),
                line("r2", "2026-11-02T00:00:01.000Z", actor: "bob", "reply", content: "x2", parent: "c2"),
                line("r3", "2026-11-02T00:00:04Z", actor: "bob", "reply", content: "x3", parent: "c3"),
                line("r4", "2026-11-02T00:00:03Z", actor: "bob", "reply", content: "x4", parent: "c4"),
            ]
        ])
        #expect(r2[.day]!.row("2026-11-02")?["median_response_s"] == "2.0005")
        #expect(r2[.day]!.row("2026-11-02")?["response_rate"] == "1")
    }

    @Test func aParentThatOnlyAppearsInALaterLog() throws {
        let s = Scratch()
        s.write("logs/a.ndjson", line("r1", "2026-11-02T10:00:00Z", actor: "bob", "reply", content: "x1", parent: "c1") + "\n")
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        func day() throws -> [String: String] {
            try reportTables(warehouse: s.sub("wh"), families: [.day]) { EngagementReport.tables($0, settings: $1) }[.day]!
                .row("2026-11-02")!
        }
        #expect(try day()["unresolved_parents"] == "1")
        #expect(try day()["interactions"] == "0")
        // Tomorrow's log brings the post (its timestamp is earlier: it was delivered late).
        s.write("logs/b.ndjson", line("p1", "2026-11-02T09:00:00Z", actor: "ann", "post", content: "c1") + "\n")
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        #expect(try day()["unresolved_parents"] == "0")
        #expect(try day()["interactions"] == "1")
        #expect(try day()["response_rate"] == "1")
        #expect(try day()["median_response_s"] == "3600")
    }

    @Test func duplicatesAcrossTwoFilesCountOnce() throws {
        let e1 = line("1", "2026-11-02T10:00:00Z", actor: "ann", "post", content: "c1")
        let e2 = line("2", "2026-11-02T11:00:00Z", actor: "bob", "react", parent: "c1")
        let r = try engagement(["a.ndjson": [e1, e2], "b.ndjson": [e2, e1, e2]])
        let row = r[.day]!.row("2026-11-02")!
        #expect(row["events"] == "2")
        #expect(row["reactions"] == "1")
        #expect(row["interactions"] == "1")
    }

    @Test func dayAndWeekAcrossTheOctoberChangeInHelsinki() throws {
        // 2026-10-25: clocks go back from 04:00 EEST (+03) to 03:00 EET (+02): a 25-hour day.
        let r = try engagement(
            [
                "a.ndjson": [
                    line("1", "2026-10-24T20:59:59.999Z", actor: "ann", "view"),  // 23:59:59.999 +03 on the 24th
                    line("2", "2026-10-24T21:00:00Z", actor: "bob", "view"),  // 00:00 on the 25th (+03)
                    line("3", "2026-10-25T21:59:59.999Z", actor: "cat", "view"),  // 23:59:59.999 +02 on the 25th
                    line("4", "2026-10-25T22:00:00Z", actor: "dan", "view"),  // 00:00 on the 26th: a Monday, a new week
                ]
            ], timeZone: "Europe/Helsinki", asOf: RFC3339.parse("2026-10-25T22:00:00Z"))
        let day = r[.day]!
        #expect(day.row("2026-10-24")?["events"] == "1")
        #expect(day.row("2026-10-25")?["events"] == "2")
        #expect(day.row("2026-10-26")?["events"] == "1")
        // The 25th ends at 22:00 UTC (25 hours after it began): complete at as-of.
        #expect(day.row("2026-10-25")?["complete"] == "true")
        #expect(day.row("2026-10-26")?["complete"] == "false")
        let week = r[.week]!
        #expect(week.row("2026-10-19")?["events"] == "3")
        #expect(week.row("2026-10-19")?["complete"] == "true")
        #expect(week.row("2026-10-26")?["events"] == "1")
        // Retention: week of the 26th against the week of the 19th (no one came back).
        #expect(week.row("2026-10-26")?["retention_rate"] == "0")
    }

    @Test func monthBoundaryInANonUTCZone() throws {
        // 2026-10-31T22:30Z is 2026-11-01 00:30 in Helsinki (+02) and 2026-10-31 18:30 in New York (-04).
        let lines = [
            line("1", "2026-10-31T21:30:00Z", actor: "ann", "view"),
            line("2", "2026-10-31T22:30:00Z", actor: "bob", "view"),
        ]
        let helsinki = try engagement(["a.ndjson": lines], families: [.month], timeZone: "Europe/Helsinki")[.month]!
        #expect(helsinki.row("2026-10-01")?["events"] == "1")
        #expect(helsinki.row("2026-11-01")?["events"] == "1")
        let newYork = try engagement(["a.ndjson": lines], families: [.month], timeZone: "America/New_York")[.month]!
        #expect(newYork.row("2026-10-01")?["events"] == "2")
        #expect(newYork.row("2026-11-01") == nil)
        // October in Helsinki ended at 2026-10-31T22:00Z; as-of is the latest event, 22:30Z: complete.
        #expect(helsinki.row("2026-10-01")?["complete"] == "true")
        #expect(helsinki.row("2026-11-01")?["complete"] == "false")
    }

    @Test func retentionAfterAnEmptyPreviousPeriod() throws {
        let r = try engagement([
            "a.ndjson": [
                line("1", "2026-11-02T10:00:00Z", actor: "ann", "view"),
                line("2", "2026-11-02T10:00:00Z", actor: "bob", "view"),
                line("3", "2026-11-03T10:00:00Z", actor: "ann", "view"),
                line("4", "2026-11-03T11:00:00Z", actor: "cat", "view"),
                line("5", "2026-11-05T10:00:00Z", actor: "ann", "view"),  // the 4th had no events
            ]
        ])
        let day = r[.day]!
        #expect(day.row("2026-11-02")?["retention_rate"] == "")
        #expect(day.row("2026-11-03")?["retention_rate"] == "0.5")
        #expect(day.row("2026-11-04") == nil)
        #expect(day.row("2026-11-05")?["retention_rate"] == "")
    }

    @Test func creatorsReactorsAndTheCreatorMeasures() throws {
        var lines: [String] = []
        // ann 6 creations, bob 3, cat 1; dan reacts only; eve reacts and posts (a creator).
        for k in 0..<6 { lines.append(line("a\(k)", "2026-11-02T10:0\(k):00Z", actor: "ann", "post", content: "ca\(k)")) }
        for k in 0..<3 { lines.append(line("b\(k)", "2026-11-02T11:0\(k):00Z", actor: "bob", "reply", content: "cb\(k)", parent: "ca0")) }
        lines.append(
            line("c0", "2026-11-02T12:00:00Z", actor: "cat", "share", content: "cc0", parent: "ca1", mentions: ["ann", "cat", "bob"]))
        lines.append(line("d0", "2026-11-02T13:00:00Z", actor: "dan", "react", parent: "ca2"))
        lines.append(line("e0", "2026-11-02T13:00:00Z", actor: "eve", "react", parent: "nowhere"))
        lines.append(line("e1", "2026-11-02T14:00:00Z", actor: "eve", "post", content: "ce0"))
        lines.append(line("f0", "2026-11-02T14:00:00Z", actor: "fay", "view", parent: "ca0"))
        let row = try engagement(["a.ndjson": lines])[.day]!.row("2026-11-02")!
        #expect(row["creators"] == "4")
        #expect(row["reactors"] == "1")
        #expect(row["lurkers"] == "1")
        #expect(row["active_users"] == "6")
        #expect(row["new_creators"] == "4")
        // Counts 6, 3, 1, 1 of 11: 6 alone is not half (12 > 11 needs 6 >= 5.5): 1 creator.
        #expect(row["core_creators"] == "1")
        // Gini of [1, 1, 3, 6]: sum |xi - xj| = 2 * (0 + 2 + 5 + 2 + 5 + 3) = 34; / (2 * 16 * 2.75) = 0.386364.
        #expect(row["creator_gini"] == "0.386364")
        // Interactions: 3 replies -> ann, share -> ann, mentions ann and bob (cat is self), dan -> ann = 7.
        #expect(row["interactions"] == "7")
        #expect(row["unresolved_parents"] == "1")
    }
}
