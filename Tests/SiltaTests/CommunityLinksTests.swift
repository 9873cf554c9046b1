import Foundation
import SiltaMetrics
import Testing

/// `--links-min-shared` (metrics.md "Community links") on generated logs.
@Suite struct CommunityLinksTests {
    @Test(arguments: [2, 3, 5])
    func aThresholdKeepsExactlyThePairsWithThatManySharedCreatorsOrAShare(minShared: Int) throws {
        let s = Scratch()
        var c = GeneratorConfigForTests.small
        c.communities = 30
        _ = try generateLogs(c, out: s.sub("logs"))
        try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        func links(_ n: Int) throws -> [PeriodFamily: Rows] {
            try reportTables(warehouse: s.sub("wh")) { input, settings in
                var settings = settings
                settings.linksMinShared = n
                return BridgingReport.tables(input, settings: settings).filter { $0.report == "community_links" }
            }
        }
        let all = try links(1)
        let thinned = try links(minShared)
        for family in PeriodFamily.allCases {
            let expected = all[family]!.filter {
                Int($0["shared_creators"]!)! >= minShared || Int($0["shares_a_to_b"]!)! + Int($0["shares_b_to_a"]!)! > 0
            }
            #expect(thinned[family]! == expected)
            #expect(expected.count < all[family]!.count, "the threshold removes some pairs of this data")
        }
    }
}
