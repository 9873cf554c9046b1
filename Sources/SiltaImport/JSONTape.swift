import SiltaEvents

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON text (RFC 8259) parsed into a flat tape of nodes over its bytes:
/// one pass, no allocation per value, the tape reused from document to
/// document. The importers read exports through it: a GH Archive line, a
/// Slack day file. Hand-written because Foundation's `JSONSerialization`
/// builds an object graph per record (the importers must beat a Python
/// script by 10×, docs/importers.md) and because any byte sequence must give
/// `false`, never a trap (fuzzed: `fuzz-import-json`).
package struct JSONTape {
    package enum Kind: UInt8 {
        case object, array, string, number, `true`, `false`, null
    }

    /// One value (or an object's key, a string).
    package struct Node {
        package var kind: Kind
        /// Whether a string holds a backslash escape.
        package var escaped: Bool
        /// The value's bytes: a string's inside its quotes; a container's from its bracket to its closing one.
        package var start: Int32
        package var end: Int32
        /// The index after the value's subtree: its next sibling, if any.
        package var skip: Int32
    }

    package private(set) var nodes: [Node] = []
    package private(set) var bytes: [UInt8] = []

    /// The deepest nesting parsed.
    package static let maxDepth = 256

    package init() {}

    /// Parses `text` (one JSON value, white space around it allowed).
    /// - Returns: false when it is not one valid JSON value, or nests deeper
    ///   than ``maxDepth``, or is larger than 2 GiB.
    package mutating func parse(_ text: some Collection<UInt8>) -> Bool {
        var reuse = nodes
        reuse.removeAll(keepingCapacity: true)
        nodes = []
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: text)
        guard bytes.count < Int(Int32.max) else { return false }
        // The whole text once (strings are the only place other bytes than ASCII may be).
        guard bytes.withUnsafeBytes({ UTF8Validation.isValid($0) }) else { return false }
        let (ok, tape) = bytes.withUnsafeBufferPointer { b -> (Bool, [Node]) in
            var p = Parser(b: b, nodes: reuse)
            var ok = p.value(depth: 0)
            if ok {
                p.space()
                ok = p.i == b.count
            }
            return (ok, p.nodes)
        }
        nodes = tape
        return ok
    }

    /// Recursive descent, at most ``JSONTape/maxDepth`` deep.
    private struct Parser {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0
        var nodes: [Node]

        init(b: UnsafeBufferPointer<UInt8>, nodes: [Node]) {
            self.b = b
            self.nodes = nodes
        }

        mutating func space() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) -> Bool {
            space()
            guard i < b.count else { return false }
            switch b[i] {
            case 0x7B: return container(object: true, depth: depth)
            case 0x5B: return container(object: false, depth: depth)
            case 0x22: return string()
            case 0x74: return literal("true", .true)
            case 0x66: return literal("false", .false)
            case 0x6E: return literal("null", .null)
            default: return number()
            }
        }

        mutating func container(object: Bool, depth: Int) -> Bool {
            guard depth < JSONTape.maxDepth else { return false }
            let me = nodes.count
            nodes.append(Node(kind: object ? .object : .array, escaped: false, start: Int32(i), end: 0, skip: 0))
            i += 1
            let closer: UInt8 = object ? 0x7D : 0x5D
            space()
            if i < b.count && b[i] == closer {
                i += 1
            } else {
                while true {
                    if object {
                        space()
                        guard i < b.count, b[i] == 0x22, string() else { return false }
                        space()
                        guard i < b.count, b[i] == 0x3A else { return false }
                        i += 1
                    }
                    guard value(depth: depth + 1) else { return false }
                    space()
                    guard i < b.count else { return false }
                    if b[i] == 0x2C {
                        i += 1
                        continue
                    }
                    guard b[i] == closer else { return false }
                    i += 1
                    break
                }
            }
            nodes[me].end = Int32(i)
            nodes[me].skip = Int32(nodes.count)
            return true
        }

        mutating func string() -> Bool {
            let start = i + 1
            let n = b.count
            guard let base = UnsafeRawPointer(b.baseAddress) else { return false }
            var j = start
            var escaped = false
            while true {
                // Eight bytes at a time to the next quote, backslash or
                // control character (strings are most of a GitHub event):
                // the lowest byte whose high bit the expression sets is the
                // first such byte (a borrow only sets bits above it).
                while j + 8 <= n {
                    let x = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: j, as: UInt64.self))
                    let q = x ^ 0x2222_2222_2222_2222
                    let s = x ^ 0x5C5C_5C5C_5C5C_5C5C
                    let hit =
                        ((q &- 0x0101_0101_0101_0101) & ~q | (s &- 0x0101_0101_0101_0101) & ~s
                            | (x &- 0x2020_2020_2020_2020) & ~x) & 0x8080_8080_8080_8080
                    if hit != 0 {
                        j += hit.trailingZeroBitCount >> 3
                        break
                    }
                    j += 8
                }
                guard j < n else { return false }
                let c = b[j]
                if c == 0x22 { break }
                if c < 0x20 { return false }
                if c == 0x5C {
                    escaped = true
                    guard j + 1 < n else { return false }
                    switch b[j + 1] {
                    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: j += 2
                    case 0x75:
                        guard j + 5 < n else { return false }
                        for k in 2...5 where !JSONTape.isHex(b[j + k]) { return false }
                        j += 6
                    default: return false
                    }
                    continue
                }
                j += 1
            }
            nodes.append(Node(kind: .string, escaped: escaped, start: Int32(start), end: Int32(j), skip: Int32(nodes.count + 1)))
            i = j + 1
            return true
        }

        mutating func number() -> Bool {
            let start = i
            if i < b.count && b[i] == 0x2D { i += 1 }
            guard i < b.count, JSONTape.isDigit(b[i]) else { return false }
            if b[i] == 0x30 {
                i += 1
            } else {
                while i < b.count && JSONTape.isDigit(b[i]) { i += 1 }
            }
            if i < b.count && b[i] == 0x2E {
                i += 1
                guard i < b.count, JSONTape.isDigit(b[i]) else { return false }
                while i < b.count && JSONTape.isDigit(b[i]) { i += 1 }
            }
            if i < b.count && (b[i] == 0x65 || b[i] == 0x45) {
                i += 1
                if i < b.count && (b[i] == 0x2B || b[i] == 0x2D) { i += 1 }
                guard i < b.count, JSONTape.isDigit(b[i]) else { return false }
                while i < b.count && JSONTape.isDigit(b[i]) { i += 1 }
            }
            nodes.append(Node(kind: .number, escaped: false, start: Int32(start), end: Int32(i), skip: Int32(nodes.count + 1)))
            return true
        }

        mutating func literal(_ word: StaticString, _ kind: Kind) -> Bool {
            let count = word.utf8CodeUnitCount
            guard i + count <= b.count else { return false }
            for k in 0..<count where b[i + k] != word.utf8Start[k] { return false }
            nodes.append(Node(kind: kind, escaped: false, start: Int32(i), end: Int32(i + count), skip: Int32(nodes.count + 1)))
            i += count
            return true
        }
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)
    }

    // MARK: Reading

    /// The root value.
    package var root: Int { 0 }

    /// The value of `key` in object `node`, or nil (also when `node` is no object).
    package func member(_ node: Int?, _ key: StaticString) -> Int? {
        guard let node, node < nodes.count, nodes[node].kind == .object else { return nil }
        let end = Int(nodes[node].skip)
        var k = node + 1
        while k < end {
            if keyEquals(k, key) { return k + 1 }
            k = Int(nodes[k + 1].skip)
        }
        return nil
    }

    /// `member(member(node, a), b)`.
    package func path(_ node: Int?, _ keys: StaticString...) -> Int? {
        var at = node
        for key in keys { at = member(at, key) }
        return at
    }

    private func keyEquals(_ k: Int, _ key: StaticString) -> Bool {
        let node = nodes[k]
        if node.escaped { return string(k) == Array(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)) }
        let count = key.utf8CodeUnitCount
        guard Int(node.end - node.start) == count else { return false }
        let s = Int(node.start)
        for x in 0..<count where bytes[s + x] != key.utf8Start[x] { return false }
        return true
    }

    /// The elements of array `node` (or the values of object `node`).
    package func elements(_ node: Int?) -> [Int] {
        guard let node, node < nodes.count else { return [] }
        let kind = nodes[node].kind
        guard kind == .array || kind == .object else { return [] }
        var out: [Int] = []
        let end = Int(nodes[node].skip)
        var k = node + 1
        while k < end {
            if kind == .object {
                out.append(k + 1)
                k = Int(nodes[k + 1].skip)
            } else {
                out.append(k)
                k = Int(nodes[k].skip)
            }
        }
        return out
    }

    package func kind(_ node: Int?) -> Kind? { node.flatMap { $0 < nodes.count ? nodes[$0].kind : nil } }

    /// A string value's bytes, escapes decoded (a lone surrogate becomes U+FFFD); nil for another kind.
    package func string(_ node: Int?) -> [UInt8]? {
        guard let node, node < nodes.count, nodes[node].kind == .string else { return nil }
        let n = nodes[node]
        let raw = bytes[Int(n.start)..<Int(n.end)]
        guard n.escaped else { return Array(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = bytes[at + k]
                v = v << 4 | UInt32(c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10)
            }
            return v
        }
        func append(_ scalar: UInt32) {
            let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(s)).utf8))
        }
        while i < raw.endIndex {
            let c = bytes[i]
            guard c == 0x5C else {
                out.append(c)
                i += 1
                continue
            }
            let e = bytes[i + 1]
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var v = hex4(i + 2)
                i += 6
                if v >= 0xD800 && v < 0xDC00, i + 5 < raw.endIndex, bytes[i] == 0x5C, bytes[i + 1] == 0x75 {
                    let low = hex4(i + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                append(v)
                continue
            default: out.append(e)
            }
            i += 2
        }
        return out
    }

    /// A string value as text.
    package func text(_ node: Int?) -> String? { string(node).map { String(decoding: $0, as: UTF8.self) } }

    /// An integer value (a JSON number without fraction or exponent that fits), or a string of digits.
    package func integer(_ node: Int?) -> Int64? {
        guard let node, node < nodes.count else { return nil }
        let n = nodes[node]
        guard n.kind == .number || n.kind == .string else { return nil }
        var v: Int64 = 0
        var i = Int(n.start)
        let end = Int(n.end)
        var negative = false
        if i < end && bytes[i] == 0x2D {
            negative = true
            i += 1
        }
        guard i < end else { return nil }
        while i < end {
            let c = bytes[i]
            guard Self.isDigit(c) else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return negative ? -v : v
    }

    /// The raw bytes of a number (for decimal strings kept as written).
    package func raw(_ node: Int?) -> ArraySlice<UInt8>? {
        guard let node, node < nodes.count else { return nil }
        return bytes[Int(nodes[node].start)..<Int(nodes[node].end)]
    }

    /// True for `true`.
    package func isTrue(_ node: Int?) -> Bool { kind(node) == .true }
}
