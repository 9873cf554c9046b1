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

    /// - Parameter raw: a bare deflate stream, without zlib's gzip header
    ///   and trailer (the caller writes its own).
    init(level: Int32, raw: Bool = false) {
        stream.initialize(to: z_stream())
        precondition(silta_deflateInit2(stream, level, raw ? -15 : 15 + 16, 8) == Z_OK, "zlib could not start deflate")
    }

    /// Starts a new stream with the same settings.
    func reset() { precondition(deflateReset(stream) == Z_OK, "zlib could not reset deflate") }

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

/// gzip in independent members of at most ``chunkBytes`` bytes each, every
/// member saying in its header (an extra field, subfield `SL`, which gzip
/// tools skip) its own size, the size of its chunk and a digest of it.
/// Any gzip reader reads the file as one stream (zcat, Python's gzip,
/// pandas, DuckDB: multi-member gzip is the standard's own concatenation).
///
/// The point is the next file: when a file shares chunks with one written
/// before (a report whose earlier periods did not change), the members of
/// the equal chunks are copied from the earlier file instead of deflated
/// again, and the result is byte for byte what deflating them would give.
/// Chunks are cut at fixed offsets from the file's start, so equal
/// prefixes give equal chunks.
public enum ChunkedGzip {
    /// The uncompressed bytes of each member but the last.
    public static let chunkBytes = 4 << 20
    /// The digest of a chunk: 32 bytes (the caller's SHA-256).
    public typealias Digest = (UnsafeRawBufferPointer) -> [UInt8]
    static let digestBytes = 32
    static let headerBytes = 10 + 2 + 4 + 8 + digestBytes

    /// One member of a file written by ``compressFile(_:into:reusing:digest:level:)``.
    public struct Member: Sendable, Equatable {
        public var uncompressedOffset: Int
        public var uncompressedCount: Int
        public var digest: [UInt8]
        /// The member's bytes in the file, header to trailer.
        public var bytes: Range<Int>
    }

    /// The members of `file` from its start, as their headers say, up to the
    /// first one that is not such a member or does not fit the file (a gzip
    /// file written otherwise has none).
    public static func members(of file: PosixFile) throws -> [Member] {
        let size = try file.size()
        var members: [Member] = []
        var at = 0
        var offset = 0
        var header = [UInt8](repeating: 0, count: headerBytes)
        while at + headerBytes + 8 <= size {
            let n = try header.withUnsafeMutableBytes { try file.read(into: $0, at: at) }
            guard n == headerBytes, header[0] == 0x1F, header[1] == 0x8B, header[2] == 8, header[3] == 4,
                Int(header[10]) | Int(header[11]) << 8 == 4 + 8 + digestBytes, header[12] == 0x53, header[13] == 0x4C,
                Int(header[14]) | Int(header[15]) << 8 == 8 + digestBytes
            else { break }
            let total = header[16..<20].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let count = header[20..<24].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            guard total >= headerBytes + 8, at + total <= size, count <= chunkBytes else { break }
            members.append(
                Member(uncompressedOffset: offset, uncompressedCount: count, digest: Array(header[24...]), bytes: at..<(at + total)))
            at += total
            offset += count
        }
        return members
    }

    /// Writes `source` into `target` as members of ``chunkBytes``, copying
    /// from the earlier file `previous` (when given, and written so) the
    /// member of every chunk that is the same there: same offset, same size,
    /// same digest. The same bytes in give the same bytes out, copied or
    /// not. `target` is not committed.
    /// - Returns: the members written, and how many were copied.
    @discardableResult
    public static func compressFile(
        _ source: String, into target: AtomicFileWriter, reusing previous: String? = nil, digest: Digest, level: Int32 = 1
    ) throws -> (members: Int, copied: Int) {
        let file = try PosixFile(path: source, flags: O_RDONLY, noFollow: true)
        var old: (file: PosixFile, members: [Member])?
        if let previous, let f = try? PosixFile(path: previous, flags: O_RDONLY, noFollow: true), let m = try? members(of: f) {
            old = (f, m)
        }
        let deflater = GzipDeflater(level: level, raw: true)
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 16)
        defer { input.deallocate() }
        var body: [UInt8] = []
        body.reserveCapacity(chunkBytes / 2)
        var offset = 0
        var k = 0
        var copied = 0
        while true {
            let n = try file.readFully(into: input)
            // An empty file is one empty member, a valid gzip file.
            if n == 0 && k > 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: input[..<n])
            let sum = digest(chunk)
            precondition(sum.count == digestBytes, "a chunk digest has \(digestBytes) bytes")
            if let old, k < old.members.count, old.members[k].uncompressedOffset == offset, old.members[k].uncompressedCount == n,
                old.members[k].digest == sum
            {
                try target.append(old.members[k].bytes, of: old.file)
                copied += 1
            } else {
                body.removeAll(keepingCapacity: true)
                deflater.reset()
                deflater.deflate(chunk, finish: true) { body.append(contentsOf: $0) }
                var w = ByteWriter(capacity: headerBytes + body.count + 8)
                w.append([0x1F, 0x8B, 8, 4, 0, 0, 0, 0, level == 1 ? 4 : 0, 3])
                w.append(UInt16(4 + 8 + digestBytes))
                w.append([0x53, 0x4C])
                w.append(UInt16(8 + digestBytes))
                w.append(UInt32(headerBytes + body.count + 8))
                w.append(UInt32(n))
                w.append(sum)
                w.append(body)
                w.append(CRC32.of(chunk))
                w.append(UInt32(n))
                try target.write(w.bytes)
            }
            offset += n
            k += 1
            if n < chunkBytes { break }
        }
        return (k, copied)
    }
}
