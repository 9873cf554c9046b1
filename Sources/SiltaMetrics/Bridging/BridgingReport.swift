import Dispatch
import SiltaReports
import SiltaSupport

/// The `bridging_*` and `community_links_*` tables.
package enum BridgingReport {
    package static func tables(_ input: MetricsInput, settings: ReportSettings) -> [ReportTable] {
        let persons = input.personCount
        let perCommunity = CommunityWorkers.map(input, workers: settings.workers, scratch: Bridging.Scratch(persons: persons)) {
            c, scratch in
            Bridging.summaries(
                of: input.events(of: c), community: c, families: settings.families, zone: settings.zone, scratch: scratch)
        }
        // The families are independent: one worker each.
        let families = settings.families
        let slots = ResultSlots<(ReportTable, ReportTable)>(count: families.count)
        DispatchQueue.concurrentPerform(iterations: families.count) { k in
            let family = families[k]
            let (periods, members) = Bridging.byPeriod(input, summaries: perCommunity.map { $0?[family] })
            let bridging = Bridging.table(input, family: family, periods: periods, members: members, settings: settings)
            let links = CommunityLinks.table(
                input, family: family, periods: periods, members: members, settings: settings, minShared: settings.linksMinShared)
            slots.set(k, (bridging, links))
        }
        return slots.results.flatMap { [$0!.0, $0!.1] }
    }
}
