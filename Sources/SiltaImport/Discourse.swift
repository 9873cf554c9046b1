import SiltaEvents
import SiltaIdentities
import SiltaSupport

/// Discourse (docs/importers.md "Discourse"): topic JSON as the API serves
/// it (`/t/{id}.json`, or `/t/{id}/posts.json`: `post_stream.posts[]`), and
/// likes from a Data Explorer CSV of `user_actions` rows. The forum is one
/// community `FORUM`, or one per category (`FORUM/<category id>`) with
/// `--categories`; each person `discourse:FORUM:<user id>`; each post's
/// content `discourse:FORUM:t<topic id>#<post number>`.
package struct DiscourseImporter {
    package var kind: ImportEvent.Kind = .external
    package var source: [UInt8] = Array("discourse".utf8)
    package var forum: [UInt8] = Array("discourse".utf8)
    package var byCategory = false
    package var includeBots = false
    /// Persons of the users Discourse itself runs (ids below 1: `system`, `discobot`).
    package private(set) var bots: [[UInt8]] = []
    private var tape = JSONTape()
    /// What the topic files read so far hold: their posts (ids and times, not text), each
    /// topic's category, who each username is, each post's mentioned names, and how many files.
    private var posts: [Post] = []
    private var categoryOf: [Int64: Int64] = [:]
    private var userOf: [ByteKey: Int64] = [:]
    private var mentionNames: [[[UInt8]]] = []
    private var topicFiles = 0

    package init() {}

    /// One post, as read from the topic files.
    struct Post {
        var id: Int64
        var topic: Int64
        var number: Int64
        var replyTo: Int64?
        var user: Int64
        var created: [UInt8]
        var ms: Int64
        var postType: Int64
        var deleted: Bool
    }

    /// Reads every path (topic `.json` files, `.csv` files of likes, or
    /// folders or `.zip` files of them) and emits the events: the topics
    /// first (a like needs its post's topic and number), then the likes.
    /// - Throws: ``ImportError`` when a path does not exist, or no file is a topic or a likes file.
    package mutating func read(_ paths: [String], summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        // Topic files are parsed as they are read (only their posts' ids and times stay);
        // likes files wait for every topic, since a like names its post by id.
        var sawFile = false
        var csvs: [[UInt8]] = []
        let what = "Discourse topic .json files or a Data Explorer .csv of likes, or a folder or .zip of them"
        for path in paths {
            if (path.hasSuffix(".json") || path.hasSuffix(".csv")) && FileSystem.kind(of: path) == .file {
                guard let bytes = try? PosixFile.readAll(path) else { throw ImportError.notFound(path: path, what: what) }
                if path.hasSuffix(".json") { addTopic(bytes, summary: &summary) } else { csvs.append(bytes) }
                sawFile = true
                continue
            }
            var files = try ExportFiles(path, what: what)
            for file in files.paths where file.hasSuffix(".json") || file.hasSuffix(".csv") {
                guard let bytes = files.read(file) else { continue }
                if file.hasSuffix(".json") { addTopic(bytes, summary: &summary) } else { csvs.append(bytes) }
                sawFile = true
            }
            for d in files.damage { summary.damaged.append(d) }
        }
        if !sawFile {
            throw ImportError.notAnExport(path: paths.joined(separator: ", "), why: "it holds no .json or .csv file")
        }
        let topics = try read(jsons: [], csvs: csvs, summary: &summary, emit: emit)
        if topics == 0 && csvs.isEmpty {
            throw ImportError.notAnExport(
                path: paths.joined(separator: ", "), why: "no file in it is a Discourse topic (post_stream.posts) or a .csv of likes")
        }
    }

    /// Reads one topic file's posts (a file that is no topic is counted).
    package mutating func addTopic(_ bytes: [UInt8], summary: inout ImportSummary) {
        guard tape.parse(bytes), tape.kind(tape.root) == .object else {
            summary.skip("file that is not JSON")
            return
        }
        let t = tape
        let stream = t.member(t.root, "post_stream")
        guard t.kind(t.member(stream, "posts")) == .array else {
            summary.skip("JSON file without post_stream.posts")
            return
        }
        topicFiles += 1
        if let topic = t.integer(t.member(t.root, "id")), let category = t.integer(t.member(t.root, "category_id")) {
            categoryOf[topic] = category
        }
        for u in t.elements(t.path(t.root, "details", "participants")) {
            if let name = t.string(t.member(u, "username")), let id = t.integer(t.member(u, "id")) {
                userOf[ByteKey(Self.lower(name))] = id
            }
        }
        let held = t.elements(t.member(stream, "posts"))
        // Posts the topic's stream names that the file does not hold (the API pages them by 20).
        let missing = t.elements(t.member(stream, "stream")).count - held.count
        if missing > 0 { summary.skip("post the topic's stream names but the file does not hold", missing) }
        for p in held {
            guard let id = t.integer(t.member(p, "id")), let topic = t.integer(t.member(p, "topic_id")),
                let number = t.integer(t.member(p, "post_number")), let user = t.integer(t.member(p, "user_id")),
                let created = t.string(t.member(p, "created_at")), let when = ImportTime.text(created)
            else {
                summary.skip("post without id, topic_id, post_number, user_id or a valid created_at")
                continue
            }
            if let name = t.string(t.member(p, "username")) { userOf[ByteKey(Self.lower(name))] = user }
            posts.append(
                Post(
                    id: id, topic: topic, number: number, replyTo: t.integer(t.member(p, "reply_to_post_number")), user: user,
                    created: created, ms: when.ms, postType: t.integer(t.member(p, "post_type")) ?? 1,
                    deleted: t.kind(t.member(p, "deleted_at")) == .string))
            mentionNames.append(Self.mentionedNames(t.string(t.member(p, "cooked")) ?? []))
        }
    }

    /// The events of topic files' and likes files' bytes (and of the topic
    /// files added before); returns how many topic files there were.
    package mutating func read(
        jsons: [[UInt8]], csvs: [[UInt8]], summary: inout ImportSummary, emit: (ImportEvent) throws -> Void
    ) throws -> Int {
        for bytes in jsons { addTopic(bytes, summary: &summary) }
        // Pass 2: the posts' events, in the order read (the day files sort them).
        var numberOf: [Int64: (topic: Int64, number: Int64, user: Int64)] = [:]
        for (k, p) in posts.enumerated() {
            numberOf[p.id] = (p.topic, p.number, p.user)
            if let e = event(of: p, categoryOf: categoryOf, mentioned: mentionNames[k], userOf: userOf, summary: &summary),
                summary.take(e)
            {
                try emit(e)
            }
        }
        // Likes.
        var record = CSVRecords.Record()
        for bytes in csvs {
            var reader = CSVRecords(bytes)
            var columns: [String: Int] = [:]
            do {
                guard try reader.next(into: &record) else { continue }
                for k in record.fields.indices { columns[String(decoding: record.value(k, in: bytes), as: UTF8.self)] = k }
                guard let type = columns["action_type"], let post = columns["target_post_id"], let at = columns["created_at"],
                    let liker = columns["acting_user_id"] ?? columns["user_id"]
                else {
                    summary.skip("CSV file without action_type, target_post_id, created_at and acting_user_id or user_id")
                    continue
                }
                while try reader.next(into: &record) {
                    func field(_ k: Int) -> [UInt8] { k < record.fields.count ? record.value(k, in: bytes) : [] }
                    let action = Int(String(decoding: field(type), as: UTF8.self))
                    guard action == 1 || action == 2 else {
                        summary.skip("user action other than a like")
                        continue
                    }
                    // A like is a row of type 1 (the liker's) or 2 (the author's "was liked"); both name the liker.
                    let likerColumn = action == 2 ? columns["acting_user_id"] ?? liker : liker
                    guard let target = Int64(String(decoding: field(post), as: UTF8.self)),
                        let who = Int64(String(decoding: field(likerColumn), as: UTF8.self)),
                        let when = ImportTime.utc(field(at))
                    else {
                        summary.skip("like without a post, a user or a valid created_at")
                        continue
                    }
                    guard let liked = numberOf[target] else {
                        summary.skip("like of a post no topic file holds")
                        continue
                    }
                    if who < 1 {
                        bots.append(person(who))
                        if !includeBots {
                            summary.skip("bot's like (without --include-bots)")
                            continue
                        }
                    }
                    let content = contentID(topic: liked.topic, number: liked.number)
                    var e = ImportEvent(
                        id: content + Array("/like/".utf8) + Array(String(who).utf8), ms: when.ms, ts: when.ts,
                        community: community(topic: liked.topic, categoryOf: categoryOf), kind: kind, actor: person(who), type: .react,
                        source: source)
                    e.set(parent: content, parentActor: person(liked.user))
                    if summary.take(e) { try emit(e) }
                }
            } catch is CSVRecords.Fault {
                summary.skip("CSV file that is not RFC 4180 (the rest of it)")
            }
        }
        return topicFiles
    }

    /// A post's event: the first of its topic a post, every other a reply
    /// to the post it answers, else to the topic's first.
    mutating func event(
        of p: Post, categoryOf: [Int64: Int64], mentioned: [[UInt8]], userOf: [ByteKey: Int64], summary: inout ImportSummary
    ) -> ImportEvent? {
        guard p.postType == 1 else {
            summary.skip(p.postType == 4 ? "whisper (staff only)" : "moderator or small action (post_type \(p.postType))")
            return nil
        }
        if p.deleted {
            summary.skip("deleted post")
            return nil
        }
        if p.user < 1 {
            bots.append(person(p.user))
            if !includeBots {
                summary.skip("post of a Discourse bot user (without --include-bots)")
                return nil
            }
        }
        let mentions = mentioned.compactMap { name -> [UInt8]? in
            guard let id = userOf[ByteKey(name)] else {
                summary.skip("mention of a user the files do not name")
                return nil
            }
            return person(id)
        }
        let content = contentID(topic: p.topic, number: p.number)
        var e = ImportEvent(
            id: content, ms: p.ms, ts: p.created, community: community(topic: p.topic, categoryOf: categoryOf), kind: kind,
            actor: person(p.user), type: p.number == 1 ? .post : .reply, source: source)
        if p.number == 1 {
            e.set(content: content, mentions: mentions)
        } else {
            let answered = p.replyTo.flatMap { $0 >= 1 && $0 != p.number ? $0 : nil } ?? 1
            e.set(content: content, parent: contentID(topic: p.topic, number: answered), mentions: mentions)
        }
        return e
    }

    func person(_ user: Int64) -> [UInt8] { Array("discourse:".utf8) + forum + [0x3A] + Array(String(user).utf8) }

    func contentID(topic: Int64, number: Int64) -> [UInt8] {
        Array("discourse:".utf8) + forum + Array(":t\(topic)#\(number)".utf8)
    }

    func community(topic: Int64, categoryOf: [Int64: Int64]) -> [UInt8] {
        guard byCategory, let category = categoryOf[topic] else { return IdCap.cap(forum) }
        return IdCap.cap(forum + Array("/\(category)".utf8))
    }

    static func lower(_ bytes: [UInt8]) -> [UInt8] { bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }

    /// The usernames of `cooked`'s mention links (`<a class="mention" href="/u/NAME">`), lower-cased, each once.
    static func mentionedNames(_ cooked: [UInt8]) -> [[UInt8]] {
        let marker = Array(#"class="mention" href="/u/"#.utf8)
        var out: [[UInt8]] = []
        var i = 0
        while i + marker.count <= cooked.count {
            guard cooked[i..<(i + marker.count)].elementsEqual(marker) else {
                i += 1
                continue
            }
            var j = i + marker.count
            while j < cooked.count && cooked[j] != 0x22 && cooked[j] != 0x2F { j += 1 }
            let name = lower(Array(cooked[(i + marker.count)..<j]))
            if !name.isEmpty && !out.contains(name) { out.append(name) }
            i = j
        }
        return out
    }

}
