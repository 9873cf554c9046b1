import SiltaEvents
import SiltaSupport

/// A committed state of the warehouse, opened read-only: the manifest, every
/// run file mapped and verified, and the id dictionaries.
///
/// - Complexity: opening is O(persons + communities + run files); event data
///   stays in the mapped files until read.
public final class WarehouseSnapshot: @unchecked Sendable {
    public let location: WarehouseLocation
    public let manifest: Manifest
    public let runs: [RunFile]
    /// Person id to the bytes of the `actor` value.
    public let persons: [UnsafeRawBufferPointer]
    /// Community id to its kind and id.
    public let communityKinds: [CommunityKind]
    public let communityNames: [UnsafeRawBufferPointer]

    /// Opens the warehouse at `root` (an empty one when nothing was ingested yet).
    public init(root: String, verify: Bool = true) throws {
        location = WarehouseLocation(root: root)
        manifest = try location.readManifest()
        runs = try location.openRuns(manifest, verify: verify)
        var persons: [UnsafeRawBufferPointer] = []
        var kinds: [CommunityKind] = []
        var names: [UnsafeRawBufferPointer] = []
        persons.reserveCapacity(Int(manifest.persons))
        for run in runs {
            if let t = run.persons { for i in 0..<t.count { persons.append(t[i]) } }
            if let k = run.communityKinds, let n = run.communityNames {
                for i in 0..<n.count {
                    kinds.append(CommunityKind(rawValue: k[i])!)
                    names.append(n[i])
                }
            }
        }
        guard persons.count == manifest.persons, names.count == manifest.communities else {
            throw WarehouseError.damaged(path: location.manifestPath, reason: "id counts differ from the run files")
        }
        self.persons = persons
        communityKinds = kinds
        communityNames = names
    }

    /// Every event block of every run, in commit order.
    public var blocks: [EventBlockView] { runs.flatMap(\.blocks) }

    /// Gives the pages of every run file back to the page cache after a full
    /// pass, so that the resident set does not grow with the warehouse: the
    /// next read maps them in again.
    public func releasePages() {
        for run in runs { run.mapped.releaseAll() }
    }

    /// Gives back the pages under a community's rows of one block (after they
    /// were copied out).
    public func releasePages(of block: EventBlockView, rows: Range<Int>) {
        guard let run = runs.first(where: { $0.contains(block) }) else { return }
        func release<T>(_ column: UnsafeBufferPointer<T>) {
            run.mapped.release(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: column[rows])))
        }
        release(block.ts)
        release(block.actor)
        release(block.content)
        release(block.parent)
        release(block.parentActor)
        release(block.type)
        release(block.mentionOffsets)
        let m = Int(block.mentionOffsets[rows.lowerBound])..<Int(block.mentionOffsets[rows.upperBound])
        run.mapped.release(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: block.mentions[m])))
    }

    /// The `actor` value of a person id.
    public func personName(_ id: UInt32) -> String { String(decoding: persons[Int(id)], as: UTF8.self) }

    /// The community id of a community.
    public func communityName(_ id: UInt32) -> String { String(decoding: communityNames[Int(id)], as: UTF8.self) }
}

/// One stored event with its ids resolved to text, for tests and inspection
/// (metric jobs read the columns directly).
public struct StoredEvent: Hashable, Sendable, CustomStringConvertible {
    public var ts: Int64
    public var kind: CommunityKind
    public var community: String
    public var actor: String
    public var type: EventType
    /// Content ids are stored as hashes: these are warehouse content ids.
    public var content: UInt32?
    public var parent: UInt32?
    public var parentActor: String?
    public var mentions: [String]

    public var description: String {
        "\(RFC3339.format(milliseconds: ts)) \(kind.name)/\(community) \(actor) \(type.name) content=\(content.map(String.init) ?? "-") parent=\(parent.map(String.init) ?? "-") parent_actor=\(parentActor ?? "-") mentions=\(mentions)"
    }
}

extension WarehouseSnapshot {
    /// Every stored event, decoded (order: run, block, community, arrival).
    public func allEvents() -> [StoredEvent] {
        var out: [StoredEvent] = []
        let none = RunFileLayout.none
        for b in blocks {
            for r in b.communities {
                for i in r.start..<(r.start + r.count) {
                    out.append(
                        StoredEvent(
                            ts: b.ts[i], kind: communityKinds[Int(r.community)], community: communityName(r.community),
                            actor: personName(b.actor[i]), type: EventType(rawValue: b.type[i])!,
                            content: b.content[i] == none ? nil : b.content[i], parent: b.parent[i] == none ? nil : b.parent[i],
                            parentActor: b.parentActor[i] == none ? nil : personName(b.parentActor[i]),
                            mentions: b.mentions[Int(b.mentionOffsets[i])..<Int(b.mentionOffsets[i + 1])].map { personName($0) }))
                }
            }
        }
        return out
    }
}
