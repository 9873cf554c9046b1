import SiltaSupport

/// The dashboard page (docs/dashboard.md): one self-contained HTML file,
/// inline CSS and SVG, no script that runs, nothing fetched; the figures it
/// plots in a JSON data island, each naming the CSV cell it comes from.
package enum DashboardPage {
    /// One headline card: a figure on each side (or one for the whole
    /// organisation), this period and the one before.
    struct Card {
        var title: String
        var note: String
        /// Label, this period's figure, the previous period's.
        var figures: [(label: String, current: Figure, previous: Figure?)]
        /// How a value is written: `percent`, `seconds` or a count.
        var format: Format
    }

    enum Format { case count, percent, duration }

    /// The page for `data`; `title` names the organisation's reports.
    package static func render(_ data: DashboardData, asOf: String?, timeZone: String?, warehouse: WarehouseQuality? = nil) throws -> String
    {
        var headline: [Figure] = []
        var series: [Figure] = []
        var body = ""
        let latest = data.latest
        // 1. Cards.
        if let (k, p) = latest {
            let start = data.periods[k]
            var cards: [Card] = []
            /// Period `k`'s bridging cell (it has events) and the period before's, if it had.
            func side(_ label: String, _ column: String) throws -> (String, Figure, Figure?) {
                (label, try data.bridgingFigure(k, column)!, try p.flatMap { try data.bridgingFigure($0, column) })
            }
            cards.append(
                Card(
                    title: "Active people", note: "distinct people with any activity, on each side (bridging report)",
                    figures: [try side("internal", "internal_active"), try side("external", "external_active")], format: .count))
            cards.append(
                Card(
                    title: "Creators", note: "people who posted, replied or shared, on each side (bridging report)",
                    figures: [try side("internal", "internal_creators"), try side("external", "external_creators")], format: .count))
            var busiest: [(String, [String])] = []
            for kind in ["internal", "external"] {
                if let row = try data.busiest(kind: kind, in: start) { busiest.append((kind, row)) }
            }
            let previousStart = p.map { data.periods[$0] }
            func engagementPair(_ column: String) throws -> [(String, Figure, Figure?)] {
                try busiest.map { kind, row in
                    let current = try data.engagementFigure(row, column)
                    let before = try previousStart.flatMap { s in
                        try data.engagement.rows.first {
                            try data.engagement.cell($0, "period_start") == s && data.engagement.cell($0, "kind") == kind
                                && data.engagement.cell($0, "community") == current.community
                        }.map { try data.engagementFigure($0, column) }
                    }
                    return ("\(kind): \(current.community ?? "")", current, before)
                }
            }
            cards.append(
                Card(
                    title: "Response rate",
                    note: "share of posts answered by someone else within 7 days, in the busiest community of each side",
                    figures: try engagementPair("response_rate"), format: .percent))
            cards.append(
                Card(
                    title: "Median response time", note: "to the first answer, in the same communities",
                    figures: try engagementPair("median_response_s"),
                    format: .duration))
            cards.append(
                Card(
                    title: "Boundary spanners", note: "people who create on both sides (bridging report)",
                    figures: [try side("everyone", "boundary_spanners")],
                    format: .count))
            cards.append(
                Card(
                    title: "Advocacy rate", note: "boundary spanners among internal creators (bridging report)",
                    figures: [try side("everyone", "advocacy_rate")],
                    format: .percent))
            body +=
                "<section class=\"cards\" aria-label=\"The latest complete period\"><h2>\(HTML.escape(capitalised(data.name(of: start))))</h2>"
            for card in cards {
                body += "<article class=\"card\"><h3>\(HTML.escape(card.title))</h3>"
                for (label, current, previous) in card.figures {
                    headline.append(current)
                    body +=
                        "<p class=\"figure\"><span class=\"label\">\(HTML.escape(label))</span> <strong>\(HTML.escape(text(current, card.format)))</strong>"
                    body += " <span class=\"change\">\(HTML.escape(change(current, previous, card.format)))</span></p>"
                }
                body += "<p class=\"note\">\(HTML.escape(card.note))</p></article>"
            }
            body += "</section>"
        } else {
            body +=
                "<section class=\"cards\"><h2>No complete period yet</h2><p>The cards show the latest complete period; none has ended.</p></section>"
        }
        let provisional = data.complete.map { !$0 }
        // 2. Active people over time.
        let active = try panelSeries(
            data, columns: [("internal_active", "internal", .internalSide), ("external_active", "external", .externalSide)])
        series += active.figures
        let newInternal = try data.engagementSum("new_members", kind: "internal")
        let newExternal = try data.engagementSum("new_members", kind: "external")
        body += panel(
            title: "Active people over time",
            text:
                "Distinct people with any activity on each side, and new members (the sum over each side's communities of engagement's new_members; a person new to two communities counts twice).",
            chart: SVGChart.lines(
                title: "Active people over time", description: "Active people and new members per period, internal and external.",
                unit: "people", labels: data.periods, provisional: provisional,
                series: active.series + [
                    SVGChart.Series(name: "new, internal", style: .third, values: newInternal),
                    SVGChart.Series(name: "new, external", style: .fourth, values: newExternal),
                ]),
            table: table(
                data.periods, provisional,
                active.series + [
                    SVGChart.Series(name: "new, internal", style: .third, values: newInternal),
                    SVGChart.Series(name: "new, external", style: .fourth, values: newExternal),
                ]))
        // 5. The bridge.
        let bridge = try panelSeries(data, columns: [("boundary_spanners", "boundary spanners", .internalSide)])
        let shares = try panelSeries(
            data,
            columns: [
                ("internal_to_external_shares", "shares internal → external", .externalSide),
                ("external_to_internal_shares", "shares external → internal", .third),
            ])
        let advocacy = try panelSeries(data, columns: [("advocacy_rate", "advocacy rate", .internalSide)])
        series += bridge.figures + shares.figures + advocacy.figures
        body += panel(
            title: "The bridge",
            text: "People who create on both sides, the share of internal creators who do, and content shared across the boundary.",
            chart: SVGChart.lines(
                title: "Boundary spanners and shares", description: "Boundary spanners and shares across the boundary per period.",
                unit: "people, shares", labels: data.periods, provisional: provisional, series: bridge.series + shares.series)
                + SVGChart.lines(
                    title: "Advocacy rate", description: "Boundary spanners among internal creators per period, 0 to 1.",
                    unit: "share of internal creators",
                    labels: data.periods, provisional: provisional, series: advocacy.series, maximum: 1)
                + (try latest.map { try strongestLinks(data, start: data.periods[$0.current]) } ?? ""),
            table: table(data.periods, provisional, bridge.series + shares.series + advocacy.series))
        if let (k, _) = latest {
            let start = data.periods[k]
            body += try participation(data, start: start, figures: &series)
            body += try responsiveness(data, start: start, figures: &series)
            body += try socialCapital(data, start: start, figures: &series)
            body += people(data)
        }
        body += try quality(data, warehouse: warehouse)
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page +=
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Silta dashboard</title><style>\(css)</style></head>\n<body>"
        page += "<header><h1>Communities inside and outside</h1><p>\(HTML.escape(data.period)) figures"
        if let asOf { page += ", as of \(HTML.escape(asOf))" }
        if let timeZone { page += ", time zone \(HTML.escape(timeZone))" }
        page += ". Hollow markers: a period not yet over, whose figures may still change.</p></header>\n"
        page += "<main>" + body + "</main>\n"
        page +=
            "<script type=\"application/json\" id=\"silta-data\">" + island(headline: headline, series: series)
            + "</script>\n</body></html>\n"
        return page
    }

    static func capitalised(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// The bridging columns as series, and their figures.
    static func panelSeries(_ data: DashboardData, columns: [(String, String, SVGChart.Style)]) throws -> (
        series: [SVGChart.Series], figures: [Figure]
    ) {
        var out: [SVGChart.Series] = []
        var figures: [Figure] = []
        for (column, name, style) in columns {
            var values: [Double?] = []
            for k in data.periods.indices {
                let f = try data.bridgingFigure(k, column)
                if let f { figures.append(f) }
                values.append(f?.value)
            }
            out.append(SVGChart.Series(name: name, style: style, values: values))
        }
        return (out, figures)
    }

    static func panel(title: String, text: String, chart: String, table: String) -> String {
        "<section class=\"panel\"><h2>\(HTML.escape(title))</h2><p>\(HTML.escape(text))</p>\(chart)<details><summary>The numbers</summary>\(table)</details></section>\n"
    }

    /// The numbers of `series` under the chart.
    static func table(_ periods: [String], _ provisional: [Bool], _ series: [SVGChart.Series]) -> String {
        var out = "<table><thead><tr><th scope=\"col\">period start</th>"
        for s in series { out += "<th scope=\"col\">\(HTML.escape(s.name))</th>" }
        out += "</tr></thead><tbody>"
        for (i, p) in periods.enumerated() {
            out += "<tr><th scope=\"row\">\(HTML.escape(p))\(provisional[i] ? " (not over)" : "")</th>"
            for s in series { out += "<td>\(s.values[i].map { SVGChart.number($0) } ?? "—")</td>" }
            out += "</tr>"
        }
        return out + "</tbody></table>"
    }

    static func text(_ f: Figure, _ format: Format) -> String {
        guard let v = f.value else { return "—" }
        switch format {
        case .count: return f.cell
        case .percent: return SVGChart.number(v * 100) + " %"
        case .duration:
            if v < 120 { return SVGChart.number(v) + " s" }
            if v < 7200 { return SVGChart.number(v / 60) + " min" }
            return SVGChart.number(v / 3600) + " h"
        }
    }

    static func change(_ current: Figure, _ previous: Figure?, _ format: Format) -> String {
        guard let now = current.value, let before = previous?.value else { return "(no change to show)" }
        let d = now - before
        let sign = d > 0 ? "+" : d < 0 ? "−" : "±"
        switch format {
        case .count: return "(\(sign)\(SVGChart.number(abs(d))) on the period before)"
        case .percent: return "(\(sign)\(SVGChart.number(abs(d) * 100)) points)"
        case .duration:
            return "(\(sign)\(text(Figure(report: "", period: "", periodStart: "", column: "", cell: String(abs(d))), .duration)))"
        }
    }

    /// The data island: `{"headline": [...], "series": [...]}`, each entry
    /// naming its CSV cell; `<` escaped so that no text can close the script.
    static func island(headline: [Figure], series: [Figure]) -> String {
        var w = JSONWriter()
        w.beginObject(.lines(indent: 1))
        for (key, list) in [("headline", headline), ("series", series)] {
            w.key(key)
            w.beginArray(.lines(indent: 2))
            for f in list {
                w.beginObject(.compact)
                w.key("report")
                w.string(f.report)
                w.key("period")
                w.string(f.period)
                w.key("period_start")
                w.string(f.periodStart)
                w.key("kind")
                w.string(f.kind)
                w.key("community")
                w.string(f.community)
                w.key("column")
                w.string(f.column)
                w.key("value")
                // The CSV's digits are JSON's; an empty cell is null.
                if f.cell.isEmpty { w.null() } else { w.value { $0 += Array(f.cell.utf8) } }
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
        var out = ""
        for c in String(decoding: w.bytes, as: UTF8.self).unicodeScalars {
            if c == "<" { out += "\\u003c" } else { out.unicodeScalars.append(c) }
        }
        return out
    }

    static let css = """
        body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:12px;color:#1a1a1a;background:#fff}\
        h1{font-size:1.5em}h2{font-size:1.2em}.cards{display:flex;flex-wrap:wrap;gap:12px}.cards h2{flex-basis:100%}\
        .card{border:1px solid #bbb;border-radius:6px;padding:8px 12px;flex:1 1 220px}.card h3{margin:0 0 6px;font-size:1em}\
        .figure{margin:2px 0}.figure strong{font-size:1.3em}.label{color:#444}.change,.note{color:#555;font-size:.85em}\
        .panel{margin:24px 0}.chart{width:100%;height:auto;max-width:820px;display:block}.grid{stroke:#ddd}\
        .tick,.legend{font-size:11px;fill:#333}.axis{font-size:11px;fill:#333;font-style:italic}\
        table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}\
        .onbar{font-size:11px;fill:#fff}.lists{display:flex;flex-wrap:wrap;gap:16px}.list{flex:1 1 240px}\
        .person{font-family:ui-monospace,monospace;text-align:left}\
        table{display:block;overflow-x:auto;max-width:100%}\
        @media (max-width:600px){.tick,.legend,.axis{font-size:17px}.onbar{font-size:15px}}\
        @media print{details{display:block}.panel{break-inside:avoid}}
        """
}
