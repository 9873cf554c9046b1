import Foundation
import SiltaMetrics
import Testing

/// Hand-worked graphs (metrics.md "Social capital"); nodes are local indices.
@Suite struct SocialCapitalTests {
    func measures(_ pairs: [(Int32, Int32)], nodes: Int) -> InteractionGraph.Measures {
        InteractionGraph(interactions: pairs, nodeCount: nodes).measures()
    }

    func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    @Test func star() {
        // Centre 0, leaves 1...4, each leaf interacting once with the centre.
        let m = measures([(1, 0), (2, 0), (3, 0), (4, 0)], nodes: 5)
        #expect(m.nodes == 5 && m.edges == 4 && m.interactions == 4)
        #expect(close(m.density, 0.2))
        #expect(m.reciprocity == 0 && m.transitivity == 0 && m.averageClustering == 0)
        // Constraint: centre 4 * (1/4)^2 = 0.25, each leaf (1)^2 = 1: mean 4.25 / 5.
        #expect(close(m.meanConstraint, 0.85))
        // Effective size: centre 4 (no leaf knows another), each leaf 1: mean 8 / 5.
        #expect(close(m.meanEffectiveSize, 1.6))
        #expect(close(m.bridgingIndex, 0.15))
        #expect(m.bondingIndex == 0)
        #expect(m.components == 1 && m.largestComponentShare == 1)
    }

    @Test func triangle() {
        let m = measures([(0, 1), (1, 2), (2, 0)], nodes: 3)
        #expect(m.transitivity == 1 && m.averageClustering == 1)
        #expect(m.reciprocity == 0)
        #expect(close(m.density, 0.5))
        // Each node: 2 * (1/2 + 1/2 * 1/2)^2 = 2 * 9/16.
        #expect(close(m.meanConstraint, 1.125))
        // Each node: 2 * (1 - 1/2 * 1) = 1.
        #expect(close(m.meanEffectiveSize, 1))
        #expect(m.bridgingIndex == 0)
        #expect(close(m.bondingIndex, 0.5))
    }

    @Test func twoCliquesJoinedByABridge() {
        // Triangles {0, 1, 2} and {3, 4, 5}; 2 - 3 is the bridge.
        let m = measures([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)], nodes: 6)
        // Brokers 2 and 3: (1/3 + 1/3 * 1/2)^2 * 2 + (1/3)^2 = 11/18; the others 4/9 + 9/16 = 145/144.
        #expect(close(m.meanConstraint, (2 * 11.0 / 18 + 4 * 145.0 / 144) / 6))
        #expect(close(m.meanConstraint, 0.875))
        // Brokers: 2/3 + 2/3 + 1 = 7/3; the others 1/2 + 1/2 = 1.
        #expect(close(m.meanEffectiveSize, (2 * 7.0 / 3 + 4) / 6))
        // 2 triangles, 10 connected triples: 3 * 2 / 10.
        #expect(close(m.transitivity, 0.6))
        // Four nodes at 1, the brokers at 1/3.
        #expect(close(m.averageClustering, (4 + 2.0 / 3) / 6))
        #expect(m.components == 1)
    }

    @Test func oneWayChain() {
        let m = measures([(0, 1), (1, 2), (2, 3)], nodes: 4)
        #expect(m.reciprocity == 0)
        #expect(close(m.density, 0.25))
        #expect(close(m.meanConstraint, 0.75))  // 1, 1/2, 1/2, 1
        #expect(close(m.meanEffectiveSize, 1.5))  // 1, 2, 2, 1
        #expect(m.transitivity == 0 && m.averageClustering == 0)
    }

    @Test func aPairWithWeightsThreeAndOne() {
        let m = measures([(0, 1), (0, 1), (0, 1), (1, 0)], nodes: 2)
        #expect(m.edges == 2 && m.interactions == 4)
        #expect(m.reciprocity == 1)
        #expect(close(m.density, 1))
        #expect(close(m.meanConstraint, 1) && close(m.meanEffectiveSize, 1))
        #expect(close(m.bondingIndex, 0.5))
        #expect(m.bridgingIndex == 0)
    }

    @Test func weightsChangeConstraint() {
        // Node 0 talks to 1 three times and to 2 once; 1 and 2 talk once.
        let m = measures([(0, 1), (0, 1), (0, 1), (0, 2), (1, 2)], nodes: 3)
        // Strengths 4, 4, 2: p01 = 3/4, p02 = 1/4, p10 = 3/4, p12 = 1/4, p20 = p21 = 1/2.
        // c0 = (p01 + p02 p21)^2 + (p02 + p01 p12)^2 = (7/8)^2 + (7/16)^2; c1 the same;
        // c2 = (p20 + p21 p10)^2 + (p21 + p20 p01)^2 = 2 (7/8)^2.
        let c0 = 49.0 / 64 + 49.0 / 256
        let c2 = 2 * 49.0 / 64
        #expect(close(m.meanConstraint, (2 * c0 + c2) / 3))
        #expect(close(m.meanConstraint, 882.0 / 768))
        // Largest weights 3, 3, 1: m12 = 1/3, m21 = 1, m02 = 1/3, m20 = 1, m01 = m10 = 1.
        // e0 = (1 - p02 m12) + (1 - p01 m21) = 11/12 + 1/4 = 7/6; e1 = 7/6 likewise;
        // e2 = (1 - p21 m01) + (1 - p20 m10) = 1/2 + 1/2 = 1.
        #expect(close(m.meanEffectiveSize, 10.0 / 9))
    }

    @Test func twoComponents() {
        let m = measures([(0, 1), (2, 3), (3, 4)], nodes: 5)
        #expect(m.components == 2)
        #expect(close(m.largestComponentShare, 0.6))
    }

    @Test func reportRowsFollowTheLogs() throws {
        let s = Scratch()
        s.write(
            "logs/a.ndjson",
            [
                line("p", "2026-11-02T09:00:00Z", actor: "hub", "post", content: "c0"),
                line("1", "2026-11-02T10:00:00Z", actor: "l1", "reply", content: "c1", parent: "c0"),
                line("2", "2026-11-02T10:00:00Z", actor: "l2", "react", parent: "c0"),
                line("3", "2026-11-02T10:00:00Z", actor: "l3", "share", content: "c3", parent: "c0"),
                line("4", "2026-11-02T10:00:00Z", actor: "l4", "post", content: "c4", mentions: ["hub", "l4"]),
                line("5", "2026-11-02T11:00:00Z", actor: "x", "view", parent: "c0"),  // views make no interaction
                line("6", "2026-11-03T11:00:00Z", actor: "x", "react", parent: "gone"),  // unresolved: none either
            ].joined(separator: "\n") + "\n")
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        let rows = try reportTables(warehouse: s.sub("wh"), families: [.day]) { SocialCapitalReport.tables($0, settings: $1) }[.day]!
        #expect(rows.count == 1)
        let row = rows.row("2026-11-02")!
        #expect(row["nodes"] == "5")
        #expect(row["interactions"] == "4")
        #expect(row["mean_constraint"] == "0.85")
        #expect(row["mean_effective_size"] == "1.6")
        #expect(row["bridging_index"] == "0.15")
        #expect(row["density"] == "0.2")
    }
}

/// Bridging and community links by hand (metrics.md).
@Suite struct BridgingTests {
    @Test func threeCommunitiesWithSharesBothWays() throws {
        let s = Scratch()
        let t = "2026-11-02T10:00:00Z"
        s.write(
            "logs/a.ndjson",
            [
                line("1", t, "hr", actor: "ann", "post", content: "h1"),
                line("2", t, "forum", kind: "external", actor: "ann", "post", content: "f1"),
                line("3", t, "eng", actor: "bob", "post", content: "e1"),
                line("4", "2026-11-02T11:00:00Z", "hr", actor: "bob", "reply", content: "h2", parent: "h1"),
                line("5", t, "forum", kind: "external", actor: "cat", "view"),
                line("6", "2026-11-02T12:00:00Z", "forum", kind: "external", actor: "cat", "share", content: "f2", parent: "h1"),
                line("7", "2026-11-02T12:00:00Z", "hr", actor: "dan", "share", content: "h3", parent: "f1"),
                line("8", "2026-11-02T12:00:00Z", "eng", actor: "eve", "share", content: "e2", parent: "h1"),
                line("9", "2026-11-02T12:00:00Z", "forum", kind: "external", actor: "fay", "react", parent: "f1"),
                line("10", "2026-11-02T12:00:00Z", "eng", actor: "eve", "share", content: "e3", parent: "nowhere"),
            ].joined(separator: "\n") + "\n")
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        let tables = try reportTables(warehouse: s.sub("wh"), families: [.day]) { input, settings in
            BridgingReport.tables(input, settings: settings)
        }
        let input = MetricsInput(snapshot: try .init(root: s.sub("wh")), workers: 1)
        let settings = try ReportSettings.make(input: input, families: [.day], timeZone: "UTC", asOf: nil, workers: 1)
        let all = BridgingReport.tables(input, settings: settings).map(rowsOf)
        let bridging = all[0]
        let links = all[1]
        _ = tables
        #expect(bridging.count == 1)
        let b = bridging[0]
        #expect(b["internal_active"] == "4")
        #expect(b["external_active"] == "3")
        #expect(b["both_active"] == "1")
        #expect(b["internal_creators"] == "4")
        #expect(b["external_creators"] == "2")
        #expect(b["boundary_spanners"] == "1")
        #expect(b["advocacy_rate"] == "0.25")
        #expect(b["cross_community_shares"] == "3")
        #expect(b["internal_to_external_shares"] == "1")
        #expect(b["external_to_internal_shares"] == "1")
        // Report order: external/forum, internal/eng, internal/hr; forum and eng share nothing.
        #expect(links.count == 2)
        #expect(links[0]["community_a"] == "forum" && links[0]["community_b"] == "hr")
        #expect(links[0]["shared_creators"] == "1" && links[0]["jaccard"] == "0.25")
        #expect(links[0]["shares_a_to_b"] == "1" && links[0]["shares_b_to_a"] == "1")
        #expect(links[1]["community_a"] == "eng" && links[1]["community_b"] == "hr")
        #expect(links[1]["kind_a"] == "internal" && links[1]["kind_b"] == "internal")
        #expect(links[1]["shared_creators"] == "1" && links[1]["jaccard"] == "0.25")
        #expect(links[1]["shares_a_to_b"] == "0" && links[1]["shares_b_to_a"] == "1")
    }
}
