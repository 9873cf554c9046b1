import SiltaEvents
import SiltaSupport

/// Writes the log of one source for one day.
struct FileGenerator {
    let world: World
    let config: GeneratorConfig
    let cells: FrozenCells
    let counts: [Int]
    let day: Int
    let source: Int

    private var sourceName: String { World.sources[source] }

    /// One event of the file before formatting.
    struct Event {
        var ts: Int64
        var community: Int32
        /// Index among the community's creations (when `creation`) or other events.
        var index: Int32
        var creation: Bool
        var type: EventType
        var actor: Int32
        var parent: ContentRef?
        /// A parent id that no event ever creates (an unresolved parent).
        var missingParent: Bool
        var parentActorShown: Bool
    }

    /// Bytes written often, made once.
    struct Names {
        var sources: ByteTable
        var communities: ByteTable
        var types: ByteTable
        var persons: ByteTable
    }

    func write(under out: String, names: Names, scratch: WorkerScratch) throws -> GeneratorSummary {
        var rng = Xoshiro(seed: config.seed, day, source, 3)
        scratch.events.removeAll(keepingCapacity: true)
        for c in world.bySource[source] {
            appendCreations(c, &scratch.events)
            appendOthers(c, &scratch.events)
        }
        let events = scratch.events
        // Sort by time; ties by community, creations first, then index.
        scratch.order.removeAll(keepingCapacity: true)
        for (i, e) in events.enumerated() {
            let tie = UInt64(e.community) << 40 | (e.creation ? 0 : 1) << 39 | UInt64(e.index)
            scratch.order.append((e.ts, tie, Int32(i)))
        }
        scratch.order.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        let order = scratch.order

        let (y, m, d) = RFC3339.civilFromDays(config.firstDay + day)
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let suffix = config.compressionLevel > 0 ? ".ndjson.gz" : ".ndjson"
        let path = "\(out)/\(sourceName)/\(sourceName)-\(y)-\(pad(m))-\(pad(d))\(suffix)"
        let w = scratch.sink
        try w.begin(path: path)
        var line = scratch.buffer
        defer { scratch.buffer = line }
        var summary = GeneratorSummary()

        // Rotation overlap: yesterday's last creations, delivered again.
        if config.duplicateRate > 0 && day > 0 {
            for c in world.bySource[source] {
                let r = cells.range(c, day - 1)
                let repeats = min(r.count, Int((Double(r.count) * config.duplicateRate * 3).rounded()))
                for k in (r.count - repeats)..<r.count {
                    format(creationEvent(c, day - 1, k), names, &line, alteredActor: nil)
                    line.endLine()
                    try w.drain(&line)
                    summary.duplicates += 1
                }
            }
        }
        var badIndex = source * 3 + day
        var oversizedWritten = false
        for (_, _, i) in order {
            let e = events[Int(i)]
            format(e, names, &line, alteredActor: nil)
            line.endLine()
            summary.events += 1
            if config.duplicateRate > 0 && rng.chance(config.duplicateRate) {
                // A tenth of the copies differ (another actor): the first read must win.
                let altered: Int32? = rng.chance(0.1) ? Int32(rng.below(world.persons)) : nil
                format(e, names, &line, alteredActor: altered)
                line.endLine()
                summary.duplicates += 1
            }
            if config.badLineRate > 0 && rng.chance(config.badLineRate) {
                badIndex += 1
                format(e, names, &line, alteredActor: nil)
                spoil(&line, kind: badIndex % 9, oversizedWritten: &oversizedWritten)
                line.endLine()
                summary.badLines += 1
            }
            try w.drain(&line)
        }
        summary.bytesWritten = try w.close(&line)
        summary.bytesUncompressed = w.uncompressedBytes
        return summary
    }

    private func creationEvent(_ c: Int, _ d: Int, _ k: Int) -> Event {
        let i = cells.range(c, d).lowerBound + k
        let p = cells.parent[i]
        return Event(
            ts: cells.ts[i], community: Int32(c), index: Int32(k), creation: true, type: cells.type[i], actor: cells.actor[i],
            parent: p.community < 0 ? nil : p, missingParent: false, parentActorShown: cells.parentActorShown[i])
    }

    private func appendCreations(_ c: Int, _ events: inout [Event]) {
        for k in 0..<cells.range(c, day).count { events.append(creationEvent(c, day, k)) }
    }

    /// Views, reactions, joins and leaves of community `c`.
    private func appendOthers(_ c: Int, _ events: inout [Event]) {
        let community = world.communities[c]
        var rng = Xoshiro(seed: config.seed, c, day, 2)
        let total = counts[c * config.days + day]
        let today = cells.range(c, day)
        let created = today.count
        let n = total - created
        let times = LogGenerator.sortedTimes(n, dayStart: Int64(config.firstDay + day) * 86_400_000, rng: &rng)
        let cells = self.cells
        let countOf: (Int, Int) -> Int = { cells.range($0, $1).count }
        var k = 0
        for ts in times {
            let actor = community.members[community.activeMember.sample(&rng)]
            let u = rng.unit()
            var type: EventType = u < 0.70 ? .view : (u < 0.90 ? .react : (u < 0.96 ? .join : .leave))
            var parent: ContentRef?
            var missing = false
            if type == .view || type == .react {
                // Content created before this instant, today or on the last three days.
                let before = lowerBound(0..<created) { cells.ts[today.lowerBound + $0] <= ts }
                if type == .react && rng.chance(0.003) {
                    missing = true
                } else if type == .view && rng.chance(0.25) {
                    parent = nil
                } else {
                    parent = LogGenerator.recentContent(
                        c: c, d: day, before: before, rng: &rng, count: countOf)
                    if type == .react && rng.chance(0.002), cells.range(c, day + 1).count > 0 {
                        // A reaction logged before the post it reacts to (late delivery).
                        parent = ContentRef(community: Int32(c), day: Int32(day + 1), index: 0)
                    }
                }
                if type == .react && parent == nil && !missing { type = .view }
            }
            events.append(
                Event(
                    ts: ts, community: Int32(c), index: Int32(k), creation: false, type: type, actor: actor, parent: parent,
                    missingParent: missing, parentActorShown: rng.chance(1.0 / 3.0)))
            k += 1
        }
    }

    // MARK: Formatting

    private func contentID(_ ref: ContentRef, _ names: Names, _ w: inout OutputBuffer) {
        let c = Int(ref.community)
        w.append(names.sources[world.communities[c].source])
        w.byte(0x2D)
        w.number(c)
        w.byte(0x2E)
        w.number(Int(ref.day))
        w.byte(0x2E)
        w.number(Int(ref.index))
    }

    private func format(_ e: Event, _ names: Names, _ w: inout OutputBuffer, alteredActor: Int32?) {
        let c = Int(e.community)
        let internalKind = world.communities[c].kind == .internal
        let eventDay = Int((e.ts - Int64(config.firstDay) * 86_400_000) / 86_400_000)
        w.raw("{\"id\":\"")
        w.append(names.sources[source])
        w.byte(0x2D)
        w.number(c)
        w.byte(0x2E)
        w.number(eventDay)
        w.raw(e.creation ? ".c" : ".o")
        w.number(Int(e.index))
        w.raw("\",\"ts\":\"")
        // The intranet logs in Helsinki winter time; the others in UTC.
        w.timestamp(e.ts, offsetMinutes: source == 0 ? 120 : 0)
        w.raw("\",\"community\":\"")
        w.append(names.communities[c])
        w.raw(internalKind ? "\",\"kind\":\"internal\",\"actor\":\"" : "\",\"kind\":\"external\",\"actor\":\"")
        w.append(names.persons[Int(alteredActor ?? e.actor)])
        w.raw("\",\"type\":\"")
        w.append(names.types[Int(e.type.rawValue)])
        w.byte(0x22)
        if e.creation {
            w.raw(",\"content\":\"")
            contentID(ContentRef(community: e.community, day: Int32(eventDay), index: e.index), names, &w)
            w.byte(0x22)
        }
        if e.missingParent {
            w.raw(",\"parent\":\"deleted-")
            w.number(c)
            w.byte(0x2E)
            w.number(Int(e.index))
            w.byte(0x22)
        } else if let p = e.parent {
            w.raw(",\"parent\":\"")
            contentID(p, names, &w)
            w.byte(0x22)
            if e.parentActorShown {
                w.raw(",\"parent_actor\":\"")
                w.append(names.persons[Int(cells.actor[cells.index(p)])])
                w.byte(0x22)
            }
        }
        if e.creation {
            let mentioned = cells.mentions(cells.range(c, eventDay).lowerBound + Int(e.index))
            if !mentioned.isEmpty {
                w.raw(",\"mentions\":[")
                for (i, m) in mentioned.enumerated() {
                    if i > 0 { w.byte(0x2C) }
                    w.byte(0x22)
                    w.append(names.persons[Int(m)])
                    w.byte(0x22)
                }
                w.byte(0x5D)
            }
        }
        w.raw(",\"source\":\"")
        w.append(names.sources[source])
        w.raw("\"}")
    }

    /// Turns a formatted line into a bad line of the given kind (0 to 8: every reject reason).
    private func spoil(_ w: inout OutputBuffer, kind: Int, oversizedWritten: inout Bool) {
        var line = w.currentLine
        func replace(_ from: String, _ to: String) {
            let f = Array(from.utf8)
            guard let r = line.firstRange(of: f) else { return }
            line.replaceSubrange(r, with: Array(to.utf8))
        }
        switch kind {
        case 0:
            // line_too_long: at most one per file, so that logs stay small.
            if oversizedWritten {
                line = Array("{\"id\":\"broken".utf8)
            } else {
                oversizedWritten = true
                let padding = Array(",\"padding\":\"".utf8) + [UInt8](repeating: 0x78, count: 1_048_600) + [0x22]
                line.insert(contentsOf: padding, at: line.count - 1)
            }
        case 1: line.insert(contentsOf: [0xFF, 0xFE], at: 8)  // invalid_utf8 (inside the id string)
        case 2: line = Array(line[..<(line.count / 2)])  // invalid_json
        case 3: line = Array("[\"not\",\"an\",\"object\"]".utf8)  // not_object
        case 4: replace("\"actor\":", "\"actr\":")  // missing_field
        case 5: replace("\"community\":\"", "\"community\":17,\"x\":\"")  // wrong_type
        case 6: replace("\"ts\":\"", "\"ts\":\"yesterday ")  // bad_timestamp
        case 7: replace("\"kind\":\"", "\"kind\":\"partner-")  // unknown_kind
        default: replace("\"type\":\"", "\"type\":\"like-")  // unknown_type
        }
        w.replaceLine(with: line)
    }
}

/// What one worker reuses from file to file.
final class WorkerScratch {
    let sink: LineSink
    var buffer = OutputBuffer()
    var events: [FileGenerator.Event] = []
    var order: [(Int64, UInt64, Int32)] = []

    init(level: Int) throws { sink = try LineSink(level: level) }

    deinit { buffer.deallocate() }
}
