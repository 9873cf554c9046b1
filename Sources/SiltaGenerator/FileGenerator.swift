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
    private struct Event {
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

    func write(under out: String) throws -> GeneratorSummary {
        var rng = Xoshiro(seed: config.seed, day, source, 3)
        var events: [Event] = []
        for c in world.bySource[source] {
            appendCreations(c, &events)
            appendOthers(c, &events)
        }
        events.sort { ($0.ts, $0.community, $0.creation ? 0 : 1, $0.index) < ($1.ts, $1.community, $1.creation ? 0 : 1, $1.index) }

        let (y, m, d) = RFC3339.civilFromDays(config.firstDay + day)
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let suffix = config.compressionLevel > 0 ? ".ndjson.gz" : ".ndjson"
        let path = "\(out)/\(sourceName)/\(sourceName)-\(y)-\(pad(m))-\(pad(d))\(suffix)"
        let w = try LineWriter(path: path, level: config.compressionLevel)
        var summary = GeneratorSummary()

        // Rotation overlap: yesterday's last creations, delivered again.
        if config.duplicateRate > 0 && day > 0 {
            for c in world.bySource[source] {
                guard let cell = cells.get(c, day - 1), cell.count > 0 else { continue }
                let repeats = min(cell.count, Int((Double(cell.count) * config.duplicateRate * 3).rounded()))
                for k in (cell.count - repeats)..<cell.count {
                    format(creationEvent(c, day - 1, k, cell), w, alteredActor: nil)
                    try w.endLine()
                    summary.duplicates += 1
                }
            }
        }
        var badIndex = source * 3 + day
        var oversizedWritten = false
        for e in events {
            format(e, w, alteredActor: nil)
            try w.endLine()
            summary.events += 1
            if config.duplicateRate > 0 && rng.chance(config.duplicateRate) {
                // A tenth of the copies differ (another actor): the first read must win.
                let altered: Int32? = rng.chance(0.1) ? Int32(rng.below(world.persons)) : nil
                format(e, w, alteredActor: altered)
                try w.endLine()
                summary.duplicates += 1
            }
            if config.badLineRate > 0 && rng.chance(config.badLineRate) {
                badIndex += 1
                try badLine(e, kind: badIndex % 9, w, oversizedWritten: &oversizedWritten)
                summary.badLines += 1
            }
        }
        summary.bytesUncompressed = w.uncompressedBytes
        summary.bytesWritten = try w.close()
        return summary
    }

    private func creationEvent(_ c: Int, _ d: Int, _ k: Int, _ cell: CreationCell) -> Event {
        Event(
            ts: cell.ts[k], community: Int32(c), index: Int32(k), creation: true, type: cell.type[k], actor: cell.actor[k],
            parent: cell.parent[k], missingParent: false, parentActorShown: cell.parentActorShown[k])
    }

    private func appendCreations(_ c: Int, _ events: inout [Event]) {
        guard let cell = cells.get(c, day) else { return }
        for k in 0..<cell.count { events.append(creationEvent(c, day, k, cell)) }
    }

    /// Views, reactions, joins and leaves of community `c`.
    private func appendOthers(_ c: Int, _ events: inout [Event]) {
        let community = world.communities[c]
        var rng = Xoshiro(seed: config.seed, c, day, 2)
        let total = counts[c * config.days + day]
        let today = cells.get(c, day)
        let created = today?.count ?? 0
        let n = total - created
        let times = LogGenerator.sortedTimes(n, dayStart: Int64(config.firstDay + day) * 86_400_000, rng: &rng)
        var k = 0
        for ts in times {
            let actor = community.members[community.activeMember.sample(&rng)]
            let u = rng.unit()
            var type: EventType = u < 0.70 ? .view : (u < 0.90 ? .react : (u < 0.96 ? .join : .leave))
            var parent: ContentRef?
            var missing = false
            if type == .view || type == .react {
                // Content created before this instant, today or on the last three days.
                var before = 0
                if let today {
                    var lo = 0
                    var hi = created
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if today.ts[mid] <= ts { lo = mid + 1 } else { hi = mid }
                    }
                    before = lo
                }
                if type == .react && rng.chance(0.003) {
                    missing = true
                } else if type == .view && rng.chance(0.25) {
                    parent = nil
                } else {
                    parent = LogGenerator.recentContent(
                        world: world, c: c, d: day, before: before, rng: &rng, earlier: { cells.get($0, $1) })
                    if type == .react && rng.chance(0.002), let next = cells.get(c, day + 1), next.count > 0 {
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

    private func contentID(_ ref: ContentRef, _ w: LineWriter) {
        let c = Int(ref.community)
        w.bytes(Array(World.sources[world.communities[c].source].utf8))
        w.byte(0x2D)
        w.number(c)
        w.byte(0x2E)
        w.number(Int(ref.day))
        w.byte(0x2E)
        w.number(Int(ref.index))
    }

    private func format(_ e: Event, _ w: LineWriter, alteredActor: Int32?) {
        let community = world.communities[Int(e.community)]
        let eventDay = Int((e.ts - Int64(config.firstDay) * 86_400_000) / 86_400_000)
        w.raw("{\"id\":\"")
        w.bytes(Array(sourceName.utf8))
        w.byte(0x2D)
        w.number(Int(e.community))
        w.byte(0x2E)
        w.number(eventDay)
        w.raw(e.creation ? ".c" : ".o")
        w.number(Int(e.index))
        w.raw("\",\"ts\":\"")
        // The intranet logs in Helsinki winter time; the others in UTC.
        w.timestamp(e.ts, offsetMinutes: source == 0 ? 120 : 0)
        w.raw("\",\"community\":\"")
        w.bytes(Array(community.name.utf8))
        w.raw(community.kind == .internal ? "\",\"kind\":\"internal\",\"actor\":\"" : "\",\"kind\":\"external\",\"actor\":\"")
        w.bytes(world.personNames[Int(alteredActor ?? e.actor)])
        w.raw("\",\"type\":\"")
        w.bytes(Array(e.type.name.utf8))
        w.byte(0x22)
        if e.creation {
            w.raw(",\"content\":\"")
            contentID(ContentRef(community: e.community, day: Int32(eventDay), index: e.index), w)
            w.byte(0x22)
        }
        if e.missingParent {
            w.raw(",\"parent\":\"deleted-")
            w.number(Int(e.community))
            w.byte(0x2E)
            w.number(Int(e.index))
            w.byte(0x22)
        } else if let p = e.parent {
            w.raw(",\"parent\":\"")
            contentID(p, w)
            w.byte(0x22)
            if e.parentActorShown, let cell = cells.get(Int(p.community), Int(p.day)) {
                w.raw(",\"parent_actor\":\"")
                w.bytes(world.personNames[Int(cell.actor[Int(p.index)])])
                w.byte(0x22)
            }
        }
        if e.creation, let cell = cells.get(Int(e.community), eventDay), !cell.mentions[Int(e.index)].isEmpty {
            w.raw(",\"mentions\":[")
            for (i, m) in cell.mentions[Int(e.index)].enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.byte(0x22)
                w.bytes(world.personNames[Int(m)])
                w.byte(0x22)
            }
            w.byte(0x5D)
        }
        w.raw(",\"source\":\"")
        w.bytes(Array(sourceName.utf8))
        w.raw("\"}")
    }

    /// One bad line of the given kind (0 to 8: every reject reason).
    private func badLine(_ e: Event, kind: Int, _ w: LineWriter, oversizedWritten: inout Bool) throws {
        format(e, w, alteredActor: nil)
        var line = w.line
        w.line.removeAll(keepingCapacity: true)
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
                line.insert(contentsOf: Array(",\"padding\":\"".utf8) + [UInt8](repeating: 0x78, count: 1_048_600) + [0x22], at: line.count - 1)
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
        w.line = line
        try w.endLine()
    }
}
