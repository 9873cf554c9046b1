/// What an actor did (events.md, field `type`). The raw values are stored in
/// the warehouse: never renumber them.
public enum EventType: UInt8, CaseIterable, Sendable, Comparable {
    case join = 0
    case leave = 1
    case view = 2
    case post = 3
    case reply = 4
    case react = 5
    case share = 6

    /// The value as written in logs.
    public var name: String {
        switch self {
        case .join: "join"
        case .leave: "leave"
        case .view: "view"
        case .post: "post"
        case .reply: "reply"
        case .react: "react"
        case .share: "share"
        }
    }

    /// `post`, `reply` and `share` create content (and make their actor a creator).
    @inlinable public var createsContent: Bool {
        @inline(__always) get {
            switch self {
            case .post, .reply, .share: true
            default: false
            }
        }
    }
    /// `reply`, `react` and `share` act on a parent and need its author.
    @inlinable public var needsParent: Bool {
        @inline(__always) get {
            switch self {
            case .reply, .react, .share: true
            default: false
            }
        }
    }
    /// Events whose `mentions` make interactions.
    @inlinable public var takesMentions: Bool { @inline(__always) get { createsContent } }

    public static func < (a: EventType, b: EventType) -> Bool { a.rawValue < b.rawValue }
}

/// Internal (intranet, enterprise social) or external (public social media,
/// customer forum). The raw values follow report order: `external` sorts
/// before `internal` bytewise. Stored in the warehouse: never renumber them.
public enum CommunityKind: UInt8, CaseIterable, Sendable, Comparable {
    case external = 0
    case `internal` = 1

    /// The value as written in logs and reports.
    public var name: String { self == .external ? "external" : "internal" }

    public static func < (a: CommunityKind, b: CommunityKind) -> Bool { a.rawValue < b.rawValue }
}

/// Why a line was rejected (events.md "Bad input"), in the order the checks run.
public enum RejectReason: UInt8, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    case lineTooLong = 0
    case invalidUTF8
    case invalidJSON
    case notObject
    case missingField
    case wrongType
    case badTimestamp
    case unknownKind
    case unknownType

    /// The reason as written in reports and the rejects file.
    public var name: String {
        switch self {
        case .lineTooLong: "line_too_long"
        case .invalidUTF8: "invalid_utf8"
        case .invalidJSON: "invalid_json"
        case .notObject: "not_object"
        case .missingField: "missing_field"
        case .wrongType: "wrong_type"
        case .badTimestamp: "bad_timestamp"
        case .unknownKind: "unknown_kind"
        case .unknownType: "unknown_type"
        }
    }

    public var description: String { name }

    public static func < (a: RejectReason, b: RejectReason) -> Bool { a.rawValue < b.rawValue }
}

/// The fields of an event, in the order events.md's table lists them (which
/// is the order they are checked in).
public enum EventField: Int, CaseIterable, Sendable {
    case id = 0
    case ts, community, kind, actor, type, content, parent, parentActor, mentions, source

    /// The JSON key.
    public var key: String {
        switch self {
        case .id: "id"
        case .ts: "ts"
        case .community: "community"
        case .kind: "kind"
        case .actor: "actor"
        case .type: "type"
        case .content: "content"
        case .parent: "parent"
        case .parentActor: "parent_actor"
        case .mentions: "mentions"
        case .source: "source"
        }
    }
}

/// Limits on string fields (events.md: 1 to 200 bytes after unescaping).
public enum FieldLimits {
    public static let minBytes = 1
    public static let maxBytes = 200
}
