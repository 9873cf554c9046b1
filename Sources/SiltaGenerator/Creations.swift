import SiltaEvents

/// A reference to one piece of generated content: community, day index, and
/// its position among that community's creations that day.
struct ContentRef: Sendable, Hashable {
    var community: Int32
    var day: Int32
    var index: Int32
}

/// The content-creating events (`post`, `reply`, `share`) of one community
/// on one day, generated before anything else so that any file can refer to
/// any earlier content and know its author.
struct CreationCell: Sendable {
    var ts: [Int64] = []
    var actor: [Int32] = []
    var type: [EventType] = []
    /// The parent of each reply or share.
    var parent: [ContentRef?] = []
    var parentActorShown: [Bool] = []
    var mentions: [[Int32]] = []

    var count: Int { ts.count }
}

extension LogGenerator {
    /// Generates the creations of community `c` on day index `d`, given the
    /// cells of earlier days (read only).
    static func creations(
        world: World, c: Int, d: Int, total: Int, firstDay: Int, seed: UInt64, earlier: (Int, Int) -> Int
    ) -> CreationCell {
        var rng = Xoshiro(seed: seed, c, d, 1)
        var cell = CreationCell()
        let community = world.communities[c]
        let dayStart = Int64(firstDay + d) * 86_400_000
        cell.ts = sortedTimes(total, dayStart: dayStart, rng: &rng)
        for k in 0..<total {
            let actor = community.members[community.creatingMember.sample(&rng)]
            var type = EventType.post
            var parent: ContentRef?
            let u = rng.unit()
            if u < 0.42 {
                type = .reply
                parent = recentContent(c: c, d: d, before: k, rng: &rng, count: earlier)
            } else if u < 0.52 {
                type = .share
                if rng.chance(0.35) {
                    // Cross-community: mostly from the other kind.
                    let other = community.kind == .internal ? world.externalPicker : world.internalPicker
                    let same = community.kind == .internal ? world.internalPicker : world.externalPicker
                    let pick = rng.chance(0.6) && !other.ids.isEmpty ? other : same
                    let target = pick.ids[pick.table.sample(&rng)]
                    if target != c { parent = previousDayContent(target, d, &rng, earlier) }
                }
                if parent == nil { parent = recentContent(c: c, d: d, before: k, rng: &rng, count: earlier) }
            }
            if type != .post && parent == nil { type = .post }
            var mentioned: [Int32] = []
            if rng.chance(0.12) {
                for _ in 0..<(1 + rng.below(3)) { mentioned.append(community.members[rng.below(community.members.count)]) }
            }
            cell.actor.append(actor)
            cell.type.append(type)
            cell.parent.append(parent)
            cell.parentActorShown.append(rng.chance(1.0 / 3.0))
            cell.mentions.append(mentioned)
        }
        return cell
    }

    /// Recent content of community `c`: mostly earlier the same day, else the
    /// last three days, the most recent likeliest.
    static func recentContent(c: Int, d: Int, before k: Int, rng: inout Xoshiro, count: (Int, Int) -> Int) -> ContentRef? {
        if k > 0 && rng.chance(0.65) {
            let back = min(k - 1, geometric(&rng, 0.15))
            return ContentRef(community: Int32(c), day: Int32(d), index: Int32(k - 1 - back))
        }
        for back in 1...3 where d - back >= 0 {
            let n = count(c, d - back)
            if n > 0, back == 3 || rng.chance(0.7) {
                let i = n - 1 - min(n - 1, geometric(&rng, 0.05))
                return ContentRef(community: Int32(c), day: Int32(d - back), index: Int32(i))
            }
        }
        return nil
    }

    static func previousDayContent(_ c: Int, _ d: Int, _ rng: inout Xoshiro, _ count: (Int, Int) -> Int) -> ContentRef? {
        for back in 1...2 where d - back >= 0 {
            let n = count(c, d - back)
            if n > 0 { return ContentRef(community: Int32(c), day: Int32(d - back), index: Int32(rng.below(n))) }
        }
        return nil
    }

    /// Failures before the first success, success probability `p` (by inversion).
    @inline(__always)
    static func geometric(_ rng: inout Xoshiro, _ p: Double) -> Int {
        Int(min(10_000, log(1 - rng.unit()) / log(1 - p)))
    }

    /// `count` instants in the day starting at `dayStart`, shaped by the hour
    /// of day, ascending.
    static func sortedTimes(_ count: Int, dayStart: Int64, rng: inout Xoshiro) -> [Int64] {
        var times = [Int64]()
        times.reserveCapacity(count)
        for _ in 0..<count {
            let hour = hourTable.sample(&rng)
            times.append(dayStart + Int64(hour) * 3_600_000 + Int64(rng.below(3_600_000)))
        }
        times.sort()
        return times
    }

    static let hourTable = AliasTable(weights: World.hourWeights)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
