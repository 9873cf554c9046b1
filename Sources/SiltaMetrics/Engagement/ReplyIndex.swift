import SiltaEvents
import SiltaSupport
import SiltaWarehouse

/// Every `reply`, grouped by the content it replies to and sorted by time:
/// what a post's *response* is looked up in (metrics.md `response_rate`).
/// Replies from every community count.
package struct ReplyIndex: Sendable {
    /// For content id `c`, its replies are `starts[c] ..< starts[c + 1]`.
    private let starts: [Int]
    private let ts: [Int64]
    private let actor: [UInt32]

    /// Seven days, in milliseconds: the longest a response may take.
    package static let window: Int64 = 604_800_000

    /// Replies by bots are left out (docs/identities.md: a bot's reply is no
    /// response); actors are persons.
    package init(input: MetricsInput) {
        let contents = Int(input.snapshot.manifest.contents)
        let reply = EventType.reply.rawValue
        let none = MetricsInput.none
        var counts = [Int](repeating: 0, count: contents + 1)
        let blocks = input.snapshot.blocks
        let personOf = input.identities?.personOf
        let isBot = input.identities?.isBot ?? []
        /// The reply's person, or `nil` for a bot.
        @inline(__always) func person(_ b: EventBlockView, _ i: Int) -> UInt32? {
            guard let personOf else { return b.actor[i] }
            let p = personOf[Int(b.actor[i])]
            return isBot[Int(p)] ? nil : p
        }
        // Each block's pages are given back once read: kept until the end,
        // the two passes held the whole run file (2 GB at 80M events).
        for b in blocks {
            for i in 0..<b.rows where b.type[i] == reply && b.parent[i] != none && person(b, i) != nil {
                counts[Int(b.parent[i]) + 1] += 1
            }
            input.snapshot.releasePages(of: b, rows: 0..<b.rows)
        }
        for c in 0..<contents { counts[c + 1] += counts[c] }
        var next = counts
        var ts = [Int64](repeating: 0, count: counts[contents])
        var actor = [UInt32](repeating: 0, count: counts[contents])
        for b in blocks {
            for i in 0..<b.rows where b.type[i] == reply && b.parent[i] != none {
                guard let p = person(b, i) else { continue }
                let slot = next[Int(b.parent[i])]
                ts[slot] = b.ts[i]
                actor[slot] = p
                next[Int(b.parent[i])] = slot + 1
            }
            input.snapshot.releasePages(of: b, rows: 0..<b.rows)
        }
        // Sort each content's replies by (time, actor).
        for c in 0..<contents where counts[c + 1] - counts[c] > 1 {
            let r = counts[c]..<counts[c + 1]
            let sorted = r.map { (ts[$0], actor[$0]) }.sorted { $0 < $1 }
            for (k, v) in zip(r, sorted) {
                ts[k] = v.0
                actor[k] = v.1
            }
        }
        starts = counts
        self.ts = ts
        self.actor = actor
        input.snapshot.releasePages()
    }

    /// The earliest response to a post: a reply to `content` by someone other
    /// than `postActor`, from `postTs` to seven days later (both included).
    /// - Returns: its delay in milliseconds, or `nil`.
    package func firstResponse(content: UInt32, postActor: UInt32, postTs: Int64) -> Int64? {
        guard Int(content) + 1 < starts.count else { return nil }
        let end = starts[Int(content) + 1]
        var k = lowerBound(starts[Int(content)]..<end) { ts[$0] < postTs }
        while k < end && ts[k] - postTs <= Self.window {
            if actor[k] != postActor { return ts[k] - postTs }
            k += 1
        }
        return nil
    }
}
