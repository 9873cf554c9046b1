import CSiltaZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// gzip members written with the system zlib: header time 0 and no name,
/// so the same bytes in give the same bytes out.
public enum Gzip {
    /// `bytes` as one gzip member at `level` (1 fastest ... 9 smallest).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        let deflater = GzipDeflater(level: level)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 4 + 64)
        bytes.withUnsafeBytes { deflater.deflate($0, finish: true) { out.append(contentsOf: $0) } }
        return out
    }

    /// Writes `source` as one gzip member at `level` into `target`, reading
    /// it in pieces of 1 MiB, so that memory does not grow with the file.
    /// The same bytes in give the same bytes out. `target` is not committed.
    /// - Throws: ``SystemError`` when `source` cannot be read or `target` written.
    public static func compressFile(_ source: String, into target: AtomicFileWriter, level: Int32 = 1) throws {
        let file = try PosixFile(path: source, flags: O_RDONLY, noFollow: true)
        let deflater = GzipDeflater(level: level)
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { input.deallocate() }
        var finished = false
        while !finished {
            let n = try file.readFully(into: input)
            finished = n < input.count
            try deflater.deflate(UnsafeRawBufferPointer(rebasing: input[..<n]), finish: finished) { try target.write($0) }
        }
    }
}

/// One gzip member deflated by the system zlib, its input given in pieces
/// and its output handed on as it is made: the one deflate loop under
/// ``Gzip/compress(_:level:)`` and ``Gzip/compressFile(_:into:level:)``.
/// The stream lives at a fixed address, as zlib requires.
final class GzipDeflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)

    init(level: Int32) {
        stream.initialize(to: z_stream())
        precondition(silta_deflateInit2(stream, level, 15 + 16, 8) == Z_OK, "zlib could not start deflate")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    /// Deflates `input`, the member's last piece when `finish`, handing each
    /// piece of output to `sink`. How the input is cut changes no byte out.
    func deflate(_ input: UnsafeRawBufferPointer, finish: Bool, into sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var rest = input
        repeat {
            // zlib counts input in 32 bits.
            let take = min(rest.count, 1 << 30)
            let flush = finish && take == rest.count ? Z_FINISH : Z_NO_FLUSH
            stream.pointee.next_in = UnsafeMutablePointer(mutating: rest.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.pointee.avail_in = UInt32(take)
            var rc: Int32 = Z_OK
            repeat {
                stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.pointee.avail_out = UInt32(output.count)
                rc = CSiltaZlib.deflate(stream, flush)
                precondition(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR, "deflate failed: \(rc)")
                try sink(UnsafeRawBufferPointer(rebasing: output[..<(output.count - Int(stream.pointee.avail_out))]))
            } while stream.pointee.avail_out == 0 && rc != Z_STREAM_END
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
        } while !rest.isEmpty
    }
}
