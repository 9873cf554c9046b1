import Dispatch
import SiltaEvents
import SiltaIdentities
import SiltaReports
import SiltaSupport
import SiltaWarehouse
import Synchronization

/// The warehouse, loaded for the metric jobs: content authorship resolved
/// (events.md "Content authorship"), communities in report order, and each
/// community's events on demand, sorted by time.
package final class MetricsInput: @unchecked Sendable {
    package static let none = RunFileLayout.none
    /// A parent author that is a bot: resolved (the parent is known), but
    /// no interaction goes to it (docs/identities.md).
    /// (A computed constant: a stored `static let` costs a lazy-initialisation
    /// check at every use in the per-event loops.)
    @inline(__always) package static var botAuthor: UInt32 { 0xFFFF_FFFE }

    package let snapshot: WarehouseSnapshot
    package let communityCount: Int
    /// Community ids in report order: `external` before `internal`, then the
    /// community id bytewise.
    package let reportOrder: [UInt32]
    /// The position of each community id in ``reportOrder``.
    package let reportRank: [Int]
    /// Events per community id.
    package let eventCounts: [Int]
    /// The author (person id) of each content id, or ``none`` when no event created it.
    package let contentAuthor: [UInt32]
    /// The community of each content id, or ``none``.
    package let contentCommunity: [UInt32]
    /// The earliest and latest `ts` of all events, `nil` without events.
    package let timeRange: ClosedRange<Int64>?
    /// Each community's `kind` and `community` report cells, made once and
    /// shared by every row that names the community.
    package let kindCell: [ReportValue]
    package let nameCell: [ReportValue]
    /// The identity file applied to the persons, if one was given.
    package let identities: PersonMap?
    /// Persons: the warehouse's, plus the persons the identity file names.
    /// Every per-person scratch array has this size.
    package let personCount: Int
    /// Events left out because their actor is a bot.
    package let botEvents: Int
    /// Every event block, in commit order.
    private let blocks: [EventBlockView]
    private let pages: BlockPages

    /// Loads `snapshot`, spreading the passes over `workers` threads, with
    /// the persons of `identities` (docs/identities.md) when given.
    /// - Complexity: O(events + content ids), reading the mapped columns once or twice.
    package convenience init(snapshot: WarehouseSnapshot, workers: Int, identities file: IdentityFile? = nil) {
        self.init(snapshot: snapshot, workers: workers, persons: file.map { PersonMap(file: $0, persons: snapshot.persons) })
    }

    /// Loads `snapshot` with the persons of `map`, made for its persons.
    package init(snapshot: WarehouseSnapshot, workers: Int, persons map: PersonMap?) {
        self.snapshot = snapshot
        identities = map
        personCount = map?.count ?? snapshot.persons.count
        let communities = snapshot.communityNames.count
        communityCount = communities
        let order = (0..<communities).map { UInt32($0) }.sorted { a, b in
            let ka = snapshot.communityKinds[Int(a)]
            let kb = snapshot.communityKinds[Int(b)]
            if ka != kb { return ka < kb }
            return Self.bytesLess(snapshot.communityNames[Int(a)], snapshot.communityNames[Int(b)])
        }
        reportOrder = order
        var rank = [Int](repeating: 0, count: communities)
        for (i, c) in order.enumerated() { rank[Int(c)] = i }
        reportRank = rank

        let blocks = snapshot.blocks
        self.blocks = blocks
        pages = BlockPages(blocks)
        var counts = [Int](repeating: 0, count: communities)
        var minTs = Int64.max
        var maxTs = Int64.min
        var bots = 0
        for b in blocks {
            for r in b.communities { counts[Int(r.community)] += r.count }
            for t in b.ts {
                if t < minTs { minTs = t }
                if t > maxTs { maxTs = t }
            }
            if let resolved = map?.personOrBot {
                for a in b.actor where resolved[Int(a)] == Self.botAuthor { bots += 1 }
            }
            snapshot.releasePages(of: b, rows: 0..<b.rows)
        }
        eventCounts = counts
        botEvents = bots
        timeRange = minTs <= maxTs ? minTs...maxTs : nil
        kindCell = snapshot.communityKinds.map { .text($0.name) }
        nameCell = snapshot.communityNames.map { .text(Array($0)) }
        (contentAuthor, contentCommunity) = Self.resolveClaims(
            blocks: blocks, contents: Int(snapshot.manifest.contents), snapshot: snapshot, persons: map, rank: rank, workers: workers)
        snapshot.releasePages()
    }

    static func bytesLess(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool { compareBytes(a, b) < 0 }

    /// Bytewise order: negative, zero or positive as `a` sorts before, with or after `b`.
    static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }

    /// The winning claim of every content id: the smallest (ts, actor, kind,
    /// community) bytewise, the actor as its person (bots' claims count).
    /// Ties beyond that name the same author and community, so the event id
    /// never needs comparing. Block by block, content ids are split into
    /// ranges, one per worker, and the block's pages are given back once it is done.
    static func resolveClaims(
        blocks: [EventBlockView], contents: Int, snapshot: WarehouseSnapshot, persons map: PersonMap?, rank: [Int], workers: Int
    ) -> ([UInt32], [UInt32]) {
        let author = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: contents)
        let community = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: contents)
        let claimTs = UnsafeMutableBufferPointer<Int64>.allocate(capacity: contents)
        author.initialize(repeating: none)
        community.initialize(repeating: none)
        claimTs.initialize(repeating: .max)
        defer {
            author.deallocate()
            community.deallocate()
            claimTs.deallocate()
        }
        // The person of each warehouse person id, hoisted: touching the map
        // itself per event would retain and release its every array.
        let personOf = map?.personOf
        let parts = max(1, min(workers, contents / 65_536 + 1))
        let shared = (SendableBuffer(author), SendableBuffer(community), SendableBuffer(claimTs))
        for b in blocks {
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let lo = UInt32(contents * part / parts)
                let hi = UInt32(contents * (part + 1) / parts)
                let author = shared.0.buffer
                let community = shared.1.buffer
                let claimTs = shared.2.buffer
                for r in b.communities {
                    let c = r.community
                    for i in r.start..<(r.start + r.count) {
                        let content = b.content[i]
                        guard content != none, content >= lo, content < hi,
                            let type = EventType(rawValue: b.type[i]), type.createsContent
                        else { continue }
                        let k = Int(content)
                        let ts = b.ts[i]
                        let actor = personOf?[Int(b.actor[i])] ?? b.actor[i]
                        var wins = ts < claimTs[k]
                        if ts == claimTs[k] {
                            let current = author[k]
                            if actor != current {
                                if let map {
                                    let a = map.bytes(of: actor, persons: snapshot.persons)
                                    let c = map.bytes(of: current, persons: snapshot.persons)
                                    wins = a.withUnsafeBytes { x in c.withUnsafeBytes { y in bytesLess(x, y) } }
                                } else {
                                    wins = bytesLess(snapshot.persons[Int(actor)], snapshot.persons[Int(current)])
                                }
                            } else {
                                wins = rank[Int(c)] < rank[Int(community[k])]
                            }
                        }
                        if wins {
                            claimTs[k] = ts
                            author[k] = actor
                            community[k] = c
                        }
                    }
                }
            }
            snapshot.releasePages(of: b, rows: 0..<b.rows)
        }
        return (Array(author), Array(community))
    }

    /// Communities by decreasing number of events (ties by id): the order in
    /// which workers take them, so that a large community does not start last.
    package var communitiesLargestFirst: [UInt32] {
        (0..<UInt32(communityCount)).sorted { (eventCounts[Int($0)], $1) > (eventCounts[Int($1)], $0) }
    }

    /// The events of one community, sorted by time; at equal instants
    /// `leave` comes after every other type (metrics.md), then storage order.
    /// With an identity file, persons are rewritten, bots' events left out,
    /// a bot parent author is ``botAuthor`` and mentions of bots are dropped.
    ///
    /// Column by column: the lookups by person and by content id are random
    /// reads, and a loop that does nothing else keeps many of them in flight.
    package func events(of c: UInt32) -> CommunityEvents {
        if let identities { return events(of: c, persons: identities) }
        var e = CommunityEvents()
        e.reserve(eventCounts[Int(c)])
        for (k, b) in blocks.enumerated() {
            guard let j = Self.rangeIndex(of: c, in: b) else { continue }
            append(Self.rows(j, of: b), of: b, to: &e)
            snapshot.releasePages(of: b, rows: pages.gathered(range: j, of: k, in: b))
        }
        e.sortByTime()
        return e
    }

    /// ``events(of:)`` through an identity file: each column filled in a
    /// loop of its own over the rows that are not bots'.
    private func events(of c: UInt32, persons map: PersonMap) -> CommunityEvents {
        let found = blocks.indices.compactMap { k in Self.rangeIndex(of: c, in: blocks[k]).map { (k, $0) } }
        let parts = found.map { (blocks[$0.0], Self.rows($0.1, of: blocks[$0.0])) }
        defer {
            for (k, j) in found { snapshot.releasePages(of: blocks[k], rows: pages.gathered(range: j, of: k, in: blocks[k])) }
        }
        let total = parts.reduce(0) { $0 + $1.1.count }
        let resolved = map.personOrBot
        let isBot = map.isBot
        var kept = 0
        let actors = [UInt32](unsafeUninitializedCapacity: total) { out, n in
            for (b, r) in parts {
                for i in r {
                    let a = resolved[Int(b.actor[i])]
                    out[n] = a
                    n += 1
                    if a != Self.botAuthor { kept += 1 }
                }
            }
        }
        /// The column `value` of the rows kept.
        @inline(__always)
        func column<T>(_ value: (EventBlockView, Int) -> T) -> [T] {
            [T](unsafeUninitializedCapacity: kept) { out, n in
                var k = 0
                for (b, r) in parts {
                    for i in r {
                        if actors[k] != Self.botAuthor {
                            out[n] = value(b, i)
                            n += 1
                        }
                        k += 1
                    }
                }
            }
        }
        var e = CommunityEvents()
        e.actor = actors.filter { $0 != Self.botAuthor }
        e.ts = column { b, i in b.ts[i] }
        e.type = column { b, i in b.type[i] }
        e.content = column { b, i in b.content[i] }
        e.parent = column { b, i in b.parent[i] }
        e.parentAuthor = column { b, i in
            let author = b.parentActor[i]
            if author != Self.none { return resolved[Int(author)] }
            let content = parentAuthor(i, of: b)
            return content != Self.none && isBot[Int(content)] ? Self.botAuthor : content
        }
        e.parentCommunity = column { b, i in parentCommunity(i, of: b) }
        // Each mentioned person once, bots left out.
        var mentions: [UInt32] = []
        e.mentionEnds = column { b, i in
            let first = mentions.count
            for m in Int(b.mentionOffsets[i])..<Int(b.mentionOffsets[i + 1]) {
                let p = resolved[Int(b.mentions[m])]
                if p == Self.botAuthor || mentions[first...].contains(p) { continue }
                mentions.append(p)
            }
            return UInt32(mentions.count)
        }
        e.mentions = mentions
        e.sortByTime()
        return e
    }

    /// The parent's author of row `i`: `parent_actor`, else the content's author.
    @inline(__always)
    private func parentAuthor(_ i: Int, of b: EventBlockView) -> UInt32 {
        let author = b.parentActor[i]
        let parent = b.parent[i]
        return author == Self.none && parent != Self.none ? contentAuthor[Int(parent)] : author
    }

    @inline(__always)
    private func parentCommunity(_ i: Int, of b: EventBlockView) -> UInt32 {
        let parent = b.parent[i]
        return parent == Self.none ? Self.none : contentCommunity[Int(parent)]
    }

    /// Rows `r` of `b` as they are stored.
    private func append(_ r: Range<Int>, of b: EventBlockView, to e: inout CommunityEvents) {
        e.ts.append(contentsOf: b.ts[r])
        e.actor.append(contentsOf: b.actor[r])
        e.type.append(contentsOf: b.type[r])
        e.content.append(contentsOf: b.content[r])
        e.parent.append(contentsOf: b.parent[r])
        for i in r { e.parentAuthor.append(parentAuthor(i, of: b)) }
        for i in r { e.parentCommunity.append(parentCommunity(i, of: b)) }
        let base = UInt32(e.mentions.count) &- b.mentionOffsets[r.lowerBound]
        e.mentions.append(contentsOf: b.mentions[Int(b.mentionOffsets[r.lowerBound])..<Int(b.mentionOffsets[r.upperBound])])
        for i in r { e.mentionEnds.append(base &+ b.mentionOffsets[i + 1]) }
    }

    /// The index of community `c`'s range among `b`'s, if it has rows there.
    static func rangeIndex(of c: UInt32, in b: EventBlockView) -> Int? {
        let lo = lowerBound(b.communities.indices) { b.communities[$0].community < c }
        return lo < b.communities.count && b.communities[lo].community == c ? lo : nil
    }

    /// The rows of range `j` of `b`.
    static func rows(_ j: Int, of b: EventBlockView) -> Range<Int> {
        b.communities[j].start..<(b.communities[j].start + b.communities[j].count)
    }
}

/// One community's events, column by column, in time order.
package struct CommunityEvents: Sendable {
    package var ts: [Int64] = []
    package var actor: [UInt32] = []
    package var type: [UInt8] = []
    package var content: [UInt32] = []
    package var parent: [UInt32] = []
    /// The parent's author: `parent_actor`, else the content's author, else ``MetricsInput/none`` (unresolved).
    package var parentAuthor: [UInt32] = []
    /// The community that created the parent content, or ``MetricsInput/none``.
    package var parentCommunity: [UInt32] = []
    /// End of each event's mentions in ``mentions``.
    package var mentionEnds: [UInt32] = []
    package var mentions: [UInt32] = []

    package var count: Int { ts.count }

    mutating func reserve(_ n: Int) {
        ts.reserveCapacity(n)
        actor.reserveCapacity(n)
        type.reserveCapacity(n)
        content.reserveCapacity(n)
        parent.reserveCapacity(n)
        parentAuthor.reserveCapacity(n)
        parentCommunity.reserveCapacity(n)
        mentionEnds.reserveCapacity(n)
    }

    /// The interactions of event `i` (metrics.md `interactions`): towards
    /// its parent's author and each mentioned person, except oneself and bots.
    /// - Parameter type: the event's type, when the caller has it already.
    @inline(__always)
    package func forEachInteraction(_ i: Int, _ type: EventType? = nil, _ body: (UInt32, UInt32) -> Void) {
        let type = type ?? EventType(rawValue: self.type[i])!
        let actor = self.actor[i]
        if type.needsParent {
            let author = parentAuthor[i]
            if author != MetricsInput.none && author != MetricsInput.botAuthor && author != actor { body(actor, author) }
        }
        if type.takesMentions {
            for m in mentions(of: i) where m != actor { body(actor, m) }
        }
    }

    /// The mentioned persons of event `i`.
    @inline(__always)
    package func mentions(of i: Int) -> ArraySlice<UInt32> {
        mentions[Int(i == 0 ? 0 : mentionEnds[i - 1])..<Int(mentionEnds[i])]
    }

    mutating func sortByTime() {
        let n = count
        let leave = EventType.leave.rawValue
        var sorted = true
        for i in 1..<max(1, n) where (ts[i - 1], type[i - 1] == leave ? 1 : 0) > (ts[i], type[i] == leave ? 1 : 0) {
            sorted = false
            break
        }
        if sorted { return }
        var order = Array(0..<n)
        order.sort { (ts[$0], type[$0] == leave ? 1 : 0, $0) < (ts[$1], type[$1] == leave ? 1 : 0, $1) }
        func permute<T>(_ a: [T]) -> [T] { order.map { a[$0] } }
        var newEnds: [UInt32] = []
        var newMentions: [UInt32] = []
        newEnds.reserveCapacity(n)
        newMentions.reserveCapacity(mentions.count)
        for i in order {
            newMentions.append(contentsOf: mentions(of: i))
            newEnds.append(UInt32(newMentions.count))
        }
        ts = permute(ts)
        actor = permute(actor)
        type = permute(type)
        content = permute(content)
        parent = permute(parent)
        parentAuthor = permute(parentAuthor)
        parentCommunity = permute(parentCommunity)
        mentionEnds = newEnds
        mentions = newMentions
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives a block's pages back as soon as every row on them has been gathered.
///
/// A block holds its communities' rows one range after another. A small
/// community has less than a page of a column in a block and shares that page
/// with its neighbours, so giving back only the whole pages under the rows
/// just copied kept most of the file resident until the pass ended: at 20M
/// events 450 MB of the 906 MB run file, at 80M 2.1 GB of 3.6 GB. Here each
/// block keeps the runs of adjacent ranges gathered in this pass (their ends,
/// as in interval merging: O(1) per range); when a range is gathered, the
/// whole pages under the run it joins are given back, which includes every
/// page whose last range this was. A range gathered twice starts a new pass
/// for its block. A mistake in the counting only gives pages back early or
/// late, which costs a page fault or memory, never a wrong value.
final class BlockPages: @unchecked Sendable {
    private struct Runs {
        var done: [Bool]
        /// For a gathered range at the left end of its run, the run's right
        /// end; at the right end, its left end.
        var end: [Int]
        var gathered = 0

        init(_ n: Int) {
            done = Array(repeating: false, count: n)
            end = Array(0..<n)
        }
    }

    private let runs: Mutex<[Runs]>

    init(_ blocks: [EventBlockView]) {
        runs = Mutex(blocks.map { Runs($0.communities.count) })
    }

    /// Records range `j` of block `k` as gathered; returns the rows of the
    /// run of gathered ranges it belongs to.
    func gathered(range j: Int, of k: Int, in block: EventBlockView) -> Range<Int> {
        let (l, r) = runs.withLock { all in
            if all[k].done[j] || all[k].gathered == all[k].done.count { all[k] = Runs(all[k].done.count) }
            var t = all[k]
            all[k] = Runs(0)  // moved out, so the arrays are changed in place
            t.done[j] = true
            t.gathered += 1
            let l = j > 0 && t.done[j - 1] ? t.end[j - 1] : j
            let r = j + 1 < t.done.count && t.done[j + 1] ? t.end[j + 1] : j
            t.end[l] = r
            t.end[r] = l
            all[k] = t
            return (l, r)
        }
        let first = block.communities[l]
        let last = block.communities[r]
        return (l == 0 ? 0 : first.start)..<(r == block.communities.count - 1 ? block.rows : last.start + last.count)
    }
}
