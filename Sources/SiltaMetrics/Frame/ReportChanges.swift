import SiltaEvents
import SiltaWarehouse

/// What the events committed since a report was written can change in it:
/// the earliest instant from which its periods may differ. Every period that
/// ends before that instant has the same rows as before, byte for byte, and
/// an incremental night keeps them (docs/warehouse.md "Kept reports").
///
/// A period's rows depend on the events up to its end (state flows forward:
/// members, first events, the period before), and, reaching back, on three
/// things that later events can change:
///
/// 1. **New events** change their own periods and every later one.
/// 2. **New content.** An event that creates content `c` can make (or
///    change) the author and community of `c`, which every event whose parent
///    is `c` reads: its interactions, its graph edge, its share's direction,
///    whether it counts as unresolved. So the earliest event with parent `c`,
///    old or new, bounds the change: a reply made weeks ago to a parent that
///    arrives tonight changes the reply's period.
/// 3. **New replies** (only for reports of responses, ``Rule/responses``):
///    a reply at `r` to `c` can answer any `post` of `c` made from `r` minus
///    seven days to `r`, and so change that post's period.
///
/// A duplicate is not committed, so it changes nothing. The rules are
/// conservative (an event counted here may in the end change nothing), and
/// checked by the property test that compares incremental nights with full
/// ones over random splits of generated logs.
package enum ReportChanges {
    /// Which reach-back rules a report needs.
    package struct Rule: Sendable, OptionSet {
        package let rawValue: Int
        package init(rawValue: Int) { self.rawValue = rawValue }
        /// Rule 3: the report counts responses to posts (engagement).
        package static let responses = Rule(rawValue: 1)
    }

    /// Which rule set the earliest change, for the log.
    package enum Cause: String, Sendable {
        case newEvent = "a new event"
        case newParent = "content created by a new event, which an earlier event refers to"
        case newReply = "a new reply to an earlier post"
    }

    /// The earliest instant (UTC ms) whose periods the events of the runs
    /// `added` (generations) can change, by the rules above, and the rule
    /// that set it; `nil` when those runs hold no event.
    /// - Complexity: O(events): one pass over the new runs, one over the
    ///   parent, content, type and time columns of every run.
    package static func earliestChange(in snapshot: WarehouseSnapshot, added: Set<UInt64>, rule: Rule) -> (instant: Int64, cause: Cause)? {
        let contents = Int(snapshot.manifest.contents)
        let none = MetricsInput.none
        let post = EventType.post.rawValue
        let reply = EventType.reply.rawValue
        var earliest = Int64.max
        // Contents created by new events, and replied to by new replies
        // (with the earliest and latest such reply).
        var created = [UInt64](repeating: 0, count: contents / 64 + 1)
        var replied = [UInt64](repeating: 0, count: rule.contains(.responses) ? contents / 64 + 1 : 0)
        var replyTimes: [UInt32: (first: Int64, last: Int64)] = [:]
        var anyNew = false
        for run in snapshot.runs where added.contains(run.generation) {
            for b in run.blocks {
                for i in 0..<b.rows {
                    anyNew = true
                    let ts = b.ts[i]
                    if ts < earliest { earliest = ts }
                    let content = b.content[i]
                    if content != none, let type = EventType(rawValue: b.type[i]), type.createsContent {
                        created[Int(content) >> 6] |= 1 << (UInt64(content) & 63)
                    }
                    let parent = b.parent[i]
                    if rule.contains(.responses) && b.type[i] == reply && parent != none {
                        replied[Int(parent) >> 6] |= 1 << (UInt64(parent) & 63)
                        let t = replyTimes[parent] ?? (ts, ts)
                        replyTimes[parent] = (min(t.first, ts), max(t.last, ts))
                    }
                }
                snapshot.releasePages(of: b, rows: 0..<b.rows)
            }
        }
        guard anyNew else { return nil }
        var cause = Cause.newEvent
        @inline(__always) func isSet(_ bits: [UInt64], _ k: UInt32) -> Bool { bits[Int(k) >> 6] & (1 << (UInt64(k) & 63)) != 0 }
        for b in snapshot.blocks {
            for i in 0..<b.rows {
                let ts = b.ts[i]
                if ts >= earliest { continue }
                let parent = b.parent[i]
                if parent != none && isSet(created, parent) {
                    earliest = ts
                    cause = .newParent
                    continue
                }
                let content = b.content[i]
                if rule.contains(.responses) && b.type[i] == post && content != none && isSet(replied, content),
                    let t = replyTimes[content], ts <= t.last, ts >= t.first - ReplyIndex.window
                {
                    earliest = ts
                    cause = .newReply
                }
            }
            snapshot.releasePages(of: b, rows: 0..<b.rows)
        }
        return (earliest, cause)
    }
}
