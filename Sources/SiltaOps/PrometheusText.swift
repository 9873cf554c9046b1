import SiltaSupport

/// Metrics in the Prometheus text exposition format (version 0.0.4), as the
/// node exporter's textfile collector reads them from a `*.prom` file.
package struct PrometheusText: Sendable {
    /// One metric family: a name, its help, and its samples.
    package struct Family: Sendable {
        package var name: String
        package var help: String
        package var type: String
        package var samples: [(labels: [(String, String)], value: Double)]

        package init(_ name: String, help: String, type: String = "gauge", value: Double) {
            self.init(name, help: help, type: type, samples: [([], value)])
        }

        package init(_ name: String, help: String, type: String = "gauge", samples: [(labels: [(String, String)], value: Double)]) {
            self.name = name
            self.help = help
            self.type = type
            self.samples = samples
        }
    }

    package var families: [Family] = []

    package init(families: [Family] = []) { self.families = families }

    /// The text: `# HELP`, `# TYPE`, then one line per sample; a final newline.
    package func render() -> String {
        var out = ""
        for f in families {
            out += "# HELP \(f.name) \(Self.escapeHelp(f.help))\n"
            out += "# TYPE \(f.name) \(f.type)\n"
            for s in f.samples {
                out += f.name
                if !s.labels.isEmpty {
                    out += "{" + s.labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
                }
                out += " " + Self.number(s.value) + "\n"
            }
        }
        return out
    }

    /// A sample value: integers without a fraction, others with up to three
    /// decimals (seconds to the millisecond), `NaN` as the format spells it.
    static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        let scaled = (x * 1000).rounded()
        if abs(scaled) < 1e15 {
            let n = Int64(scaled)
            let sign = n < 0 ? "-" : ""
            let m = n.magnitude
            var frac = String(m % 1000)
            frac = String(repeating: "0", count: 3 - frac.count) + frac
            while frac.hasSuffix("0") { frac.removeLast() }
            return sign + String(m / 1000) + (frac.isEmpty ? "" : "." + frac)
        }
        return String(x)
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }

    static func escapeLabel(_ s: String) -> String {
        s.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("\n", with: "\\n")
    }

    /// The value of the label-less sample `name` in `text` (an earlier file of
    /// ours), or `nil`.
    package static func value(of name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count >= 2 && parts[0] == name { return Double(parts[1]) }
        }
        return nil
    }
}

extension String {
    /// Every occurrence of `target` replaced, without Foundation.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
