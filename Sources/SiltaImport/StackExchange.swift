import SiltaEvents
import SiltaSupport

/// The `<row …/>` elements of a Stack Exchange dump file, as attribute
/// maps: a byte scanner (the dump's files are flat), entities decoded
/// (`&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#N;` `&#xN;`). A row it cannot
/// read is counted, never fatal.
package enum DumpRows {
    package static func parse(_ bytes: [UInt8], malformed: inout Int) -> [[String: String]] {
        var rows: [[String: String]] = []
        var i = 0
        let open = Array("<row".utf8)
        while i < bytes.count {
            guard let start = find(open, in: bytes, from: i) else { break }
            i = start + open.count
            guard i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D else { continue }
            var row: [String: String] = [:]
            var ok = false
            while i < bytes.count {
                while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D) { i += 1 }
                guard i < bytes.count else { break }
                if bytes[i] == 0x2F, i + 1 < bytes.count, bytes[i + 1] == 0x3E {
                    i += 2
                    ok = true
                    break
                }
                if bytes[i] == 0x3E {  // <row ...> without self-closing: accepted as the same
                    i += 1
                    ok = true
                    break
                }
                let nameStart = i
                while i < bytes.count && bytes[i] != 0x3D && bytes[i] != 0x20 && bytes[i] != 0x3E && bytes[i] != 0x2F { i += 1 }
                guard i + 1 < bytes.count, bytes[i] == 0x3D, bytes[i + 1] == 0x22 || bytes[i + 1] == 0x27 else { break }
                let name = String(decoding: bytes[nameStart..<i], as: UTF8.self)
                let quote = bytes[i + 1]
                let valueStart = i + 2
                var j = valueStart
                while j < bytes.count && bytes[j] != quote { j += 1 }
                guard j < bytes.count, let value = decode(bytes[valueStart..<j]) else { break }
                row[name] = value
                i = j + 1
            }
            if ok { rows.append(row) } else { malformed += 1 }
        }
        return rows
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var i = from
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// An attribute value with its entities decoded; nil when one is unknown or it is not UTF-8.
    static func decode(_ raw: ArraySlice<UInt8>) -> String? {
        guard raw.withUnsafeBytes({ UTF8Validation.isValid($0) }) else { return nil }
        guard raw.contains(0x26) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        var i = raw.startIndex
        while i < raw.endIndex {
            guard raw[i] == 0x26 else {
                out.append(raw[i])
                i += 1
                continue
            }
            guard let semi = raw[i...].firstIndex(of: 0x3B), semi - i <= 10 else { return nil }
            let name = String(decoding: raw[(i + 1)..<semi], as: UTF8.self)
            switch name {
            case "amp": out.append(0x26)
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                var code: UInt32?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    code = UInt32(name.dropFirst(2), radix: 16)
                } else if name.hasPrefix("#") {
                    code = UInt32(name.dropFirst(), radix: 10)
                }
                guard let code, let scalar = Unicode.Scalar(code) else { return nil }
                out += Array(String(Character(scalar)).utf8)
            }
            i = semi + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A Stack Exchange data dump (docs/importers.md "Stack Exchange data dump").
package struct StackExchangeImporter {
    package var kind: ImportEvent.Kind = .external
    package var source: [UInt8] = Array("stackexchange".utf8)
    /// The community name for a single site folder (default: the folder's name).
    package var site: String?

    package init() {}

    package func read(_ path: String, summary: inout ImportSummary, emit: (ImportEvent) throws -> Void) throws {
        let folder = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        guard FileSystem.kind(of: folder) == .directory else {
            throw ImportError.notFound(path: path, what: "a Stack Exchange site folder (Users.xml, Posts.xml, Comments.xml, Votes.xml)")
        }
        let names = ["Users.xml", "Posts.xml", "Comments.xml", "Votes.xml"]
        guard names.contains(where: { FileSystem.kind(of: folder + "/" + $0) == .file }) else {
            throw ImportError.notAnExport(path: path, why: "it holds none of Users.xml, Posts.xml, Comments.xml, Votes.xml")
        }
        let siteName = site ?? (folder.split(separator: "/").last.map(String.init) ?? folder)
        func rows(_ name: String) -> [[String: String]] {
            guard let bytes = try? PosixFile.readAll(folder + "/" + name) else { return [] }
            var malformed = 0
            let out = DumpRows.parse(bytes, malformed: &malformed)
            if malformed > 0 { summary.skip("\(name) row that cannot be read", malformed) }
            return out
        }
        let users = rows("Users.xml")
        let posts = rows("Posts.xml")
        let comments = rows("Comments.xml")
        let votes = rows("Votes.xml")
        let prefix = siteName + "/"
        var personOfUser: [String: String] = [:]
        var nameOfUser: [String: String] = [:]
        for u in users {
            guard let id = u["Id"] else { continue }
            personOfUser[id] = u["AccountId"].map { "se:acct" + $0 } ?? "se:\(siteName):u\(id)"
            nameOfUser[id] = u["DisplayName"]
        }
        func person(user: String?, name: String?) -> String? {
            if let user, !user.isEmpty { return personOfUser[user] ?? "se:\(siteName):u\(user)" }
            if let name, !name.isEmpty { return "se:\(siteName):name:\(name)" }
            return nil
        }
        func when(_ text: String?) -> (ms: Int64, ts: [UInt8])? {
            guard let text else { return nil }
            return ImportTime.text(Array((text + "Z").utf8))
        }
        let community = Array(siteName.utf8)
        func event(_ id: String, _ at: (ms: Int64, ts: [UInt8]), _ type: EventType, actor: String?) -> ImportEvent {
            ImportEvent(
                id: Array(id.utf8), ms: at.ms, ts: at.ts, community: community, kind: kind, actor: Array((actor ?? "").utf8), type: type,
                source: source)
        }
        func emitChecked(_ e: ImportEvent) throws { if summary.take(e) { try emit(e) } }

        for u in users {
            guard let id = u["Id"], let at = when(u["CreationDate"]) else {
                summary.skip("user row without Id or a valid CreationDate")
                continue
            }
            try emitChecked(event(prefix + "join/u" + id, at, .join, actor: person(user: id, name: nil)))
        }
        // Posts: owners, parents, display names.
        var ownerOfPost: [String: String] = [:]
        var ownerNameOfPost: [String: String] = [:]
        var parentOfPost: [String: String] = [:]
        for p in posts {
            guard let id = p["Id"] else { continue }
            if let owner = person(user: p["OwnerUserId"], name: p["OwnerDisplayName"]) { ownerOfPost[id] = owner }
            ownerNameOfPost[id] = p["OwnerUserId"].flatMap { nameOfUser[$0] } ?? p["OwnerDisplayName"]
            if let parent = p["ParentId"] { parentOfPost[id] = parent }
        }
        for p in posts {
            guard let id = p["Id"], let at = when(p["CreationDate"]) else {
                summary.skip("post row without Id or a valid CreationDate")
                continue
            }
            let actor = ownerOfPost[id]
            switch p["PostTypeId"] {
            case "1":
                var e = event(prefix + "p" + id, at, .post, actor: actor)
                e.set(content: Array((prefix + "p" + id).utf8))
                try emitChecked(e)
            case "2":
                var e = event(prefix + "p" + id, at, .reply, actor: actor)
                let parent = p["ParentId"]
                e.set(
                    content: Array((prefix + "p" + id).utf8), parent: parent.map { Array((prefix + "p" + $0).utf8) },
                    parentActor: parent.flatMap { ownerOfPost[$0] }.map { Array($0.utf8) })
                try emitChecked(e)
            default:
                summary.skip("post of type \(p["PostTypeId"] ?? "none")")
            }
        }
        // Comments, in order per post, for the mentions' participants.
        struct Comment {
            var row: [String: String]
            var ms: Int64
            var id: Int
        }
        var byPost: [String: [Comment]] = [:]
        for c in comments {
            guard let id = c["Id"], let post = c["PostId"], let at = when(c["CreationDate"]) else {
                summary.skip("comment row without Id, PostId or a valid CreationDate")
                continue
            }
            byPost[post, default: []].append(Comment(row: c, ms: at.ms, id: Int(id) ?? .max))
        }
        for post in byPost.keys.sorted() {
            let list = byPost[post]!.sorted { ($0.ms, $0.id) < ($1.ms, $1.id) }
            // Participants: person -> their names (lower-cased, white space removed).
            var participants: [(person: String, name: String)] = []
            func add(_ person: String?, _ name: String?) {
                guard let person, let name else { return }
                let key = String(name.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace })
                participants.append((person, key))
            }
            add(ownerOfPost[post], ownerNameOfPost[post])
            for c in list {
                let row = c.row
                let id = row["Id"]!
                let at = when(row["CreationDate"])!
                let actor = person(user: row["UserId"], name: row["UserDisplayName"])
                var e = event(prefix + "c" + id, at, .reply, actor: actor)
                var mentions: [[UInt8]] = []
                for word in Self.mentionWords(row["Text"] ?? "") {
                    let matches = Set(participants.filter { $0.name.hasPrefix(word) }.map(\.person))
                    if matches.count == 1 { mentions.append(Array(matches.first!.utf8)) }
                }
                e.set(
                    content: Array((prefix + "c" + id).utf8), parent: Array((prefix + "p" + post).utf8),
                    parentActor: ownerOfPost[post].map { Array($0.utf8) }, mentions: mentions)
                try emitChecked(e)
                add(actor, row["UserId"].flatMap { nameOfUser[$0] } ?? row["UserDisplayName"])
            }
        }
        for v in votes {
            guard let id = v["Id"], let post = v["PostId"], let at = when(v["CreationDate"]) else {
                summary.skip("vote row without Id, PostId or a valid CreationDate")
                continue
            }
            let actor: String?
            switch v["VoteTypeId"] {
            case "1":
                guard let question = parentOfPost[post], let owner = ownerOfPost[question] else {
                    summary.skip("accepted vote whose question's owner is unknown")
                    continue
                }
                actor = owner
            case "5":
                guard let user = v["UserId"], !user.isEmpty else {
                    summary.skip("favourite vote without UserId")
                    continue
                }
                actor = person(user: user, name: nil)
            case "2", "3":
                summary.skip("up or down vote (the dump hides the voter)")
                continue
            default:
                summary.skip("vote of type \(v["VoteTypeId"] ?? "none")")
                continue
            }
            var e = event(prefix + "v" + id, at, .react, actor: actor)
            e.set(parent: Array((prefix + "p" + post).utf8), parentActor: ownerOfPost[post].map { Array($0.utf8) })
            try emitChecked(e)
        }
    }

    /// The `@word`s of a comment (docs/importers.md): not after a word
    /// character or `@`; 3 or more word characters, `.` or `-`; lower-cased,
    /// trailing `.` and `-` removed, then still 3 or more.
    static func mentionWords(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        func isWord(_ s: Unicode.Scalar) -> Bool {
            if s == "_" { return true }
            switch s.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
            default: return false
            }
        }
        var out: [String] = []
        var i = 0
        while i < scalars.count {
            defer { i += 1 }
            guard scalars[i] == "@" else { continue }
            if i > 0 && (scalars[i - 1] == "@" || isWord(scalars[i - 1])) { continue }
            var j = i + 1
            while j < scalars.count && (isWord(scalars[j]) || scalars[j] == "." || scalars[j] == "-") { j += 1 }
            var word = String(String.UnicodeScalarView(scalars[(i + 1)..<j])).lowercased()
            while let last = word.last, last == "." || last == "-" { word.removeLast() }
            if j - i - 1 >= 3 && word.unicodeScalars.count >= 3 { out.append(word) }
            i = j - 1
        }
        return out
    }
}
