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

    /// Appends the block as an events section of `run`: rows grouped by
    /// community (ascending id), in arrival order within a community (a
    /// stable counting sort, O(n)), written column by column through
    /// `scratch` (kept by the caller between blocks), so that no copy of the
    /// whole block is made (it was 8 MB, a fresh mapping and its page faults
    /// per block).
    public func write(to run: RunFileWriter, scratch: inout [UInt64]) throws {
        run.beginSection(.events)
        try encode(scratch: &scratch) { try run.writeSection($0) }
        try run.endSection()
    }

    /// Hands the payload to `emit` in pieces, each column padded to 8 bytes.
    private func encode(scratch: inout [UInt64], _ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
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
        var order = [UInt32](repeating: 0, count: n)
        var next = start
        for i in 0..<n {
            let c = Int(community[i])
            order[next[c]] = UInt32(i)
            next[c] += 1
        }

        var written = 0
        func put(_ raw: UnsafeRawBufferPointer) throws {
            try emit(raw)
            written += raw.count
        }
        func pad() throws {
            let zeros: UInt64 = 0
            let k = (8 - written % 8) % 8
            if k > 0 { try withUnsafeBytes(of: zeros) { try put(UnsafeRawBufferPointer(rebasing: $0[..<k])) } }
        }
        var header: [UInt32] = [UInt32(n).littleEndian, UInt32(communities.count).littleEndian]
        header.reserveCapacity(2 + 4 * communities.count)
        for c in communities {
            header += [c, UInt32(start[Int(c)]), UInt32(counts[Int(c)]), 0].map(\.littleEndian)
        }
        try header.withUnsafeBytes { try put($0) }
        let words = (n * 8 + 7) / 8 + 1
        if scratch.count < words { scratch = [UInt64](repeating: 0, count: words) }
        func column<T: FixedWidthInteger>(_ values: [T]) throws {
            try scratch.withUnsafeMutableBytes { raw in
                let out = raw.bindMemory(to: T.self)
                values.withUnsafeBufferPointer { v in
                    order.withUnsafeBufferPointer { o in
                        for slot in 0..<n { out[slot] = v[Int(o[slot])].littleEndian }
                    }
                }
                try put(UnsafeRawBufferPointer(rebasing: raw[..<(n * MemoryLayout<T>.stride)]))
            }
            try pad()
        }
        try column(ts)
        try column(actor)
        try column(content)
        try column(parent)
        try column(parentActor)
        var offsets = [UInt32](repeating: 0, count: n + 1)
        // Through buffer pointers: an array slice a row cost a retain and a
        // release each (1.3 % of ingest's samples).
        let list = [UInt32](unsafeUninitializedCapacity: mentions.count) { out, filled in
            offsets.withUnsafeMutableBufferPointer { offsets in
                mentions.withUnsafeBufferPointer { m in
                    mentionOffsets.withUnsafeBufferPointer { mo in
                        var at = 0
                        for (slot, i) in order.enumerated() {
                            for k in Int(mo[Int(i)])..<Int(mo[Int(i) + 1]) {
                                out[at] = m[k]
                                at += 1
                            }
                            offsets[slot + 1] = UInt32(at).littleEndian
                        }
                        filled = at
                    }
                }
            }
        }
        try offsets.withUnsafeBytes { try put($0) }
        try pad()
        try list.withUnsafeBytes { try put($0) }
        try pad()
        try column(type)
    }
}
