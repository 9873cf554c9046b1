import CSiltaZlib
import SiltaSupport

/// One file of a zip archive, compressed as it is made: raw deflate through
/// the system zlib, its CRC-32 and sizes counted on the way. The bytes are
/// kept compressed (a sheet of a million rows is some tens of MB), so that
/// the archive can be written in a fixed order by one thread while several
/// make their members at once.
///
/// Why not ZIPFoundation, which Silta uses to read zips: it compresses at
/// zlib's default level on one thread, one entry after another; the
/// workbook's budget (docs/workbook.md "Speed") needs the sheets compressed
/// in parallel at a lower level. What is written here is the zip format's
/// smallest part: stored names, deflate, no zip64, no data descriptors.
package final class ZipMember: @unchecked Sendable {
    /// The path inside the archive (`xl/worksheets/sheet2.xml`).
    package let name: String
    package private(set) var crc: UInt32 = 0
    package private(set) var size: UInt64 = 0
    package private(set) var pieces: [[UInt8]] = []
    package var compressedSize: UInt64 { pieces.reduce(0) { $0 + UInt64($1.count) } }
    private var stream = z_stream()
    private var pending: [UInt8] = []
    /// deflate's output before it is kept at its own size (a piece keeps no spare capacity).
    private var scratch: [UInt8] = []
    private var finished = false
    private static let flushAt = 1 << 20

    /// Starts a member; `level` is zlib's, 1 (fastest) to 9 (smallest).
    package init(name: String, level: Int32) {
        self.name = name
        // Raw deflate (no zlib header): the zip format's method 8.
        precondition(silta_deflateInit2(&stream, level, -15, 8) == Z_OK, "zlib could not start deflate")
        pending.reserveCapacity(Self.flushAt + 4096)
    }

    deinit { if !finished { deflateEnd(&stream) } }

    /// Appends `bytes` to the member.
    package func append(_ bytes: [UInt8]) {
        pending.append(contentsOf: bytes)
        if pending.count >= Self.flushAt { drain(finish: false) }
    }

    /// Appends the UTF-8 of `text`.
    package func append(_ text: String) {
        var text = text
        text.withUTF8 { pending.append(contentsOf: $0) }
        if pending.count >= Self.flushAt { drain(finish: false) }
    }

    /// The bytes appended since the last drain, which callers may append to
    /// directly (the sheet writer does), then ``drainIfFull()``.
    package func withPending<R>(_ body: (inout [UInt8]) -> R) -> R { body(&pending) }

    /// Compresses what is pending once it is a piece's worth.
    package func drainIfFull() { if pending.count >= Self.flushAt { drain(finish: false) } }

    /// Compresses what is left and ends the stream.
    package func finish() {
        guard !finished else { return }
        drain(finish: true)
        deflateEnd(&stream)
        finished = true
    }

    private func drain(finish: Bool) {
        size += UInt64(pending.count)
        crc = pending.withUnsafeBufferPointer { UInt32(crc32(uLong(crc), $0.baseAddress, uInt($0.count))) }
        if scratch.count < max(pending.count / 2, 1 << 16) { scratch = [UInt8](repeating: 0, count: max(pending.count / 2, 1 << 16)) }
        var out = scratch
        scratch = []
        var made = 0
        pending.withUnsafeMutableBufferPointer { input in
            stream.next_in = input.baseAddress
            stream.avail_in = uInt(input.count)
            var rc: Int32 = Z_OK
            repeat {
                if made == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
                out.withUnsafeMutableBufferPointer { o in
                    stream.next_out = o.baseAddress! + made
                    stream.avail_out = uInt(o.count - made)
                    rc = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    made = o.count - Int(stream.avail_out)
                }
                precondition(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR, "deflate failed: \(rc)")
            } while finish ? rc != Z_STREAM_END : (stream.avail_in > 0 || stream.avail_out == 0)
        }
        if made > 0 { pieces.append(Array(out[..<made])) }
        scratch = out
        if finish { scratch = [] }
        pending.removeAll(keepingCapacity: !finish)
    }
}

/// A zip archive too large for the format without zip64 (4 GiB).
package struct ZipTooLarge: Error, CustomStringConvertible {
    package let path: String
    package var description: String {
        "\(path) would pass the zip format's 4 GiB limit; leave the people report out of the workbook (WORKBOOK_PEOPLE=tables)"
    }
}

/// Writes zip archives of finished ``ZipMember``s, in the order given, with
/// fixed times (1980-01-01 00:00, the format's first instant) and no
/// attributes, so that the same members give the same bytes.
package enum ZipArchive {
    /// Writes `members` to `path` atomically (a temporary file, then a rename).
    package static func write(_ members: [ZipMember], to path: String) throws {
        let file = try AtomicFileWriter(path: path)
        do {
            var central: [UInt8] = []
            var offset: UInt64 = 0
            let limit = UInt64(UInt32.max)
            for member in members {
                member.finish()
                let compressed = member.compressedSize
                guard member.size < limit, compressed < limit, offset < limit else { throw ZipTooLarge(path: path) }
                let name = Array(member.name.utf8)
                var local: [UInt8] = []
                local.le32(0x0403_4b50)
                header(&local, member, compressed: compressed, name: name)
                local += name
                try file.write(local)
                for piece in member.pieces { try file.write(piece) }
                central.le32(0x0201_4b50)
                central.le16(20)  // made by: MS-DOS, zip 2.0
                header(&central, member, compressed: compressed, name: name)
                central.le16(0)  // comment length
                central.le16(0)  // disk
                central.le16(0)  // internal attributes
                central.le32(0)  // external attributes
                central.le32(UInt32(offset))
                central += name
                offset += UInt64(local.count) + compressed
            }
            guard offset < limit, members.count < 0xFFFF else { throw ZipTooLarge(path: path) }
            var end: [UInt8] = []
            end.le32(0x0605_4b50)
            end.le16(0)
            end.le16(0)
            end.le16(UInt16(members.count))
            end.le16(UInt16(members.count))
            end.le32(UInt32(central.count))
            end.le32(UInt32(offset))
            end.le16(0)
            try file.write(central + end)
            try file.commit()
        } catch {
            file.abandon()
            throw error
        }
    }

    /// The fields a local header and a central directory entry share, from
    /// "version needed" to "extra field length".
    private static func header(_ out: inout [UInt8], _ member: ZipMember, compressed: UInt64, name: [UInt8]) {
        out.le16(20)  // version needed: deflate
        out.le16(0)  // flags
        out.le16(8)  // method: deflate
        out.le16(0)  // time 00:00:00
        out.le16(0x21)  // date 1980-01-01
        out.le32(member.crc)
        out.le32(UInt32(compressed))
        out.le32(UInt32(member.size))
        out.le16(UInt16(name.count))
        out.le16(0)
    }
}

extension [UInt8] {
    fileprivate mutating func le16(_ v: UInt16) { append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
    fileprivate mutating func le32(_ v: UInt32) {
        le16(UInt16(v & 0xFFFF))
        le16(UInt16(v >> 16))
    }
}
