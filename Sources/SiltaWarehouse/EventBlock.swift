import SiltaSupport

/// Events gathered for one block of a run file, one array per column.
///
/// Ids are the warehouse's interned integers; ``RunFileLayout/none`` marks an
/// absent content, parent or parent actor.
public struct EventBlockBuilder {
    public private(set) var ts: [Int64] = []
    public private(set) var community: [UInt32] = []
    public private(set) var actor: [UInt32] = []
    public private(set) var type: [UInt8] = []
    public private(set) var content: [UInt32] = []
    public private(set) var parent: [UInt32] = []
    public private(set) var parentActor: [UInt32] = []
    public private(set) var mentionOffsets: [UInt32] = [0]
    public private(set) var mentions: [UInt32] = []

    public init(reserve: Int = 0) {
        ts.reserveCapacity(reserve)
        community.reserveCapacity(reserve)
        actor.reserveCapacity(reserve)
        type.reserveCapacity(reserve)
        content.reserveCapacity(reserve)
        parent.reserveCapacity(reserve)
        parentActor.reserveCapacity(reserve)
        mentionOffsets.reserveCapacity(reserve + 1)
    }

    public var count: Int { ts.count }

    /// Adds one event; `mentions` must already hold distinct persons.
    public mutating func append(
        ts: Int64, community: UInt32, actor: UInt32, type: UInt8,
        content: UInt32, parent: UInt32, parentActor: UInt32, mentions: UnsafeBufferPointer<UInt32>
    ) {
        self.ts.append(ts)
        self.community.append(community)
        self.actor.append(actor)
        self.type.append(type)
        self.content.append(content)
        self.parent.append(parent)
        self.parentActor.append(parentActor)
        self.mentions.append(contentsOf: mentions)
        mentionOffsets.append(UInt32(self.mentions.count))
    }

    public mutating func removeAll() {
        ts.removeAll(keepingCapacity: true)
        community.removeAll(keepingCapacity: true)
        actor.removeAll(keepingCapacity: true)
        type.removeAll(keepingCapacity: true)
        content.removeAll(keepingCapacity: true)
        parent.removeAll(keepingCapacity: true)
        parentActor.removeAll(keepingCapacity: true)
        mentionOffsets.removeAll(keepingCapacity: true)
        mentionOffsets.append(0)
        mentions.removeAll(keepingCapacity: true)
    }

    /// The block's section payload: rows grouped by community (ascending id),
    /// in arrival order within a community (a stable counting sort, O(n)).
    public func encoded() -> ByteWriter {
        let n = count
        let slots = (community.max().map { Int($0) } ?? -1) + 1
        var counts = [Int](repeating: 0, count: slots)
        for c in community { counts[Int(c)] += 1 }
        let communities = (0..<slots).filter { counts[$0] > 0 }.map { UInt32($0) }
        var start = [Int](repeating: 0, count: slots)
        var at = 0
        for c in communities {
            start[Int(c)] = at
            at += counts[Int(c)]
        }
        var order = [Int](repeating: 0, count: n)
        var next = start
        for i in 0..<n {
            let c = Int(community[i])
            order[next[c]] = i
            next[c] += 1
        }

        var w = ByteWriter(capacity: 64 + n * 30 + mentions.count * 4 + communities.count * 16)
        w.append(UInt32(n))
        w.append(UInt32(communities.count))
        for c in communities {
            w.append(c)
            w.append(UInt32(start[Int(c)]))
            w.append(UInt32(counts[Int(c)]))
            w.append(UInt32(0))
        }
        func column<T: FixedWidthInteger>(_ values: [T]) {
            var out = [T](repeating: 0, count: n)
            for (slot, i) in order.enumerated() { out[slot] = values[i] }
            w.append(contentsOf: out)
            w.pad(to: 8)
        }
        column(ts)
        column(actor)
        column(content)
        column(parent)
        column(parentActor)
        var offsets = [UInt32](repeating: 0, count: n + 1)
        var list: [UInt32] = []
        list.reserveCapacity(mentions.count)
        for (slot, i) in order.enumerated() {
            list.append(contentsOf: mentions[Int(mentionOffsets[i])..<Int(mentionOffsets[i + 1])])
            offsets[slot + 1] = UInt32(list.count)
        }
        w.append(contentsOf: offsets)
        w.pad(to: 8)
        w.append(contentsOf: list)
        w.pad(to: 8)
        column(type)
        return w
    }
}
