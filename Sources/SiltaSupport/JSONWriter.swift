/// The one writer of Silta's own JSON (report twins, `ingest_report.json`,
/// `run_summary.json`, run records, rejects): keys in the order written,
/// each container laid out as asked, bytes appended to ``bytes`` and handed
/// on with ``take()`` when a file is streamed. It checks nothing the caller
/// could get wrong by accident: a key outside an object or an unclosed
/// container traps in debug builds.
///
///     var w = JSONWriter()
///     w.beginObject(.lines(indent: 2))
///     w.key("files_read"); w.integer(360)
///     w.key("by_type"); w.beginObject(.spaced); w.key("post"); w.integer(5); w.endObject()
///     w.endObject()
///     // {
///     //   "files_read": 360,
///     //   "by_type": {"post": 5}
///     // }
public struct JSONWriter: Sendable {
    /// How a container's members are laid out.
    public enum Layout: Sendable, Equatable {
        /// `{"a":1,"b":2}`
        case compact
        /// `{"a": 1, "b": 2}`
        case spaced
        /// Each member on its own line after `indent` spaces, the closing
        /// bracket on its own line after `closing` spaces (`indent - 2` unless
        /// told); `{}` or `[]` when empty.
        case lines(indent: Int, closing: Int? = nil)
    }

    /// The bytes written so far (since the last ``take()``).
    public private(set) var bytes: [UInt8] = []
    private var open: [(layout: Layout, members: Int, closer: UInt8)] = []

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Hands on the bytes written so far and starts again from none; the
    /// open containers stay open.
    public mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    // MARK: Containers

    public mutating func beginObject(_ layout: Layout = .spaced) { begin(0x7B, 0x7D, layout) }
    public mutating func endObject() { end(0x7D) }
    public mutating func beginArray(_ layout: Layout = .spaced) { begin(0x5B, 0x5D, layout) }
    public mutating func endArray() { end(0x5D) }

    /// The next member's key. `newLine`: start the member on a new line
    /// after that many spaces, whatever the object's layout.
    public mutating func key(_ name: String, newLine: Int? = nil) {
        member(newLine: newLine)
        JSONText.appendQuoted(name.utf8, to: &bytes)
        appendColon()
    }

    /// A key already quoted with ``JSONText/quoted(_:)-([UInt8])``, for keys
    /// written once per row.
    public mutating func key(quoted: [UInt8]) {
        member(newLine: nil)
        bytes += quoted
        appendColon()
    }

    // MARK: Values

    public mutating func string(_ text: String) { string(bytes: text.utf8) }
    /// A string from bytes that are valid UTF-8.
    public mutating func string(bytes text: some Collection<UInt8>) {
        valueStart()
        JSONText.appendQuoted(text, to: &bytes)
    }
    /// A string, or `null` for `nil`.
    public mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }
    public mutating func integer(_ n: some BinaryInteger) {
        valueStart()
        bytes.append(contentsOf: String(n).utf8)
    }
    /// A number in Swift's shortest round-trip form; `null` when not finite.
    public mutating func number(_ x: Double) {
        valueStart()
        bytes.append(contentsOf: (x.isFinite ? String(x) : "null").utf8)
    }
    public mutating func bool(_ b: Bool) {
        valueStart()
        bytes.append(contentsOf: (b ? "true" : "false").utf8)
    }
    public mutating func null() {
        valueStart()
        bytes.append(contentsOf: "null".utf8)
    }
    /// A value the caller formats itself (already valid JSON), appended by `body`.
    public mutating func value(_ body: (inout [UInt8]) -> Void) {
        valueStart()
        body(&bytes)
    }

    // MARK: Silta's shapes

    /// Opens the top object of one of Silta's own files, one key per line:
    /// `schema_version` 1, `report`, `generated_by`.
    public mutating func beginReport(_ report: String) {
        beginObject(.lines(indent: 2))
        key("schema_version")
        integer(1)
        key("report")
        string(report)
        key("generated_by")
        string(SiltaVersion.generatedBy)
    }

    /// `key`: an object of counts on one line, `{"a": 1, "b": 2}`, in the order given.
    public mutating func counts(_ key: String, _ pairs: [(name: String, count: Int)]) {
        self.key(key)
        beginObject(.spaced)
        for (name, count) in pairs {
            self.key(name)
            integer(count)
        }
        endObject()
    }

    /// `key`: a list of `{"file": ..., "error": ...}`, one per line.
    public mutating func fileErrors(_ key: String, _ list: [(file: String, error: String)]) {
        self.key(key)
        beginArray(.lines(indent: 4))
        for item in list {
            beginObject(.spaced)
            self.key("file")
            string(item.file)
            self.key("error")
            string(item.error)
            endObject()
        }
        endArray()
    }

    /// Ends the document with a newline; every container must be closed.
    public mutating func finishLine() {
        assert(open.isEmpty, "JSONWriter: a container is still open")
        bytes.append(0x0A)
    }

    // MARK: Layout

    private mutating func begin(_ opener: UInt8, _ closer: UInt8, _ layout: Layout) {
        valueStart()
        bytes.append(opener)
        open.append((layout, 0, closer))
    }

    private mutating func end(_ closer: UInt8) {
        guard let top = open.popLast() else { return assertionFailure("JSONWriter: nothing to close") }
        assert(top.closer == closer, "JSONWriter: closing the wrong container")
        if case .lines(let indent, let closing) = top.layout, top.members > 0 {
            newLine(closing ?? max(0, indent - 2))
        }
        bytes.append(closer)
    }

    /// Before a value: in an array a value is a member; after a key it is not.
    private var awaitingValue = false

    private mutating func valueStart() {
        if awaitingValue {
            awaitingValue = false
        } else if !open.isEmpty {
            assert(open[open.count - 1].closer == 0x5D, "JSONWriter: a value in an object needs a key")
            member(newLine: nil)
        }
    }

    private mutating func member(newLine forced: Int?) {
        guard !open.isEmpty else { return }
        let k = open.count - 1
        let first = open[k].members == 0
        open[k].members += 1
        if !first { bytes.append(0x2C) }
        if let forced {
            newLine(forced)
        } else {
            switch open[k].layout {
            case .compact: break
            case .spaced: if !first { bytes.append(0x20) }
            case .lines(let indent, _): newLine(indent)
            }
        }
    }

    private mutating func appendColon() {
        bytes.append(0x3A)
        if let top = open.last, top.layout != .compact { bytes.append(0x20) }
        awaitingValue = true
    }

    private mutating func newLine(_ spaces: Int) {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: spaces))
    }
}
