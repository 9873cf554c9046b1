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
        world: World, c: Int, d: Int, count: Int, firstDay: Int, seed: UInt64, earlier: (Int, Int) -> CreationCell?
    ) -> CreationCell {
        var rng = Xoshiro(seed: seed, c, d, 1)
        var cell = CreationCell()
        let community = world.communities[c]
        let dayStart = Int64(firstDay + d) * 86_400_000
        cell.ts = sortedTimes(count, dayStart: dayStart, rng: &rng)
        for k in 0..<count {
            let actor = community.members[community.creatingMember.sample(&rng)]
            var type = EventType.post
            var parent: ContentRef?
            let u = rng.unit()
            if u < 0.42 {
                type = .reply
                parent = recentContent(world: world, c: c, d: d, before: k, rng: &rng, earlier: earlier)
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
                if parent == nil { parent = recentContent(world: world, c: c, d: d, before: k, rng: &rng, earlier: earlier) }
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
    static func recentContent(
        world: World, c: Int, d: Int, before k: Int, rng: inout Xoshiro, earlier: (Int, Int) -> CreationCell?
    ) -> ContentRef? {
        if k > 0 && rng.chance(0.65) {
            let back = min(k - 1, geometric(&rng, 0.15))
            return ContentRef(community: Int32(c), day: Int32(d), index: Int32(k - 1 - back))
        }
        for back in 1...3 where d - back >= 0 {
            if let cell = earlier(c, d - back), cell.count > 0, back == 3 || rng.chance(0.7) {
                let i = cell.count - 1 - min(cell.count - 1, geometric(&rng, 0.05))
                return ContentRef(community: Int32(c), day: Int32(d - back), index: Int32(i))
            }
        }
        return nil
    }

    static func previousDayContent(_ c: Int, _ d: Int, _ rng: inout Xoshiro, _ earlier: (Int, Int) -> CreationCell?) -> ContentRef? {
        for back in 1...2 where d - back >= 0 {
            if let cell = earlier(c, d - back), cell.count > 0 {
                return ContentRef(community: Int32(c), day: Int32(d - back), index: Int32(rng.below(cell.count)))
            }
        }
        return nil
    }

    /// Failures before the first success, success probability `p`.
    @inline(__always)
    static func geometric(_ rng: inout Xoshiro, _ p: Double) -> Int {
        var n = 0
        while !rng.chance(p) && n < 10_000 { n += 1 }
        return n
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
