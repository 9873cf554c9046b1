import Foundation
import SiltaReports
import Testing

/// The dashboard (docs/dashboard.md): its headline figures are their CSV
/// cells, it fetches nothing and runs nothing, it is well-formed HTML, a
/// rerun gives the same bytes, and a missing report is an error.
@Suite struct DashboardTests {
    /// A night on generated logs (five weeks), then the dashboard.
    static func night(_ s: Scratch, communities: Int = 8, days: Int = 35, events: Int = 20_000) throws -> RunResult {
        var c = GeneratorConfigForTests.small
        c.events = events
        c.days = days
        c.communities = communities
        _ = try generateLogs(c, out: s.sub("logs"))
        let night = try runJob("nightly", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        #expect(night.status == 0, "\(night.stderr)")
        return try runJob("dashboard", ["--reports", s.sub("r"), "--warehouse", s.sub("wh")])
    }

    /// The data island's object.
    static func island(_ html: String) throws -> [String: Any] {
        let open = try #require(html.range(of: "<script type=\"application/json\" id=\"silta-data\">"))
        let close = try #require(html.range(of: "</script>", range: open.upperBound..<html.endIndex))
        let json = String(html[open.upperBound..<close.lowerBound])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    /// The CSV cell an island entry names.
    static func cell(_ folder: String, _ entry: [String: Any]) throws -> String? {
        let path = folder + "/" + (entry["report"] as! String) + "_" + (entry["period"] as! String) + ".csv"
        var reader = try ReportReader(path: path)
        let column = try #require(reader.index(of: entry["column"] as! String))
        while let row = try reader.next() {
            let cells = Dictionary(uniqueKeysWithValues: zip(reader.columns, row.map { String(decoding: $0, as: UTF8.self) }))
            guard cells["period_start"] == entry["period_start"] as? String else { continue }
            if let kind = entry["kind"] as? String, cells["kind"] != kind { continue }
            if let community = entry["community"] as? String, cells["community"] != community { continue }
            return String(decoding: row[column], as: UTF8.self)
        }
        return nil
    }

    @Test func theHeadlineFiguresAreTheirCSVCellsAndTheSeriesToo() throws {
        let s = Scratch()
        let r = try Self.night(s)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: s.sub("r/dashboard.html"), encoding: .utf8)
        let data = try Self.island(html)
        let headline = try #require(data["headline"] as? [[String: Any]])
        let columns = Set(headline.map { $0["column"] as! String })
        for column in [
            "internal_active", "external_active", "internal_creators", "external_creators", "response_rate", "median_response_s",
            "boundary_spanners", "advocacy_rate",
        ] {
            #expect(columns.contains(column), "no headline figure for \(column)")
        }
        let series = try #require(data["series"] as? [[String: Any]])
        #expect(series.count > headline.count)
        for entry in headline + series {
            let csv = try Self.cell(s.sub("r"), entry)
            let value = entry["value"]
            if value is NSNull {
                #expect(csv == "", "\(entry)")
            } else {
                #expect(csv.flatMap(Double.init) == (value as? NSNumber)?.doubleValue, "\(entry) against the CSV's \(csv ?? "nothing")")
            }
        }
        // The champions are the people report's most contributions in the cards' week.
        let week = try #require(headline.first?["period_start"] as? String)
        var reader = try ReportReader(path: s.sub("r/people_weekly.csv"))
        var rows: [(String, Int)] = []
        while let row = try reader.next() {
            let cells = Dictionary(uniqueKeysWithValues: zip(reader.columns, row.map { String(decoding: $0, as: UTF8.self) }))
            if cells["period_start"] == week { rows.append((cells["person"]!, Int(cells["contributions"]!)!)) }
        }
        let champions = rows.enumerated().sorted { ($0.element.1, -$0.offset) > ($1.element.1, -$1.offset) }.prefix(10).map {
            "<tr><td class=\"person\">\($0.element.0)</td><td>\($0.element.1)</td></tr>"
        }
        #expect(champions.count == 10)
        #expect(html.contains("<h3>Champions</h3>") && html.contains(champions.joined()), "the champions table")
        // Each headline figure is written with the CSV's own digits.
        for entry in headline where !(entry["value"] is NSNull) {
            #expect(html.contains("\"column\":\"\(entry["column"]!)\",\"value\":\(try Self.cell(s.sub("r"), entry)!)}"))
        }
    }

    @Test func itFetchesNothingRunsNothingIsWellFormedAndRerunsToTheSameBytes() throws {
        let s = Scratch()
        #expect(try Self.night(s).status == 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: s.sub("r/dashboard.html")))
        let (status, output) = try python("html_check.py", [s.sub("r/dashboard.html")])
        #expect(status == 0, "\(output)")
        let html = String(decoding: first, as: UTF8.self)
        #expect(!html.contains("http:") && !html.contains("https:") && !html.contains("src=") && !html.contains("href="))
        #expect(html.components(separatedBy: "<script").count == 2, "only the data island")
        #expect(html.contains("role=\"img\"") && html.contains("<title id=") && html.contains("<details>"))
        let again = try runJob("dashboard", ["--reports", s.sub("r"), "--warehouse", s.sub("wh")])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.sub("r/dashboard.html"))) == first)
        // So does the next night on the same logs (it ingests nothing new).
        let night = try runJob("nightly", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        #expect(night.status == 0, "\(night.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.sub("r/dashboard.html"))) == first)
    }

    @Test func aMissingReportIsAnErrorAndWritesNothing() throws {
        let s = Scratch()
        try FileManager.default.createDirectory(atPath: s.sub("r"), withIntermediateDirectories: true)
        let r = try runJob("dashboard", ["--reports", s.sub("r")])
        #expect(r.status == 66, "\(r.stderr)")
        #expect(r.stderr.contains("bridging_weekly.csv") && r.stderr.contains("run the report jobs"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.sub("r/dashboard.html")))
        s.write("r/bridging_weekly.csv", "period_start,complete\n2026-11-02,tr")
        s.write("r/engagement_weekly.csv", "period_start\n")
        let cut = try runJob("dashboard", ["--reports", s.sub("r")])
        #expect(cut.status == 65 && cut.stderr.contains("line 2"), "\(cut.stderr)")
        let bad = try runJob("dashboard", ["--reports", s.sub("r"), "--dashboard-period", "year"])
        #expect(bad.status == 64)
    }

    @Test func reportsEditedIntoNonsenseGiveAPageOrAnErrorNeverACrash() throws {
        let s = Scratch()
        #expect(try Self.night(s).status == 0)
        let pristine = folderContents(s.sub("r"))
        for (report, word) in ["engagement", "bridging", "social_capital", "community_links", "people"].flatMap({ r in
            ["many", "1e300", "inf", "-nan", "99999999999999999999"].map { (r, $0) }
        }) {
            let path = s.sub("r/\(report)_weekly.csv")
            // Each case from the night's files.
            for (name, data) in pristine where name.hasSuffix(".csv") {
                FileManager.default.createFile(atPath: s.sub("r/" + name), contents: data)
            }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let header = text.prefix { $0 != "\n" }
            // Every number of every row turned into a word (dates and names kept, so the rows still match).
            let body = text.dropFirst(header.count).split(separator: "\n").map { line in
                line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
                    !cell.isEmpty && cell.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) && cell.filter({ $0 == "-" }).count != 2
                        ? word : String(cell)
                }.joined(separator: ",")
            }
            try (String(header) + "\n" + body.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let r = try runJob("dashboard", ["--reports", s.sub("r"), "--warehouse", s.sub("wh")])
            // A documented exit code, never a trap (a signal shows as its number here, as 4 for SIGILL).
            #expect(
                [0, 1, 65, 66].contains(r.status) && !r.stderr.contains("Swift runtime failure"),
                "\(report): exit \(r.status) \(r.stderr.prefix(400))")
        }
    }

    @Test func hostileCommunityNamesAreOnlyText() throws {
        let s = Scratch()
        let names = ["</script><script>alert(1)</script>", "<b onmouseover=x>", "a&b \"q\" 'r'"]
        var lines: [String] = []
        for (k, name) in names.enumerated() {
            for d in 0..<10 {
                lines.append(
                    line(
                        "e\(k)-\(d)", "2026-11-\(String(format: "%02d", 2 + d))T10:00:00Z", name,
                        kind: k % 2 == 0 ? "internal" : "external",
                        actor: "p\(d % 3)", "post", content: "c\(k)-\(d)"))
            }
        }
        s.write("logs/a.ndjson", lines.joined(separator: "\n") + "\n")
        let night = try runJob("nightly", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        #expect(night.status == 0, "\(night.stderr)")
        let r = try runJob("dashboard", ["--reports", s.sub("r"), "--warehouse", s.sub("wh")])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: s.sub("r/dashboard.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<script").count == 2)
        #expect(!html.contains("<b onmouseover"))
        let (status, output) = try python("html_check.py", [s.sub("r/dashboard.html")])
        #expect(status == 0, "\(output)")
        // The island still parses, and names the community as it is.
        let data = try Self.island(html)
        let communities = Set(((data["headline"] as? [[String: Any]]) ?? []).compactMap { $0["community"] as? String })
        #expect(communities.isSubset(of: Set(names)) && !communities.isEmpty, "\(communities)")
    }
}

extension DashboardTests {
    /// Chromium on PATH (`make test-setup` installs Debian's where it is missing).
    static var browser: URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return URL(fileURLWithPath: "\(dir)/\(name)")
            }
        }
        return nil
    }

    /// A headless screenshot of `page` at `width`, and what png_check.py says of it: width, height, ink.
    static func screenshot(_ page: String, width: Int, to png: String, profile: String) throws -> (Int, Int, Double) {
        let browser = try #require(Self.browser, "no chromium on PATH: make test-setup installs it")
        let r = try runProgram(
            browser,
            [
                "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + png,
                "--window-size=\(width),2400", "file://" + page,
            ])
        #expect(FileManager.default.fileExists(atPath: png), "chromium wrote no screenshot: \(r.stderr)")
        let (status, output) = try python("png_check.py", [png])
        #expect(status == 0, "\(output)")
        let words = output.split(whereSeparator: \.isWhitespace)
        return (Int(words[0]) ?? 0, Int(words[1]) ?? 0, Double(words[2]) ?? 0)
    }

    @Test func aBrowserDrawsThePageAtDesktopAndPhoneWidths() throws {
        let s = Scratch()
        #expect(try Self.night(s).status == 0)
        for (name, width) in [("desktop", 1280), ("phone", 390)] {
            let (w, h, ink) = try Self.screenshot(
                s.sub("r/dashboard.html"), width: width, to: s.sub("\(name).png"), profile: s.sub("profile"))
            #expect(w == width && h == 2400, "\(name): \(w) x \(h)")
            #expect(ink > 0.02, "\(name): the page looks blank (\(ink) of it drawn)")
        }
        // The check can fail: a blank page draws nothing.
        s.write("blank.html", "<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>\n")
        let (_, _, ink) = try Self.screenshot(s.sub("blank.html"), width: 390, to: s.sub("blank.png"), profile: s.sub("profile"))
        #expect(ink < 0.001)
    }
}

extension DashboardTests {
    @Test func twoHundredCommunitiesAndAYearOfWeeksStayUnderThreeMegabytes() throws {
        let s = Scratch()
        var c = GeneratorConfigForTests.small
        c.events = 100_000
        c.days = 365
        c.communities = 200
        c.firstDay = RFC3339Days.of("2025-06-01")
        _ = try generateLogs(c, out: s.sub("logs"))
        let night = try runJob("nightly", ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "-q"])
        #expect(night.status == 0, "\(night.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: s.sub("r/dashboard.html"))[.size] as? Int ?? .max
        #expect(size < 3_000_000, "\(size) bytes")
        let html = try String(contentsOfFile: s.sub("r/dashboard.html"), encoding: .utf8)
        let periods = try Self.island(html)["series"] as? [[String: Any]] ?? []
        #expect(Set(periods.compactMap { $0["period_start"] as? String }).count >= 52, "a year of weeks is plotted")
        // The night keeps it with the reports.
        let kept = try FileManager.default.contentsOfDirectory(atPath: s.sub("r/history")).first.map {
            s.sub("r/history/" + $0 + "/dashboard.html")
        }
        #expect(kept.map { FileManager.default.contents(atPath: $0) } == FileManager.default.contents(atPath: s.sub("r/dashboard.html")))
    }
}

extension DashboardTests {
    @Test func aWeekWithoutEventsIsAGapNotAZeroAndBotsAreCounted() throws {
        let s = Scratch()
        var lines: [String] = []
        for (k, day) in ["2026-11-02", "2026-11-03", "2026-11-16", "2026-11-17", "2026-11-23"].enumerated() {
            lines.append(line("i\(k)", day + "T10:00:00Z", "intra", actor: "ann", "post", content: "c\(k)"))
            lines.append(line("x\(k)", day + "T11:00:00Z", "forum", kind: "external", actor: "ann", "post", content: "d\(k)"))
            lines.append(line("b\(k)", day + "T12:00:00Z", "intra", actor: "bot", "reply", content: "r\(k)", parent: "c\(k)"))
        }
        s.write("logs/a.ndjson", lines.joined(separator: "\n") + "\n")
        s.write("ids.csv", "id,person,bot\nbot,,true\n")
        let night = try runJob(
            "nightly",
            ["--logs", s.sub("logs"), "--warehouse", s.sub("wh"), "--reports", s.sub("r"), "--identities", s.sub("ids.csv"), "-q"])
        #expect(night.status == 0, "\(night.stderr)")
        let html = try String(contentsOfFile: s.sub("r/dashboard.html"), encoding: .utf8)
        // Weeks of 2, 9 (no event), 16 and 23 November: four on the axis, three in the island.
        #expect(html.contains(">2026-11-09 (not over)<") || html.contains(">2026-11-09<"), "the empty week is on the axis")
        let series = (try Self.island(html)["series"] as? [[String: Any]]) ?? []
        let weeks = Set(series.filter { $0["report"] as? String == "bridging" }.compactMap { $0["period_start"] as? String })
        #expect(weeks == ["2026-11-02", "2026-11-16", "2026-11-23"])
        #expect(html.contains("<td>—</td>"), "the empty week's cells are empty, not 0")
        // The active-people line is broken in two at the empty week.
        let path = try #require(html.components(separatedBy: "<path d=\"").dropFirst().first)
        #expect(path.prefix(while: { $0 != "\"" }).filter { $0 == "M" }.count == 2, "\(path.prefix(80))")
        #expect(html.contains("1 of them bots") && html.contains("(5 events left out)"), "the bots line")
    }
}
