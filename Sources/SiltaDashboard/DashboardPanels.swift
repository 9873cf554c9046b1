import SiltaReports

/// The panels after the cards and the first two charts (docs/dashboard.md).
extension DashboardPage {
    /// 3. Participation: creators, reactors and lurkers in the busiest communities.
    static func participation(_ data: DashboardData, start: String, figures: inout [Figure]) throws -> String {
        let rows = try data.busiestCommunities(in: start, limit: 10)
        guard !rows.isEmpty else { return "" }
        var labels: [String] = []
        var parts: [(name: String, style: SVGChart.Style, values: [Double])] = [
            ("creators", .internalSide, []), ("reactors", .third, []), ("lurkers", .externalSide, []),
        ]
        var table =
            "<table><thead><tr><th scope=\"col\">community</th><th scope=\"col\">active users</th><th scope=\"col\">creators</th><th scope=\"col\">reactors</th><th scope=\"col\">lurkers</th></tr></thead><tbody>"
        for row in rows {
            let active = try data.engagementFigure(row, "active_users")
            labels.append("\(active.kind ?? "") · \(active.community ?? "")")
            table += "<tr><th scope=\"row\">\(HTML.escape(labels.last!))</th><td>\(active.cell)</td>"
            figures.append(active)
            for k in parts.indices {
                let f = try data.engagementFigure(row, parts[k].name)
                figures.append(f)
                parts[k].values.append(f.value ?? 0)
                table += "<td>\(f.cell)</td>"
            }
            table += "</tr>"
        }
        table += "</tbody></table>"
        return panel(
            title: "Participation in the busiest communities",
            text:
                "Of each community's active people in \(data.name(of: start)): who creates (posts, replies, shares), who only reacts, and who only looks. Many communities follow a 90-9-1 split; a larger creator share is a healthier community.",
            chart: SVGChart.stackedBars(
                title: "Participation in the busiest communities",
                description: "Shares of creators, reactors and lurkers among the active users of the ten busiest communities.",
                labels: labels, parts: parts),
            table: table)
    }

    /// 4. Responsiveness over time in the busiest community of each side.
    static func responsiveness(_ data: DashboardData, start: String, figures: inout [Figure]) throws -> String {
        var rate: [SVGChart.Series] = []
        var delay: [SVGChart.Series] = []
        for (kind, style) in [("internal", SVGChart.Style.internalSide), ("external", .externalSide)] {
            guard let row = try data.busiest(kind: kind, in: start) else { continue }
            let community = try data.engagement.cell(row, "community")
            let r = try data.engagementSeries("response_rate", kind: kind, community: community)
            let d = try data.engagementSeries("median_response_s", kind: kind, community: community)
            figures += r.compactMap { $0 } + d.compactMap { $0 }
            rate.append(SVGChart.Series(name: "\(kind) · \(community)", style: style, values: r.map { $0?.value }))
            delay.append(SVGChart.Series(name: "\(kind) · \(community)", style: style, values: d.map { $0?.value.map { $0 / 3600 } }))
        }
        guard !rate.isEmpty else { return "" }
        let provisional = data.responsesProvisional
        return panel(
            title: "Responsiveness",
            text:
                "Does anyone answer? The share of posts answered by someone else within 7 days, and the median time to the first answer, in the busiest community of each side. Hollow markers: the period is not over, or its last posts can still be answered (less than 7 days ago).",
            chart: SVGChart.lines(
                title: "Response rate", description: "Share of posts answered within 7 days, per period.", unit: "share of posts answered",
                labels: data.periods, provisional: provisional, series: rate, maximum: 1)
                + SVGChart.lines(
                    title: "Median response time", description: "Median time to the first answer, in hours, per period.", unit: "hours",
                    labels: data.periods, provisional: provisional, series: delay),
            table: table(
                data.periods, provisional,
                rate.map { s in SVGChart.Series(name: "rate, " + s.name, style: s.style, values: s.values) }
                    + delay.map { s in SVGChart.Series(name: "hours, " + s.name, style: s.style, values: s.values) }))
    }

    /// 5, second part: the strongest community links of the period.
    static func strongestLinks(_ data: DashboardData, start: String) throws -> String {
        guard let links = data.links else { return "" }
        let s = try links.column("period_start")
        let (shared, jaccard) = (try links.column("shared_creators"), try links.column("jaccard"))
        let rows = links.rows.enumerated().filter { $0.element[s] == start }.sorted {
            (Int($0.element[shared]) ?? 0, Double($0.element[jaccard]) ?? 0, -$0.offset) > (
                Int($1.element[shared]) ?? 0, Double($1.element[jaccard]) ?? 0, -$1.offset
            )
        }.prefix(10)
        guard !rows.isEmpty else { return "" }
        var out =
            "<h3>The strongest community links, \(HTML.escape(data.name(of: start)))</h3><table><thead><tr><th scope=\"col\">community A</th><th scope=\"col\">community B</th><th scope=\"col\">shared creators</th><th scope=\"col\">Jaccard</th><th scope=\"col\">shares A → B</th><th scope=\"col\">shares B → A</th></tr></thead><tbody>"
        for (_, row) in rows {
            out += "<tr><td>\(HTML.escape(try links.cell(row, "kind_a") + " · " + links.cell(row, "community_a")))</td>"
            out += "<td>\(HTML.escape(try links.cell(row, "kind_b") + " · " + links.cell(row, "community_b")))</td>"
            out +=
                "<td>\(row[shared])</td><td>\(row[jaccard])</td><td>\(try links.cell(row, "shares_a_to_b"))</td><td>\(try links.cell(row, "shares_b_to_a"))</td></tr>"
        }
        return out + "</tbody></table>"
    }

    /// 6. Social capital: each community's bonding against bridging index.
    static func socialCapital(_ data: DashboardData, start: String, figures: inout [Figure]) throws -> String {
        guard let sc = data.socialCapital else { return "" }
        let s = try sc.column("period_start")
        let nodes = try sc.column("nodes")
        let bondingColumn = try sc.column("bonding_index")
        var rows = sc.rows.enumerated().filter { $0.element[s] == start && !$0.element[bondingColumn].isEmpty }
        rows.sort { (Int($0.element[nodes]) ?? 0, -$0.offset) > (Int($1.element[nodes]) ?? 0, -$1.offset) }
        guard !rows.isEmpty else { return "" }
        var points: [(label: String, x: Double, y: Double, style: SVGChart.Style)] = []
        var table =
            "<table><thead><tr><th scope=\"col\">community</th><th scope=\"col\">people in the graph</th><th scope=\"col\">bonding index</th><th scope=\"col\">bridging index</th></tr></thead><tbody>"
        for (_, row) in rows {
            let kind = try sc.cell(row, "kind")
            let community = try sc.cell(row, "community")
            func figure(_ column: String) throws -> Figure {
                Figure(
                    report: "social_capital", period: data.period, periodStart: start, kind: kind, community: community, column: column,
                    cell: try sc.cell(row, column))
            }
            let (bonding, bridging) = (try figure("bonding_index"), try figure("bridging_index"))
            figures += [bonding, bridging]
            points.append(
                (kind + " · " + community, bonding.value ?? 0, bridging.value ?? 0, kind == "internal" ? .internalSide : .externalSide))
            table +=
                "<tr><th scope=\"row\">\(HTML.escape(kind + " · " + community))</th><td>\(row[nodes])</td><td>\(bonding.cell)</td><td>\(bridging.cell)</td></tr>"
        }
        table += "</tbody></table>"
        return panel(
            title: "Social capital: tight group or bridge?",
            text:
                "Each community of \(data.name(of: start)), by how tightly its members are connected to each other (bonding index, right) and how much its members connect otherwise unconnected people (bridging index, up). Round markers: internal; square: external. The largest communities are named.",
            chart: SVGChart.scatter(
                title: "Bonding against bridging", description: "Each community's bonding index against its bridging index.",
                xLabel: "bonding index",
                yLabel: "bridging index", points: points),
            table: table)
    }

    /// 7. People: champions, newcomers, boundary spanners, the most answered.
    static func people(_ data: DashboardData) -> String {
        guard let people = data.people else { return "" }
        func table(_ title: String, _ what: String, _ rows: [PeopleOfPeriod.Row], _ value: (PeopleOfPeriod.Row) -> String) -> String {
            var out =
                "<article class=\"list\"><h3>\(HTML.escape(title))</h3><table><thead><tr><th scope=\"col\">person</th><th scope=\"col\">\(HTML.escape(what))</th></tr></thead><tbody>"
            for r in rows { out += "<tr><td class=\"person\">\(HTML.escape(r.person))</td><td>\(HTML.escape(value(r)))</td></tr>" }
            if rows.isEmpty { out += "<tr><td colspan=\"2\">nobody</td></tr>" }
            return out + "</tbody></table></article>"
        }
        var body = "<div class=\"lists\">"
        for list in PeopleHighlight.allCases {
            let rows = list.rows(of: people)
            switch list {
            case .champions: body += table(list.title, "contributions", rows) { String($0.contributions) }
            case .newcomers: body += table(list.title, "contributions (first seen)", rows) { "\($0.contributions) (\($0.firstSeen))" }
            case .boundarySpanners:
                body += table(list.title, "inside / outside", rows) { "\($0.internalContributions) / \($0.externalContributions)" }
            case .mostAnswered: body += table(list.title, "interactions received", rows) { String($0.interactionsIn) }
            }
        }
        body += "</div>"
        return
            "<section class=\"panel\"><h2>People, \(HTML.escape(data.name(of: people.start)))</h2><p>From the people report: the names are its `person` cells, pseudonyms unless the night was asked for raw ids (docs/people.md).</p>\(body)</section>\n"
    }

    /// The identity file the reports were made with, from engagement's twin.
    static func bots(_ data: DashboardData) -> String {
        guard let identities = data.identities else {
            return "<p>No identity file: every id is its own person and nobody is treated as a bot (docs/identities.md).</p>"
        }
        return
            "<p>An identity file of \(identities.ids) ids: \(identities.persons) persons, \(identities.bots) of them bots, whose activity is left out of every figure\(data.botEvents.map { " (\($0) events left out)" } ?? "").</p>"
    }

    /// 8. Data quality.
    static func quality(_ data: DashboardData, warehouse q: WarehouseQuality?) throws -> String {
        var body = ""
        if let q {
            body +=
                "<p>Every ingest so far read \(q.files) log files, \(q.lines) lines: \(q.accepted) accepted (\(q.events) events once duplicates are dropped), \(q.rejected) rejected.</p>"
            if !q.reasons.isEmpty {
                body += "<table><thead><tr><th scope=\"col\">rejected because</th><th scope=\"col\">lines</th></tr></thead><tbody>"
                for r in q.reasons { body += "<tr><td>\(HTML.escape(r.reason))</td><td>\(r.count)</td></tr>" }
                body += "</tbody></table>"
            }
            body +=
                q.damaged.isEmpty
                ? "<p>No damaged file.</p>"
                : "<p>Damaged files (what could be read was used):</p><ul>"
                    + q.damaged.map { "<li>\(HTML.escape($0.file)): \(HTML.escape($0.damage))</li>" }.joined() + "</ul>"
        } else {
            body += "<p>The warehouse could not be read for its totals.</p>"
        }
        body += bots(data)
        let unresolved = [
            SVGChart.Series(name: "internal", style: .internalSide, values: try data.engagementSum("unresolved_parents", kind: "internal")),
            SVGChart.Series(name: "external", style: .externalSide, values: try data.engagementSum("unresolved_parents", kind: "external")),
        ]
        let provisional = data.complete.map { !$0 }
        return panel(
            title: "Data quality",
            text:
                "What the figures stand on. Unresolved parents are replies, reactions and shares whose original post is in no log Silta has read (the sum over each side's communities of engagement's unresolved_parents): many of them mean a source is missing.",
            chart: SVGChart.lines(
                title: "Unresolved parents", description: "Replies, reactions and shares whose parent is unknown, per period.",
                unit: "events",
                labels: data.periods, provisional: provisional, series: unresolved) + body,
            table: table(data.periods, provisional, unresolved))
    }
}
