import CZlib
import SiltaEvents
import SiltaSupport

/// Builds NDJSON lines byte by byte and writes them to a file, gzip-compressed
/// (zlib `deflate`, one member) or plain. The file appears under its final
/// name only when complete.
final class LineWriter {
    var line: [UInt8] = []
    private var pending: [UInt8] = []
    private let file: AtomicFileWriter
    private var stream: UnsafeMutablePointer<z_stream>?
    private var output: [UInt8]
    private(set) var uncompressedBytes = 0

    init(path: String, level: Int) throws {
        file = try AtomicFileWriter(path: path)
        output = [UInt8](repeating: 0, count: 1 << 18)
        line.reserveCapacity(1024)
        pending.reserveCapacity(1 << 18)
        if level > 0 {
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            // Wraps deflateInit2 with window bits 15 + 16: a gzip member.
            guard silta_deflateInit2(s, Int32(level), 15 + 16, 8) == Z_OK else {
                s.deallocate()
                throw SystemError("start compressing", path: path, code: 12)
            }
            stream = s
        }
    }

    deinit {
        if let stream {
            deflateEnd(stream)
            stream.deallocate()
        }
    }

    // MARK: Building a line

    @inline(__always) func byte(_ b: UInt8) { line.append(b) }

    @inline(__always) func raw(_ s: StaticString) {
        line.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always) func bytes(_ b: [UInt8]) { line.append(contentsOf: b) }

    /// A non-negative integer in decimal.
    @inline(__always) func number(_ v: Int) {
        if v < 10 {
            line.append(UInt8(48 + v))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = v
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while n > 0 {
                buf[23 - count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            }
            line.append(contentsOf: buf[(24 - count)...])
        }
    }

    /// An RFC 3339 timestamp with milliseconds, written in the zone
    /// `offsetMinutes` east of UTC (`Z` for 0).
    func timestamp(_ ms: Int64, offsetMinutes: Int) {
        let local = ms + Int64(offsetMinutes) * 60_000
        var days = local / 86_400_000
        var rest = local % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        let (y, m, d) = RFC3339.civilFromDays(Int(days))
        two4(y)
        byte(0x2D)
        two(m)
        byte(0x2D)
        two(d)
        byte(0x54)
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

    @inline(__always) private func two(_ v: Int) {
        byte(UInt8(48 + v / 10))
        byte(UInt8(48 + v % 10))
    }

    @inline(__always) private func two4(_ v: Int) {
        two(v / 100)
        two(v % 100)
    }

    // MARK: Output

    /// Ends the line being built and queues it for the file.
    func endLine() throws {
        line.append(0x0A)
        try emit(line)
        line.removeAll(keepingCapacity: true)
    }

    /// Queues `bytes` (whole lines) for the file.
    func emit(_ bytes: [UInt8]) throws {
        uncompressedBytes += bytes.count
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 18 { try flush(finish: false) }
    }

    private func flush(finish: Bool) throws {
        guard let stream else {
            try file.write(pending)
            pending.removeAll(keepingCapacity: true)
            return
        }
        try pending.withUnsafeMutableBytes { input in
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
                if produced > 0 { try output.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
                if finish {
                    if rc == Z_STREAM_END { break }
                } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                    break
                }
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Finishes the file; returns its size on disk.
    func close() throws -> Int {
        try flush(finish: true)
        try file.commit()
        return file.bytesWritten
    }
}
