import CSiltaZlib
import SiltaEvents
import SiltaSupport

/// The output of one file being built, line by line, in one fixed buffer.
/// A value type used as a local variable and passed `inout`, so building a
/// line costs plain stores: no reference counting, no exclusivity checks.
struct OutputBuffer {
    /// Lines are flushed once the buffer holds this many bytes.
    static let flushBytes = 1 << 18
    /// Room for the flush threshold plus the longest line ever built.
    static let capacity = flushBytes + (2 << 20)

    let base: UnsafeMutablePointer<UInt8>
    var count = 0
    /// Where the line being built starts.
    var lineStart = 0
    private var cachedLocalDay = Int64.min
    private var datePrefix: (UInt64, UInt64, UInt64) = (0, 0, 0)

    init() { base = .allocate(capacity: Self.capacity) }

    func deallocate() { base.deallocate() }

    @inline(__always) mutating func byte(_ b: UInt8) {
        base[count] = b
        count += 1
    }

    @inline(__always) mutating func raw(_ s: StaticString) {
        append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always) mutating func append(_ b: UnsafeBufferPointer<UInt8>) {
        let n = b.count
        (base + count).update(from: b.baseAddress!, count: n)
        count += n
    }

    /// A non-negative integer in decimal.
    @inline(__always) mutating func number(_ v: Int) {
        if v < 10 {
            byte(UInt8(48 + v))
            return
        }
        var digits = 0
        var n = v
        while n > 0 {
            digits += 1
            n /= 10
        }
        n = v
        for i in stride(from: digits - 1, through: 0, by: -1) {
            base[count + i] = UInt8(48 + n % 10)
            n /= 10
        }
        count += digits
    }

    /// An RFC 3339 timestamp with milliseconds, written in the zone
    /// `offsetMinutes` east of UTC (`Z` for 0).
    mutating func timestamp(_ ms: Int64, offsetMinutes: Int) {
        let local = ms + Int64(offsetMinutes) * 60_000
        var days = local / 86_400_000
        var rest = local % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        if days != cachedLocalDay {
            cachedLocalDay = days
            let (y, m, d) = RFC3339.civilFromDays(Int(days))
            let text = Array("\(y / 1000)\(y / 100 % 10)\(y / 10 % 10)\(y % 10)-\(m / 10)\(m % 10)-\(d / 10)\(d % 10)T".utf8)
            withUnsafeMutableBytes(of: &datePrefix) { $0.copyBytes(from: text) }
        }
        withUnsafeBytes(of: datePrefix) { raw in
            (base + count).update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 11)
        }
        count += 11
        two(Int(rest / 3_600_000))
        byte(0x3A)
        two(Int(rest / 60_000 % 60))
        byte(0x3A)
        two(Int(rest / 1000 % 60))
        byte(0x2E)
        let f = Int(rest % 1000)
        byte(UInt8(48 + f / 100))
        byte(UInt8(48 + f / 10 % 10))
        byte(UInt8(48 + f % 10))
        if offsetMinutes == 0 {
            byte(0x5A)
        } else {
            byte(offsetMinutes > 0 ? 0x2B : 0x2D)
            two(abs(offsetMinutes) / 60)
            byte(0x3A)
            two(abs(offsetMinutes) % 60)
        }
    }

    @inline(__always) private mutating func two(_ v: Int) {
        byte(UInt8(48 + v / 10))
        byte(UInt8(48 + v % 10))
    }

    /// Ends the line being built.
    @inline(__always) mutating func endLine() {
        byte(0x0A)
        lineStart = count
    }

    /// The line being built, as an array (for the rare rewrites of bad lines).
    var currentLine: [UInt8] { Array(UnsafeBufferPointer(start: base + lineStart, count: count - lineStart)) }

    /// Replaces the line being built.
    mutating func replaceLine(with bytes: [UInt8]) {
        count = lineStart
        bytes.withUnsafeBufferPointer { append($0) }
    }
}

/// Writes whole lines to files, gzip-compressed (zlib `deflate`, one member
/// per file) or plain. One per worker, reused from file to file so that its
/// buffers and zlib state are allocated once. A file appears under its final
/// name only when complete.
final class LineSink {
    private var file: AtomicFileWriter?
    private let stream: UnsafeMutablePointer<z_stream>?
    private var output: [UInt8]
    private(set) var uncompressedBytes = 0

    init(level: Int) throws {
        output = [UInt8](repeating: 0, count: OutputBuffer.flushBytes)
        if level > 0 {
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            // Wraps deflateInit2 with window bits 15 + 16: a gzip member.
            guard silta_deflateInit2(s, Int32(level), 15 + 16, 8) == Z_OK else {
                s.deallocate()
                throw SystemError("start compressing", path: "(zlib)", code: 12)
            }
            stream = s
        } else {
            stream = nil
        }
    }

    deinit {
        if let stream {
            deflateEnd(stream)
            stream.deallocate()
        }
    }

    /// Starts a new file.
    func begin(path: String) throws {
        file = try AtomicFileWriter(path: path)
        uncompressedBytes = 0
        if let stream { deflateReset(stream) }
    }

    /// Writes the finished lines of `buffer` when it is full enough (or always, when `finish`).
    func drain(_ buffer: inout OutputBuffer, finish: Bool = false) throws {
        guard finish || buffer.lineStart >= OutputBuffer.flushBytes else { return }
        let n = buffer.lineStart
        uncompressedBytes += n
        try compress(UnsafeMutableRawBufferPointer(start: buffer.base, count: n), finish: finish)
        let rest = buffer.count - n
        if rest > 0 { buffer.base.update(from: buffer.base + n, count: rest) }
        buffer.count = rest
        buffer.lineStart = 0
    }

    private func compress(_ input: UnsafeMutableRawBufferPointer, finish: Bool) throws {
        guard let stream else {
            try file!.write(UnsafeRawBufferPointer(input))
            return
        }
        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_in = UInt32(input.count)
        while true {
            var rc: Int32 = Z_OK
            let produced: Int = output.withUnsafeMutableBytes { out in
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.pointee.avail_out = UInt32(out.count)
                rc = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                return out.count - Int(stream.pointee.avail_out)
            }
            if produced > 0 { try output.withUnsafeBytes { try file!.write(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
            if finish {
                if rc == Z_STREAM_END { break }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                break
            }
        }
    }

    /// Writes what is left and finishes the file; returns its size on disk.
    func close(_ buffer: inout OutputBuffer) throws -> Int {
        try drain(&buffer, finish: true)
        let f = file!
        file = nil
        try f.commit()
        return f.bytesWritten
    }
}

/// Byte strings stored once, end to end, for writing without copies or
/// reference counting; read by every file writer at once.
final class ByteTable: @unchecked Sendable {
    private let base: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>
    let count: Int

    init(_ strings: [[UInt8]]) {
        count = strings.count
        let total = strings.reduce(0) { $0 + $1.count }
        base = .allocate(capacity: max(1, total))
        starts = .allocate(capacity: count + 1)
        var at = 0
        for (i, s) in strings.enumerated() {
            starts[i] = at
            (base + at).initialize(from: s, count: s.count)
            at += s.count
        }
        starts[count] = at
    }

    convenience init(_ strings: [String]) { self.init(strings.map { Array($0.utf8) }) }

    deinit {
        base.deallocate()
        starts.deallocate()
    }

    @inline(__always)
    subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + starts[i], count: starts[i + 1] - starts[i])
    }
}
