import SiltaEvents
import SiltaIdentities
import SiltaSupport

/// A Viva Engage (Yammer) network data export (docs/importers.md "Viva
/// Engage"): a zip (or its folder) of CSVs, `Messages.csv` with `Groups.csv`
/// for the groups' names. Each group a community `NETWORK/<group name>`, each
/// person `viva:<sender id>`, each message's content `viva:msg:<id>`.
package struct VivaEngageImporter {
    package var kind: ImportEvent.Kind = .internal
    package var source: [UInt8] = Array("viva-engage".utf8)
    /// The network's name in community ids, instead of the export's.
    package var network: String?
    package var includeBots = false
    /// Senders whose `sender_type` is not `user` (apps, the system), for --identities-out.
    package private(set) var bots: [[UInt8]] = []

    package init() {}

    /// Hands each row of a CSV file to `body` as column name -> value (the
    /// header names the columns); rows are not kept, so memory is the
    /// file's bytes. Returns false when the file stops being RFC 4180 (the
    /// rows before it were handed on).
    @discardableResult
    package static func forEachRow(_ bytes: [UInt8], _ body: ([String: [UInt8]]) throws -> Void) rethrows -> Bool {
        var reader = CSVRecords(bytes)
        var record = CSVRecords.Record()
        func next() -> Bool? {
            do { return try reader.next(into: &record) } catch { return nil }
        }
        guard let header = next() else { return false }
        guard header else { return true }
        let names = record.fields.indices.map { String(decoding: record.value($0, in: bytes), as: UTF8.self) }
        while true {
            guard let more = next() else { return false }
            guard more else { return true }
            var row: [String: [UInt8]] = [:]
            for (k, name) in names.enumerated() where k < record.fields.count { row[name] = record.value(k, in: bytes) }
            try body(row)
        }
    }

    /// Reads the export at `path`, a zip or a folder.
    /// - Throws: ``ImportError`` when it does not exist or has no Messages.csv.
    package mutating func read(_ path: String, summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        var files = try ExportFiles(path, what: "a Viva Engage network data export: its .zip or its folder")
        guard let messagesFile = files.paths.first(where: { $0 == "Messages.csv" || $0.hasSuffix("/Messages.csv") }) else {
            throw ImportError.notAnExport(path: path, why: "it has no Messages.csv: is it a Viva Engage network data export?")
        }
        let root = String(messagesFile.dropLast("Messages.csv".count))
        let space = Array((network ?? files.name).utf8)
        // Group names, made unique: a name two groups share takes the id too.
        var nameOf: [String: [UInt8]] = [:]
        if let bytes = files.read(root + "Groups.csv") {
            let whole = Self.forEachRow(bytes) { g in
                if let id = g["id"], !id.isEmpty, let name = g["name"], !name.isEmpty { nameOf[String(decoding: id, as: UTF8.self)] = name }
            }
            if !whole { summary.skip("the rest of a CSV file that is not RFC 4180 (Groups.csv)") }
        }
        guard let bytes = files.read(messagesFile) else {
            for d in files.damage { summary.damaged.append(d) }
            throw ImportError.notAnExport(path: path, why: "its Messages.csv cannot be read")
        }
        // Two passes: the groups' names first (a name's uniqueness needs them all), then the events.
        Self.forEachRow(bytes) { m in
            if let id = m["group_id"], !id.isEmpty, nameOf[String(decoding: id, as: UTF8.self)] == nil, let name = m["group_name"],
                !name.isEmpty
            {
                nameOf[String(decoding: id, as: UTF8.self)] = name
            }
        }
        var uses: [ByteKey: Int] = [:]
        for name in nameOf.values { uses[ByteKey(name), default: 0] += 1 }
        func community(_ group: [UInt8]) -> [UInt8] {
            guard !group.isEmpty else { return IdCap.cap(space + Array("/All Company".utf8)) }
            let key = String(decoding: group, as: UTF8.self)
            guard let name = nameOf[key] else { return IdCap.cap(space + [0x2F] + group) }
            let unique = uses[ByteKey(name)] == 1 ? name : name + Array(" (".utf8) + group + [0x29]
            return IdCap.cap(space + [0x2F] + unique)
        }
        var me = self
        var s = summary
        let whole = try Self.forEachRow(bytes) { m in
            if let e = me.message(m, community: community, summary: &s), s.take(e) { try emit(e) }
        }
        self = me
        summary = s
        if !whole { summary.skip("the rest of a CSV file that is not RFC 4180 (Messages.csv)") }
        for d in files.damage { summary.damaged.append(d) }
    }

    /// One message's event, or nil (counted).
    mutating func message(_ m: [String: [UInt8]], community: ([UInt8]) -> [UInt8], summary: inout ImportSummary) -> ImportEvent? {
        func flag(_ name: String) -> Bool { (m[name] ?? []).elementsEqual("true".utf8) || (m[name] ?? []).elementsEqual("TRUE".utf8) }
        guard let id = m["id"], !id.isEmpty, let sender = m["sender_id"], !sender.isEmpty, let when = ImportTime.utc(m["created_at"] ?? [])
        else {
            summary.skip("message without id, sender_id or a valid created_at")
            return nil
        }
        if flag("in_private_conversation") {
            summary.skip("message in a private conversation")
            return nil
        }
        if !(m["deleted_at"] ?? []).isEmpty {
            summary.skip("deleted message")
            return nil
        }
        let actor = Array("viva:".utf8) + sender
        if let type = m["sender_type"], !type.isEmpty, !type.elementsEqual("user".utf8) {
            bots.append(actor)
            if !includeBots {
                summary.skip("message of a sender that is no user (without --include-bots)")
                return nil
            }
        }
        let content = Array("viva:msg:".utf8) + id
        let repliedTo = m["replied_to_id"] ?? []
        let thread = m["thread_id"] ?? []
        let parent: [UInt8]? =
            !repliedTo.isEmpty ? repliedTo : (!thread.isEmpty && thread != id ? thread : nil)
        var e = ImportEvent(
            id: content, ms: when.ms, ts: when.ts, community: community(m["group_id"] ?? []), kind: kind, actor: actor,
            type: parent == nil ? .post : .reply, source: source)
        e.set(content: content, parent: parent.map { Array("viva:msg:".utf8) + $0 }, mentions: Self.mentions(m["body"] ?? []))
        return e
    }

    /// `[[user:ID]]` in a body: `viva:<ID>`, each once.
    static func mentions(_ body: [UInt8]) -> [[UInt8]] {
        let open = Array("[[user:".utf8)
        var out: [[UInt8]] = []
        var i = 0
        while i + open.count < body.count {
            guard body[i..<(i + open.count)].elementsEqual(open) else {
                i += 1
                continue
            }
            var j = i + open.count
            while j < body.count && body[j] >= 0x30 && body[j] <= 0x39 { j += 1 }
            if j > i + open.count, j + 1 < body.count, body[j] == 0x5D, body[j + 1] == 0x5D {
                let person = Array("viva:".utf8) + body[(i + open.count)..<j]
                if !out.contains(person) { out.append(person) }
            }
            i = j
        }
        return out
    }
}
