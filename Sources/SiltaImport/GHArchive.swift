import Dispatch
import SiltaEvents
import SiltaSupport

/// GH Archive hours (docs/importers.md "GH Archive"): one GitHub event per
/// line, `.json.gz` or plain; each repository a community.
package struct GHArchiveImporter {
    package var kind: ImportEvent.Kind = .external
    package var source: [UInt8] = Array("gharchive".utf8)
    private var tape = JSONTape()

    package init() {}

    /// Reads `paths` on up to `workers` threads, a file each at a time, and
    /// hands the events on in file order while the workers read the next
    /// files, so the output never depends on the workers; at most
    /// `workers + 1` files' events are held at once.
    package static func readAll(
        _ paths: [String], kind: ImportEvent.Kind, source: [UInt8], workers: Int, summary: inout ImportSummary,
        emit: (ImportEvent) throws -> Void
    ) throws {
        typealias Part = (events: [ImportEvent], summary: ImportSummary, error: (any Error)?)
        let threads = max(1, min(workers, paths.count))
        let results = OrderedResults<Part>(count: paths.count)
        let queue = WorkQueue(count: paths.count)
        // Files read and not yet handed on: the bound on memory.
        let ahead = DispatchSemaphore(value: threads + 1)
        let group = DispatchGroup()
        for _ in 0..<threads {
            DispatchQueue.global().async(group: group) {
                while true {
                    ahead.wait()
                    guard let k = queue.claim() else {
                        ahead.signal()
                        return
                    }
                    var importer = GHArchiveImporter()
                    importer.kind = kind
                    importer.source = source
                    var s = ImportSummary(importer: "import-gharchive")
                    var events: [ImportEvent] = []
                    do {
                        try importer.read(paths[k], summary: &s) { events.append($0) }
                        results.put(k, (events, s, nil))
                    } catch {
                        results.put(k, ([], s, error))
                    }
                }
            }
        }
        var failure: (any Error)?
        for k in paths.indices {
            let part = results.take(k)
            ahead.signal()
            do {
                if let error = part.error { throw error }
                summary.merge(part.summary)
                for e in part.events { try emit(e) }
            } catch {
                failure = error
                break
            }
        }
        if failure != nil {
            // Stop the workers: nothing more is claimed, and none waits for room.
            queue.drain()
            for _ in 0..<threads { ahead.signal() }
        }
        group.wait()
        if let failure { throw failure }
    }

    /// Reads `path`, handing each event to `emit`.
    /// - Throws: ``ImportError`` when the file is missing or no GH Archive file.
    package mutating func read(_ path: String, summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        guard FileSystem.kind(of: path) == .file else {
            throw ImportError.notFound(path: path, what: "a GH Archive hour file (YYYY-MM-DD-H.json.gz)")
        }
        var events = 0
        var me = self
        let lines = try JSONLines.read(path, summary: &summary) { line, s in
            if let e = me.map(line, summary: &s) {
                events += 1
                try emit(e)
            }
        }
        self = me
        if lines > 0 && events == 0 && summary.skipped["line that is not JSON"] == lines {
            throw ImportError.notAnExport(path: path, why: "no line of it is JSON: is it a GH Archive hour file?")
        }
    }

    /// The persons `@login`s in `text` name.
    func ghMentions(_ text: [UInt8]) -> [[UInt8]] { Mentions.github(text).map { Array("gh:".utf8) + $0 } }

    /// One line's event, or nil (counted in `summary`).
    mutating func map(_ line: UnsafeRawBufferPointer, summary: inout ImportSummary) -> ImportEvent? {
        guard tape.parse(line), tape.kind(tape.root) == .object else {
            summary.skip("line that is not JSON")
            return nil
        }
        let t = tape
        let root = t.root
        guard let repo = t.string(t.path(root, "repo", "name")), !repo.isEmpty else {
            summary.skip("event without repo.name")
            return nil
        }
        guard let created = t.string(t.member(root, "created_at")), let when = ImportTime.text(created) else {
            summary.skip("event without a valid created_at")
            return nil
        }
        let type = t.text(t.member(root, "type")) ?? "?"
        guard let eventID = t.string(t.member(root, "id")) ?? t.raw(t.member(root, "id")).map(Array.init) else {
            summary.skip("event without id")
            return nil
        }
        func person(_ login: [UInt8]?) -> [UInt8]? {
            guard let login, !login.isEmpty else { return nil }
            return Array("gh:".utf8) + login.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        }
        let payload = t.member(root, "payload")
        let actor = person(t.string(t.path(root, "actor", "login"))) ?? []
        func event(_ type: EventType, actor: [UInt8]) -> ImportEvent {
            ImportEvent(
                id: Array("gh:".utf8) + eventID, ms: when.ms, ts: when.ts, community: repo, kind: kind, actor: actor, type: type,
                source: source)
        }
        func number(_ node: Int?) -> [UInt8]? { t.raw(node).map(Array.init) ?? t.string(node) }
        let hash: [UInt8] = [0x23]
        var e: ImportEvent
        switch type {
        case "IssuesEvent", "PullRequestEvent":
            guard t.text(t.member(payload, "action")) == "opened" else {
                summary.skip("\(type) other than opened")
                return nil
            }
            let item = t.member(payload, type == "IssuesEvent" ? "issue" : "pull_request")
            guard let n = number(t.member(item, "number")) else {
                summary.skip("\(type) without a number")
                return nil
            }
            e = event(.post, actor: actor)
            e.set(content: repo + hash + n, mentions: ghMentions(t.string(t.member(item, "body")) ?? []))
        case "IssueCommentEvent", "PullRequestReviewCommentEvent":
            let item = t.member(payload, type == "IssueCommentEvent" ? "issue" : "pull_request")
            guard let n = number(t.member(item, "number")), let id = number(t.path(payload, "comment", "id")) else {
                summary.skip("\(type) without its number or comment id")
                return nil
            }
            e = event(.reply, actor: actor)
            let kind = type == "IssueCommentEvent" ? "gh:comment:" : "gh:review-comment:"
            e.set(
                content: Array(kind.utf8) + id, parent: repo + hash + n, parentActor: person(t.string(t.path(item, "user", "login"))),
                mentions: ghMentions(t.string(t.path(payload, "comment", "body")) ?? []))
        case "CommitCommentEvent":
            guard let id = number(t.path(payload, "comment", "id")), let commit = t.string(t.path(payload, "comment", "commit_id")) else {
                summary.skip("CommitCommentEvent without its comment id or commit")
                return nil
            }
            e = event(.reply, actor: actor)
            e.set(
                content: Array("gh:commit-comment:".utf8) + id, parent: repo + [0x40] + commit,
                mentions: ghMentions(t.string(t.path(payload, "comment", "body")) ?? []))
        case "PushEvent":
            guard let head = t.string(t.member(payload, "head")), !head.isEmpty else {
                summary.skip("PushEvent without head")
                return nil
            }
            e = event(.post, actor: actor)
            e.set(content: repo + [0x40] + head)
        case "CreateEvent":
            guard t.text(t.member(payload, "ref_type")) == "repository" else {
                summary.skip("CreateEvent of a branch or tag")
                return nil
            }
            e = event(.post, actor: actor)
            e.set(content: Array("repo:".utf8) + repo)
        case "ReleaseEvent":
            guard let id = number(t.path(payload, "release", "id")) else {
                summary.skip("ReleaseEvent without release id")
                return nil
            }
            e = event(.post, actor: actor)
            e.set(content: Array("release:".utf8) + id, mentions: ghMentions(t.string(t.path(payload, "release", "body")) ?? []))
        case "WatchEvent", "ForkEvent":
            let owner = t.kind(t.member(root, "org")) == .object ? nil : person(Array(repo.prefix { $0 != 0x2F }))
            if type == "WatchEvent" {
                e = event(.react, actor: actor)
                e.set(parent: Array("repo:".utf8) + repo, parentActor: owner)
            } else {
                guard let fork = t.string(t.path(payload, "forkee", "full_name")), !fork.isEmpty else {
                    summary.skip("ForkEvent without forkee.full_name")
                    return nil
                }
                e = event(.share, actor: actor)
                e.set(content: Array("repo:".utf8) + fork, parent: Array("repo:".utf8) + repo, parentActor: owner)
            }
        case "MemberEvent":
            guard t.text(t.member(payload, "action")) == "added" else {
                summary.skip("MemberEvent other than added")
                return nil
            }
            e = event(.join, actor: person(t.string(t.path(payload, "member", "login"))) ?? [])
        default:
            summary.skip("\(type): not mapped")
            return nil
        }
        return summary.take(e) ? e : nil
    }
}

/// Why an export cannot be imported at all.
package enum ImportError: Error, CustomStringConvertible {
    /// The path does not exist (exit 66).
    case notFound(path: String, what: String)
    /// The path is not an export of this kind (exit 65).
    case notAnExport(path: String, why: String)

    package var description: String {
        switch self {
        case .notFound(let path, let what): "\(path) does not exist or is not readable; give \(what)"
        case .notAnExport(let path, let why): "\(path) is not an export this importer reads: \(why)"
        }
    }
}
