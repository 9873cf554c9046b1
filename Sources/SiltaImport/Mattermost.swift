import SiltaEvents
import SiltaSupport

/// A Mattermost bulk export (docs/importers.md "Mattermost"): JSON lines of
/// `version`, `team`, `channel`, `user`, `bot`, `post` (with its `replies[]`
/// and `reactions[]`) and `direct_*` objects, as `mmctl export` writes them,
/// in a `.jsonl` file (or `.jsonl.gz`) or the export's `.zip`. Each channel a
/// community `TEAM/CHANNEL`, each person `mm:<username>`.
package struct MattermostImporter {
    package var kind: ImportEvent.Kind = .internal
    package var source: [UInt8] = Array("mattermost".utf8)
    package var includeBots = false
    /// `mm:<username>` of the export's bot users, for --identities-out.
    package private(set) var bots: [[UInt8]] = []
    private var botNames = Set<ByteKey>()
    /// Every user and bot the export names: who a `@name` can mention.
    private var users = Set<ByteKey>()
    private var tape = JSONTape()
    private var sawVersion = false

    package init() {}

    /// Reads `path`: the export's `.jsonl` (or `.jsonl.gz`) file, or its `.zip`.
    /// - Throws: ``ImportError`` when it does not exist or is no bulk export.
    package mutating func read(_ path: String, summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        let what = "a Mattermost bulk export: its .jsonl file or its .zip"
        if path.hasSuffix(".zip") || FileSystem.kind(of: path) == .directory {
            var files = try ExportFiles(path, what: what)
            for file in files.paths where file.hasSuffix(".jsonl") {
                guard let bytes = files.read(file) else { continue }
                var start = 0
                while start < bytes.count {
                    let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                    defer { start = end + 1 }
                    var stop = end
                    if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
                    guard bytes[start..<stop].contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
                    try bytes[start..<stop].withUnsafeBytes { try line($0, summary: &summary, emit: emit) }
                }
            }
            for d in files.damage { summary.damaged.append(d) }
        } else {
            guard FileSystem.kind(of: path) == .file else { throw ImportError.notFound(path: path, what: what) }
            var me = self
            _ = try JSONLines.read(path, summary: &summary) { text, s in try me.line(text, summary: &s, emit: emit) }
            self = me
        }
        if !sawVersion {
            throw ImportError.notAnExport(path: path, why: "it has no line {\"type\":\"version\",...}: is it a Mattermost bulk export?")
        }
    }

    /// One line of the export.
    package mutating func line(_ text: UnsafeRawBufferPointer, summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        guard tape.parse(text), tape.kind(tape.root) == .object else {
            summary.skip("line that is not JSON")
            return
        }
        let t = tape
        switch t.text(t.member(t.root, "type")) {
        case "version":
            sawVersion = true
        case "user", "bot":
            let bot = t.text(t.member(t.root, "type")) == "bot"
            guard let name = t.string(t.path(t.root, bot ? "bot" : "user", "username")), !name.isEmpty else {
                summary.skip("user without username")
                return
            }
            let lower = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            users.insert(ByteKey(lower))
            if bot {
                botNames.insert(ByteKey(lower))
                bots.append(Array("mm:".utf8) + lower)
            }
        case "post":
            for e in post(t.member(t.root, "post"), summary: &summary) where summary.take(e) { try emit(e) }
        case "direct_channel", "direct_post":
            summary.skip("\(t.text(t.member(t.root, "type"))!) (a private conversation)")
        case "team", "channel", "scheme", "emoji", "role":
            break
        case let other:
            summary.skip("line of type \(other ?? "none")")
        }
    }

    /// `mm:<username>` of a user field, lower-cased; nil when empty.
    func person(_ node: Int?) -> [UInt8]? {
        guard let name = tape.string(node), !name.isEmpty else { return nil }
        return Array("mm:".utf8) + name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    func isBot(_ person: [UInt8]) -> Bool { botNames.contains(ByteKey(Array(person.dropFirst(3)))) }

    /// The events of one post: it, its replies, and their reactions.
    mutating func post(_ p: Int?, summary: inout ImportSummary) -> [ImportEvent] {
        let t = tape
        guard let team = t.string(t.member(p, "team")), let channel = t.string(t.member(p, "channel")), !team.isEmpty, !channel.isEmpty
        else {
            summary.skip("post without team or channel")
            return []
        }
        let community = IdCap.cap(team + [0x2F] + channel)
        var out: [ImportEvent] = []
        /// A message's event (a post or a reply), and its reactions; nil when it is skipped.
        func message(_ m: Int?, parent: (content: [UInt8], author: [UInt8])?) -> (content: [UInt8], author: [UInt8])? {
            guard let author = person(t.member(m, "user")), let at = t.integer(t.member(m, "create_at")),
                at >= RFC3339.minimumMilliseconds, at <= RFC3339.maximumMilliseconds
            else {
                summary.skip(parent == nil ? "post without user or a valid create_at" : "reply without user or a valid create_at")
                return nil
            }
            let ts = Array(RFC3339.format(milliseconds: at, omittingZeroMilliseconds: true).utf8)
            let content = Array("mm:".utf8) + team + [0x2F] + channel + [0x2F] + Array(String(at).utf8) + [0x2F] + author.dropFirst(3)
            if isBot(author) && !includeBots {
                // Its replies still answer it (a parent the logs do not have).
                summary.skip("bot's \(parent == nil ? "post" : "reply") (without --include-bots)")
                let reactions = t.elements(t.member(m, "reactions")).count
                if reactions > 0 { summary.skip("reaction to a bot's message (without --include-bots)", reactions) }
                return (content, author)
            }
            func event(_ type: EventType, actor: [UInt8], id: [UInt8], ms: Int64, ts: [UInt8]) -> ImportEvent {
                ImportEvent(id: id, ms: ms, ts: ts, community: community, kind: kind, actor: actor, type: type, source: source)
            }
            let systemType = t.string(t.member(m, "type")) ?? []
            switch String(decoding: systemType, as: UTF8.self) {
            case "":
                let mentions = Mentions.mattermost(t.string(t.member(m, "message")) ?? [], known: users).map { Array("mm:".utf8) + $0 }
                var e = event(parent == nil ? .post : .reply, actor: author, id: content, ms: at, ts: ts)
                e.set(content: content, parent: parent?.content, parentActor: parent?.author, mentions: mentions)
                out.append(e)
            case "system_join_channel", "system_join_team":
                out.append(event(.join, actor: author, id: content, ms: at, ts: ts))
                return nil
            case "system_leave_channel", "system_leave_team":
                out.append(event(.leave, actor: author, id: content, ms: at, ts: ts))
                return nil
            case let other:
                summary.skip("post of type \(other)")
                return nil
            }
            for r in t.elements(t.member(m, "reactions")) {
                guard let user = person(t.member(r, "user")), let rat = t.integer(t.member(r, "create_at")),
                    rat >= RFC3339.minimumMilliseconds, rat <= RFC3339.maximumMilliseconds
                else {
                    summary.skip("reaction without user or a valid create_at")
                    continue
                }
                if isBot(user) && !includeBots {
                    summary.skip("bot's reaction (without --include-bots)")
                    continue
                }
                let emoji = t.string(t.member(r, "emoji_name")) ?? []
                let id = content + Array("/react/".utf8) + emoji + [0x2F] + user.dropFirst(3)
                var react = event(
                    .react, actor: user, id: id, ms: rat, ts: Array(RFC3339.format(milliseconds: rat, omittingZeroMilliseconds: true).utf8))
                react.set(parent: content, parentActor: author)
                out.append(react)
            }
            return (content, author)
        }
        let replies = t.elements(t.member(p, "replies"))
        guard let root = message(p, parent: nil) else {
            if !replies.isEmpty { summary.skip("reply to a post without user or a valid create_at", replies.count) }
            return out
        }
        for r in replies { _ = message(r, parent: root) }
        return out
    }
}
