import Foundation
import SiltaEvents
import SiltaSupport
import ZIPFoundation

/// The files of an export, from a folder or a `.zip`: relative path -> bytes.
package struct ExportFiles {
    package private(set) var paths: [String] = []
    private var folder: String?
    private var archive: Archive?
    private var entries: [String: Entry] = [:]
    /// What could not be read (a damaged zip entry), for the summary.
    package private(set) var damage: [(file: String, error: String)] = []
    /// The export's name: the folder's or the zip's, without `.zip`.
    package let name: String

    /// Opens `path`, a folder or a zip file.
    /// - Throws: ``ImportError`` when it does not exist or is neither.
    package init(_ path: String, what: String) throws {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let base = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        switch FileSystem.kind(of: trimmed) {
        case .directory:
            folder = trimmed
            name = base
            var found: [String] = []
            Self.walk(trimmed, "", into: &found)
            paths = found.sorted()
        case .file:
            name = base.hasSuffix(".zip") ? String(base.dropLast(4)) : base
            let archive: Archive
            do {
                archive = try Archive(url: URL(fileURLWithPath: trimmed), accessMode: .read)
            } catch {
                throw ImportError.notAnExport(path: path, why: "it is neither a folder nor a zip file (\(error))")
            }
            self.archive = archive
            for entry in archive where entry.type == .file {
                entries[entry.path] = entry
            }
            paths = entries.keys.sorted()
        default:
            throw ImportError.notFound(path: path, what: what)
        }
    }

    private static func walk(_ root: String, _ relative: String, into out: inout [String]) {
        let here = relative.isEmpty ? root : root + "/" + relative
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: here) else { return }
        for n in names {
            let rel = relative.isEmpty ? n : relative + "/" + n
            if FileSystem.kind(of: root + "/" + rel) == .directory {
                walk(root, rel, into: &out)
            } else {
                out.append(rel)
            }
        }
    }

    /// The bytes of `path`, or nil when it is missing or cannot be read (then recorded as damage).
    package mutating func read(_ path: String) -> [UInt8]? {
        if let folder {
            return try? PosixFile.readAll(folder + "/" + path)
        }
        guard let archive, let entry = entries[path] else { return nil }
        var bytes: [UInt8] = []
        do {
            _ = try archive.extract(entry, skipCRC32: false) { data in bytes.append(contentsOf: data) }
            return bytes
        } catch {
            damage.append((path, "\(error)"))
            return nil
        }
    }
}

/// A Slack workspace export (docs/importers.md "Slack workspace export").
package struct SlackImporter {
    package var kind: ImportEvent.Kind = .internal
    package var source: [UInt8] = Array("slack".utf8)
    package var workspace: String?
    package var includeBots = false
    /// `bot:<bot_id>` actors written (with --include-bots), for --identities-out.
    package private(set) var bots: [[UInt8]] = []
    private var tape = JSONTape()

    package init() {}

    package mutating func read(_ path: String, summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        var files = try ExportFiles(path, what: "a Slack export: its folder or its .zip")
        // The root: the folder holding channels.json (a zip may wrap it in one folder).
        guard let list = files.paths.first(where: { $0 == "channels.json" || $0.hasSuffix("/channels.json") }) else {
            throw ImportError.notAnExport(path: path, why: "it has no channels.json: is it a Slack workspace export?")
        }
        let root = String(list.dropLast("channels.json".count))
        let space = Array((workspace ?? files.name).utf8)
        // Channel folder -> channel id, from the channel lists.
        var ids: [String: [UInt8]] = [:]
        for listName in ["channels.json", "groups.json", "mpims.json", "dms.json"] {
            guard let bytes = files.read(root + listName) else { continue }
            guard tape.parse(bytes), tape.kind(tape.root) == .array else {
                summary.skip("\(listName) that is not a JSON array")
                continue
            }
            for c in tape.elements(tape.root) {
                guard let id = tape.string(tape.member(c, "id")) else { continue }
                let folderName = tape.text(tape.member(c, "name")) ?? String(decoding: id, as: UTF8.self)
                ids[folderName] = id
            }
        }
        for file in files.paths where file.hasPrefix(root) && file.hasSuffix(".json") {
            let rel = file.dropFirst(root.count)
            let parts = rel.split(separator: "/")
            guard parts.count == 2, Self.isDayFile(parts[1]) else { continue }
            let channel = String(parts[0])
            guard let bytes = files.read(file) else { continue }
            guard tape.parse(bytes), tape.kind(tape.root) == .array else {
                summary.skip("day file that is not a JSON array")
                continue
            }
            let community = space + [0x2F] + Array(channel.utf8)
            let channelID = ids[channel] ?? Array(channel.utf8)
            for m in tape.elements(tape.root) {
                for e in message(m, workspace: space, community: community, channelID: channelID, summary: &summary) {
                    if summary.take(e) { try emit(e) }
                }
            }
        }
        for d in files.damage { summary.damaged.append(d) }
    }

    static func isDayFile(_ name: Substring) -> Bool {
        name.count == 15 && name.hasSuffix(".json") && RFC3339.parseDate(String(name.prefix(10))) != nil
    }

    /// The events of one message.
    mutating func message(_ m: Int, workspace: [UInt8], community: [UInt8], channelID: [UInt8], summary: inout ImportSummary)
        -> [ImportEvent]
    {
        let t = tape
        guard t.kind(m) == .object, let tsText = t.string(t.member(m, "ts")), let when = ImportTime.slack(tsText) else {
            summary.skip("message without a valid ts")
            return []
        }
        let colon: [UInt8] = [0x3A]
        let contentID = workspace + colon + channelID + colon + tsText
        let subtype = t.text(t.member(m, "subtype"))
        func slackUser(_ node: Int?) -> [UInt8]? {
            guard let id = t.string(node), !id.isEmpty else { return nil }
            return Array("slack:".utf8) + id
        }
        func event(_ type: EventType, actor: [UInt8], id: [UInt8]? = nil) -> ImportEvent {
            ImportEvent(
                id: id ?? contentID, ms: when.ms, ts: when.ts, community: community, kind: kind, actor: actor, type: type, source: source)
        }
        var actor = slackUser(t.member(m, "user"))
        switch subtype {
        case nil, "thread_broadcast", "me_message", "file_share", "bot_message":
            if subtype == "bot_message" || actor == nil {
                guard includeBots, let bot = t.string(t.member(m, "bot_id")), !bot.isEmpty else {
                    summary.skip(subtype == "bot_message" ? "bot_message (without --include-bots)" : "message without user")
                    return []
                }
                actor = Array("bot:".utf8) + bot
                bots.append(actor!)
            }
            let who = actor!
            var e: ImportEvent
            let text = t.string(t.member(m, "text")) ?? []
            let mentions = Mentions.slack(text).map { Array("slack:".utf8) + $0 }
            let shared = t.elements(t.member(m, "attachments")).first { a in
                t.isTrue(t.member(a, "is_share")) && t.string(t.member(a, "ts")) != nil
            }
            let thread = t.string(t.member(m, "thread_ts"))
            if let a = shared {
                e = event(.share, actor: who)
                let from = t.string(t.member(a, "channel_id")) ?? channelID
                e.set(
                    content: contentID, parent: workspace + colon + from + colon + t.string(t.member(a, "ts"))!,
                    parentActor: slackUser(t.member(a, "author_id")), mentions: mentions)
            } else if let thread, thread != tsText {
                e = event(.reply, actor: who)
                e.set(
                    content: contentID, parent: workspace + colon + channelID + colon + thread,
                    parentActor: slackUser(t.member(m, "parent_user_id")), mentions: mentions)
            } else {
                e = event(.post, actor: who)
                e.set(content: contentID, mentions: mentions)
            }
            var out = [e]
            for r in t.elements(t.member(m, "reactions")) {
                let emoji = t.string(t.member(r, "name")) ?? []
                for u in t.elements(t.member(r, "users")) {
                    guard let user = t.string(u), !user.isEmpty else { continue }
                    let id = contentID + Array("/react/".utf8) + emoji + [0x2F] + user
                    var react = event(.react, actor: Array("slack:".utf8) + user, id: id)
                    react.set(parent: contentID, parentActor: who)
                    out.append(react)
                }
            }
            return out
        case "channel_join", "channel_leave":
            return [event(subtype == "channel_join" ? .join : .leave, actor: actor ?? [])]
        case "file_comment":
            let comment = t.member(m, "comment")
            var e = event(.reply, actor: slackUser(t.member(comment, "user")) ?? [])
            guard let file = t.string(t.path(m, "file", "id")) else {
                summary.skip("file_comment without file.id")
                return []
            }
            e.set(
                content: contentID, parent: workspace + Array(":file:".utf8) + file, parentActor: slackUser(t.path(m, "file", "user")),
                mentions: Mentions.slack(t.string(t.member(comment, "comment")) ?? []).map { Array("slack:".utf8) + $0 })
            return [e]
        case let other?:
            summary.skip("subtype \(other)")
            return []
        }
    }
}
