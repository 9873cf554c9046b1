import SiltaEvents
import SiltaSupport

/// DiscordChatExporter's JSON exports (docs/importers.md "Discord"): one
/// file per channel or thread, `guild`, `channel` and `messages[]`; each
/// channel a community `GUILD/CHANNEL` (a thread's messages go to its
/// parent channel), each person `discord:<user id>`.
package struct DiscordImporter {
    package var kind: ImportEvent.Kind = .external
    package var source: [UInt8] = Array("discord".utf8)
    /// The guild's name in community ids, instead of the export's.
    package var guild: String?
    package var includeBots = false
    /// `discord:<id>` of every user the export marks `isBot`, for --identities-out.
    package private(set) var bots: [[UInt8]] = []
    private var tape = JSONTape()
    /// Whether any file read was a channel export.
    private var sawExport = false

    package init() {}

    /// Reads `path`: a channel's `.json` file, or a folder or `.zip` of them.
    /// - Throws: ``ImportError`` when it does not exist, or holds no channel export.
    package mutating func read(_ path: String, summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        let what = "a DiscordChatExporter JSON file, or a folder or .zip of them"
        if path.hasSuffix(".json") && FileSystem.kind(of: path) == .file {
            guard let bytes = try? PosixFile.readAll(path) else { throw ImportError.notFound(path: path, what: what) }
            try channel(bytes, summary: &summary, emit: emit)
        } else {
            var files = try ExportFiles(path, what: what)
            for file in files.paths where file.hasSuffix(".json") {
                guard let bytes = files.read(file) else { continue }
                try channel(bytes, summary: &summary, emit: emit)
            }
            for d in files.damage { summary.damaged.append(d) }
        }
        if !sawExport {
            throw ImportError.notAnExport(
                path: path, why: "no file in it has guild, channel and messages: is it a DiscordChatExporter JSON export?")
        }
    }

    /// The events of one channel's export.
    package mutating func channel(_ bytes: [UInt8], summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        guard tape.parse(bytes), tape.kind(tape.root) == .object else {
            summary.skip("file that is not JSON")
            return
        }
        let t = tape
        let root = t.root
        guard t.kind(t.member(root, "messages")) == .array,
            let guildName = guild.map({ Array($0.utf8) }) ?? t.string(t.path(root, "guild", "name")),
            let channelName = t.string(t.path(root, "channel", "name"))
        else {
            summary.skip("JSON file without guild.name, channel.name and messages")
            return
        }
        sawExport = true
        // A thread's messages belong to its parent channel (the exporter's `category`).
        let isThread = t.text(t.path(root, "channel", "type"))?.contains("Thread") == true
        let parentChannel = t.string(t.path(root, "channel", "category")).flatMap { $0.isEmpty ? nil : $0 }
        let community = IdCap.cap(guildName + [0x2F] + (isThread ? parentChannel ?? channelName : channelName))
        for m in t.elements(t.member(root, "messages")) {
            for e in message(m, community: community, summary: &summary) where summary.take(e) { try emit(e) }
        }
    }

    /// `discord:<id>` of a user object, noting bots; nil without an id.
    mutating func person(_ user: Int?) -> (id: [UInt8], bot: Bool)? {
        guard let id = tape.string(tape.member(user, "id")), !id.isEmpty else { return nil }
        let person = Array("discord:".utf8) + id
        let bot = tape.isTrue(tape.member(user, "isBot"))
        if bot { bots.append(person) }
        return (person, bot)
    }

    /// The events of one message.
    mutating func message(_ m: Int, community: [UInt8], summary: inout ImportSummary) -> [ImportEvent] {
        guard tape.kind(m) == .object, let messageID = tape.string(tape.member(m, "id")), !messageID.isEmpty,
            let stamp = tape.string(tape.member(m, "timestamp")), let when = ImportTime.text(stamp)
        else {
            summary.skip("message without id or a valid timestamp")
            return []
        }
        guard let author = person(tape.member(m, "author")) else {
            summary.skip("message without author.id")
            return []
        }
        let mentioned = tape.elements(tape.member(m, "mentions")).compactMap { person($0)?.id }
        if author.bot && !includeBots {
            summary.skip("bot's message (without --include-bots)")
            return []
        }
        let t = tape
        let content = Array("discord:".utf8) + messageID
        func event(_ type: EventType, actor: [UInt8], id: [UInt8]? = nil) -> ImportEvent {
            ImportEvent(
                id: id ?? content, ms: when.ms, ts: when.ts, community: community, kind: kind, actor: actor, type: type, source: source)
        }
        var out: [ImportEvent] = []
        let type = t.text(t.member(m, "type")) ?? "?"
        switch type {
        case "Default", "Reply":
            let parent = t.string(t.path(m, "reference", "messageId")).flatMap { $0.isEmpty ? nil : Array("discord:".utf8) + $0 }
            if type == "Reply", let parent {
                var e = event(.reply, actor: author.id)
                e.set(content: content, parent: parent, mentions: mentioned)
                out.append(e)
            } else {
                // A reply whose original the export no longer names is still a message in the channel.
                var e = event(.post, actor: author.id)
                e.set(content: content, mentions: mentioned)
                out.append(e)
            }
        case "GuildMemberJoin":
            return [event(.join, actor: author.id)]
        default:
            summary.skip("\(type): not mapped")
            return []
        }
        // Reactions: the export has no time for them; the message's is used (as for Slack).
        for r in t.elements(t.member(m, "reactions")) {
            let emoji = t.string(t.path(r, "emoji", "id")).flatMap { $0.isEmpty ? nil : $0 } ?? t.string(t.path(r, "emoji", "name")) ?? []
            let users = t.elements(t.member(r, "users"))
            if users.isEmpty {
                let count = t.raw(t.member(r, "count")).flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
                if count > 0 { summary.skip("reaction without its users", count) }
                continue
            }
            for u in users {
                guard let user = person(u) else { continue }
                if user.bot && !includeBots {
                    summary.skip("bot's reaction (without --include-bots)")
                    continue
                }
                let id = content + Array("/react/".utf8) + emoji + [0x2F] + user.id.dropFirst("discord:".count)
                var react = event(.react, actor: user.id, id: id)
                react.set(parent: content, parentActor: author.id)
                out.append(react)
            }
        }
        return out
    }
}
