/// Writing JSON text by hand, byte for byte, for reports and the rejects file.
public enum JSONText {
    /// `bytes` (valid UTF-8) as a JSON string literal, quotes included:
    /// `"` and `\` escaped, control characters as `\n`, `\t`, ... or `\u00XX`.
    public static func quoted(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 2)
        appendQuoted(bytes, to: &out)
        return out
    }

    /// Appends `bytes` as a JSON string literal to `out`.
    @inlinable
    public static func appendQuoted(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        // Most ids need no escape: one copy.
        if !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
            out.append(0x22)
            out.append(contentsOf: bytes)
            out.append(0x22)
            return
        }
        appendEscaped(Array(bytes), to: &out)
    }

    /// The slow path of ``appendQuoted(_:to:)``, for text that needs escapes.
    @usableFromInline
    static func appendEscaped(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(0x22)
        for b in bytes {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0..<0x20, 0x7F:
                out += [0x5C, 0x75, 0x30, 0x30, hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(0x22)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `text` as a JSON string literal.
    public static func quoted(_ text: String) -> String {
        String(decoding: quoted(Array(text.utf8)), as: UTF8.self)
    }

    /// Standard base64 (RFC 4648, with padding).
    public static func base64(_ bytes: some Collection<UInt8>) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var it = bytes.makeIterator()
        while let a = it.next() {
            let b = it.next()
            let c = it.next()
            let n = UInt32(a) << 16 | UInt32(b ?? 0) << 8 | UInt32(c ?? 0)
            out.append(table[Int(n >> 18 & 63)])
            out.append(table[Int(n >> 12 & 63)])
            out.append(b == nil ? 0x3D : table[Int(n >> 6 & 63)])
            out.append(c == nil ? 0x3D : table[Int(n & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
