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
        var stream = z_stream()
        precondition(silta_deflateInit2(&stream, level, 15 + 16, 8) == Z_OK, "zlib could not start deflate")
        defer { deflateEnd(&stream) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 4 + 64)
        var piece = [UInt8](repeating: 0, count: 1 << 16)
        var input = bytes
        input.withUnsafeMutableBufferPointer { inp in
            var offset = 0
            var rc: Int32 = Z_OK
            while rc != Z_STREAM_END {
                let take = min(inp.count - offset, 1 << 30)
                stream.next_in = inp.baseAddress.map { $0 + offset }
                stream.avail_in = UInt32(take)
                let flush = offset + take == inp.count ? Z_FINISH : Z_NO_FLUSH
                repeat {
                    let made: Int = piece.withUnsafeMutableBufferPointer { o in
                        stream.next_out = o.baseAddress
                        stream.avail_out = UInt32(o.count)
                        rc = deflate(&stream, flush)
                        return o.count - Int(stream.avail_out)
                    }
                    out.append(contentsOf: piece[..<made])
                } while stream.avail_out == 0 && rc == Z_OK
                offset += take - Int(stream.avail_in)
                precondition(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR, "deflate failed: \(rc)")
            }
        }
        return out
    }
}

extension Gzip {
    /// Writes `source` as one gzip member at `level` into `target`, reading
    /// it in pieces of 1 MiB, so that memory does not grow with the file.
    /// The same bytes in give the same bytes out. `target` is not committed.
    /// - Throws: ``SystemError`` when `source` cannot be read or `target` written.
    public static func compressFile(_ source: String, into target: AtomicFileWriter, level: Int32 = 1) throws {
        let file = try PosixFile(path: source, flags: O_RDONLY, noFollow: true)
        var stream = z_stream()
        precondition(silta_deflateInit2(&stream, level, 15 + 16, 8) == Z_OK, "zlib could not start deflate")
        defer { deflateEnd(&stream) }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer {
            input.deallocate()
            output.deallocate()
        }
        var flush = Z_NO_FLUSH
        while flush != Z_FINISH {
            let n = try file.readFully(into: input)
            if n < input.count { flush = Z_FINISH }
            stream.next_in = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_in = UInt32(n)
            var rc: Int32 = Z_OK
            repeat {
                stream.next_out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.avail_out = UInt32(output.count)
                rc = deflate(&stream, flush)
                precondition(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR, "deflate failed: \(rc)")
                try target.write(UnsafeRawBufferPointer(rebasing: output[..<(output.count - Int(stream.avail_out))]))
            } while stream.avail_out == 0
        }
    }
}
