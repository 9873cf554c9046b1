/// Inline SVG charts drawn by Swift: no script, no font or file fetched,
/// the same bytes for the same figures.
///
/// Series are told apart by colour (Okabe and Ito's palette, which holds
/// for the common kinds of colour blindness), by line (solid or dashed) and
/// by marker (circle, square, triangle), and named in a legend; a period
/// without a value is a gap in the line, not a zero; an incomplete period's
/// markers are hollow.
package enum SVGChart {
    /// How one series is drawn.
    package struct Style: Sendable {
        package var colour: String
        package var dash: String?
        package var marker: Marker

        package static let internalSide = Style(colour: "#0072B2", dash: nil, marker: .circle)
        package static let externalSide = Style(colour: "#D55E00", dash: "6 4", marker: .square)
        package static let third = Style(colour: "#009E73", dash: "2 3", marker: .triangle)
        package static let fourth = Style(colour: "#CC79A7", dash: "8 3 2 3", marker: .circle)
    }

    package enum Marker: Sendable { case circle, square, triangle }

    /// One line: its name in the legend, its style, a value per period (`nil`: none).
    package struct Series: Sendable {
        package var name: String
        package var style: Style
        package var values: [Double?]

        package init(name: String, style: Style, values: [Double?]) {
            self.name = name
            self.style = style
            self.values = values
        }
    }

    static let width = 640.0
    static let height = 260.0
    static let left = 56.0
    static let right = 12.0
    static let top = 28.0
    static let bottom = 60.0

    /// A line chart over `labels` (the periods, oldest first).
    /// - Parameters:
    ///   - title: the chart's title (also its accessible name).
    ///   - description: what it shows, for screen readers.
    ///   - unit: the y axis' label with its unit.
    ///   - provisional: per period, whether its figures may still change.
    package static func lines(
        title: String, description: String, unit: String, labels: [String], provisional: [Bool], series: [Series],
        maximum fixed: Double? = nil
    ) -> String {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        let top = fixed ?? niceCeiling(values.max() ?? 1)
        let plotW = width - left - right
        let plotH = height - Self.top - bottom
        let n = max(1, labels.count - 1)
        func x(_ i: Int) -> Double { left + plotW * Double(i) / Double(n) }
        func y(_ v: Double) -> Double { Self.top + plotH * (1 - (top == 0 ? 0 : v / top)) }
        var out =
            "<svg class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-labelledby=\"\(id(title))-t \(id(title))-d\">"
        out += "<title id=\"\(id(title))-t\">\(HTML.escape(title))</title><desc id=\"\(id(title))-d\">\(HTML.escape(description))</desc>"
        // Axes and grid: five steps up the y axis.
        for step in 0...4 {
            let v = top * Double(step) / 4
            out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" class=\"grid\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" class=\"tick\" text-anchor=\"end\">\(HTML.escape(number(v)))</text>"
        }
        let every = max(1, labels.count / 6)
        for (i, label) in labels.enumerated() where i % every == 0 || i == labels.count - 1 {
            // The first and last labels keep inside the chart.
            let anchor = i == 0 && labels.count > 1 ? "start" : i == labels.count - 1 && labels.count > 1 ? "end" : "middle"
            out +=
                "<text x=\"\(f(x(i)))\" y=\"\(f(height - bottom + 16))\" class=\"tick\" text-anchor=\"\(anchor)\">\(HTML.escape(label))</text>"
        }
        out += "<text x=\"\(f(left))\" y=\"16\" class=\"axis\">\(HTML.escape(unit))</text>"
        out += "<text x=\"\(f(width - right))\" y=\"\(f(height - bottom + 32))\" class=\"axis\" text-anchor=\"end\">period start</text>"
        for s in series {
            // The line, broken where a period has no value.
            var d = ""
            var open = false
            for (i, v) in s.values.enumerated() {
                guard let v else {
                    open = false
                    continue
                }
                d += (open ? "L" : "M") + f(x(i)) + " " + f(y(v))
                open = true
            }
            let dash = s.style.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            out += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(s.style.colour)\" stroke-width=\"2\"\(dash)/>"
            for (i, v) in s.values.enumerated() {
                guard let v else { continue }
                out += marker(s.style, x: x(i), y: y(v), hollow: i < provisional.count && provisional[i])
            }
        }
        // The legend.
        var lx = left
        for s in series {
            let dash = s.style.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            out +=
                "<line x1=\"\(f(lx))\" x2=\"\(f(lx + 24))\" y1=\"\(f(height - 8))\" y2=\"\(f(height - 8))\" stroke=\"\(s.style.colour)\" stroke-width=\"2\"\(dash)/>"
            out += marker(s.style, x: lx + 12, y: height - 8, hollow: false)
            out += "<text x=\"\(f(lx + 30))\" y=\"\(f(height - 4))\" class=\"legend\">\(HTML.escape(s.name))</text>"
            lx += 40 + Double(s.name.count) * 7
        }
        return out + "</svg>"
    }

    /// Horizontal bars, one per label, each split into `parts` as shares
    /// of the bar's total (the participation split); each share is also
    /// written on its segment when it fits.
    package static func stackedBars(
        title: String, description: String, labels: [String], parts: [(name: String, style: Style, values: [Double])]
    ) -> String {
        let row = 26.0
        let labelW = 220.0
        let h = top + row * Double(labels.count) + 40
        let plotW = width - labelW - right
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(h))\" role=\"img\" aria-labelledby=\"\(id(title))-t \(id(title))-d\">"
        out += "<title id=\"\(id(title))-t\">\(HTML.escape(title))</title><desc id=\"\(id(title))-d\">\(HTML.escape(description))</desc>"
        for (i, label) in labels.enumerated() {
            let y = top + row * Double(i)
            let shown = label.count > 34 ? String(label.prefix(33)) + "…" : label
            out += "<text x=\"\(f(labelW - 6))\" y=\"\(f(y + 15))\" class=\"tick\" text-anchor=\"end\">\(HTML.escape(shown))</text>"
            let total = parts.reduce(0) { $0 + $1.values[i] }
            var x = labelW
            for part in parts {
                let share = total > 0 ? part.values[i] / total : 0
                let w = plotW * share
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(y + 3))\" width=\"\(f(w))\" height=\"\(f(row - 6))\" fill=\"\(part.style.colour)\" stroke=\"#ffffff\"/>"
                if w > 34 {
                    out +=
                        "<text x=\"\(f(x + w / 2))\" y=\"\(f(y + 16))\" class=\"onbar\" text-anchor=\"middle\">\(number(share * 100)) %</text>"
                }
                x += w
            }
        }
        var lx = labelW
        for part in parts {
            out += "<rect x=\"\(f(lx))\" y=\"\(f(h - 18))\" width=\"12\" height=\"12\" fill=\"\(part.style.colour)\"/>"
            out += "<text x=\"\(f(lx + 16))\" y=\"\(f(h - 8))\" class=\"legend\">\(HTML.escape(part.name))</text>"
            lx += 30 + Double(part.name.count) * 7
        }
        return out + "</svg>"
    }

    /// Points on two axes from 0, each named beside it (the first `labelled` of them).
    package static func scatter(
        title: String, description: String, xLabel: String, yLabel: String,
        points: [(label: String, x: Double, y: Double, style: Style)], labelled: Int = 25
    ) -> String {
        let maxX = niceCeiling(points.map(\.x).max() ?? 1)
        let maxY = niceCeiling(points.map(\.y).max() ?? 1)
        let h = 360.0
        let plotW = width - left - right - 100
        let plotH = h - top - bottom
        func x(_ v: Double) -> Double { left + plotW * v / maxX }
        func y(_ v: Double) -> Double { top + plotH * (1 - v / maxY) }
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(h))\" role=\"img\" aria-labelledby=\"\(id(title))-t \(id(title))-d\">"
        out += "<title id=\"\(id(title))-t\">\(HTML.escape(title))</title><desc id=\"\(id(title))-d\">\(HTML.escape(description))</desc>"
        for step in 0...4 {
            let vx = maxX * Double(step) / 4
            let vy = maxY * Double(step) / 4
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y(vy)))\" y2=\"\(f(y(vy)))\" class=\"grid\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(vy) + 4))\" class=\"tick\" text-anchor=\"end\">\(number(vy))</text>"
            out += "<text x=\"\(f(x(vx)))\" y=\"\(f(h - bottom + 16))\" class=\"tick\" text-anchor=\"middle\">\(number(vx))</text>"
        }
        out += "<text x=\"\(f(left))\" y=\"16\" class=\"axis\">\(HTML.escape(yLabel))</text>"
        out += "<text x=\"\(f(left + plotW))\" y=\"\(f(h - bottom + 32))\" class=\"axis\" text-anchor=\"end\">\(HTML.escape(xLabel))</text>"
        for (k, p) in points.enumerated() {
            out += marker(p.style, x: x(p.x), y: y(p.y), hollow: false)
            if k < labelled {
                let shown = p.label.count > 24 ? String(p.label.prefix(23)) + "…" : p.label
                out += "<text x=\"\(f(x(p.x) + 6))\" y=\"\(f(y(p.y) - 5))\" class=\"legend\">\(HTML.escape(shown))</text>"
            }
        }
        return out + "</svg>"
    }

    static func marker(_ style: Style, x: Double, y: Double, hollow: Bool) -> String {
        let fill = hollow ? "#ffffff" : style.colour
        switch style.marker {
        case .circle:
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3.5\" fill=\"\(fill)\" stroke=\"\(style.colour)\"/>"
        case .square:
            return "<rect x=\"\(f(x - 3.5))\" y=\"\(f(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(fill)\" stroke=\"\(style.colour)\"/>"
        case .triangle:
            return
                "<path d=\"M\(f(x)) \(f(y - 4))L\(f(x + 4)) \(f(y + 3.5))L\(f(x - 4)) \(f(y + 3.5))Z\" fill=\"\(fill)\" stroke=\"\(style.colour)\"/>"
        }
    }

    /// The smallest of 1, 2, 2.5 or 5 times a power of ten at or above `v`.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var p = 1.0
        while p * 10 <= v { p *= 10 }
        while p > v { p /= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * p >= v { return m * p }
        return 10 * p
    }

    /// A coordinate with one decimal, the same text on every machine.
    static func f(_ v: Double) -> String {
        // Coordinates lie in the chart; anything else is clamped, never a trap.
        let tenths = Int((min(max(v.isNaN ? 0 : v, -1e9), 1e9) * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        return a % 10 == 0 ? sign + String(a / 10) : sign + String(a / 10) + "." + String(a % 10)
    }

    /// A tick's number: whole, or with up to two decimals.
    static func number(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e15 else { return "—" }
        let h = Int((v * 100).rounded())
        if h % 100 == 0 { return String(h / 100) }
        let frac = abs(h) % 100
        let text = (h < 0 ? "-" : "") + String(abs(h) / 100) + "." + (frac < 10 ? "0" : "") + String(frac)
        return text.hasSuffix("0") ? String(text.dropLast()) : text
    }

    /// An element id made from a title: letters and digits, the rest `-`.
    static func id(_ title: String) -> String {
        String(
            title.lowercased().unicodeScalars.map {
                ($0.properties.isAlphabetic || ("0"..."9").contains($0)) && $0.isASCII ? Character($0) : "-"
            })
    }
}

/// HTML text.
package enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for content and attributes.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and line ends are not allowed in HTML text.
                if c.value < 0x20 && c != "\t" && c != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
