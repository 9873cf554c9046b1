import Dispatch
import SiltaSupport

/// Runs one computation per community over concurrent Dispatch workers,
/// largest communities first, and returns the results indexed by community
/// id. Each worker owns its state; results are gathered once each community
/// is done, so the output never depends on the number of workers.
package enum CommunityWorkers {
    package static func map<State, Result: Sendable>(
        _ input: MetricsInput, workers: Int, scratch makeState: @autoclosure @escaping @Sendable () -> State,
        _ body: @escaping @Sendable (UInt32, inout State) -> Result
    ) -> [Result?] {
        let order = input.communitiesLargestFirst
        let store = ResultSlots<Result>(count: input.communityCount)
        let queue = WorkQueue(count: order.count)
        let group = DispatchGroup()
        for w in 0..<max(1, min(workers, order.count)) {
            DispatchQueue(label: "silta.metrics.worker-\(w)").async(group: group) {
                var state = makeState()
                while let next = queue.claim() {
                    let c = order[next]
                    store.set(Int(c), body(c, &state))
                }
            }
        }
        group.wait()
        return store.results
    }
}
