import CSiltaZlib
import SiltaSupport

/// Reads one log file front to back, gzip or plain, and hands on its lines in
/// chunks (see ``FramedItem``), in constant memory whatever the file size.
///
/// A gzip file may hold several members; they are read as one log. Zero bytes
/// after the last member are padding. Damage — a bad header, a bad checksum,
/// a truncated member, other bytes after a member, a decompression bomb —
/// ends the read: every complete line before it has been handed on, the line
/// it cut is dropped, and ``ReadSummary/damage`` says where and why.
///
/// One reader per thread; a reader is never shared.
package struct LogFileReader {
    package let path: [UInt8]
    package let compression: LogCompression
    package let limits: ReadLimits
    /// Counts the file's bytes as they are read, for a progress display.
    package let progress: ByteProgress?

    package init(path: [UInt8], compression: LogCompression, limits: ReadLimits = ReadLimits(), progress: ByteProgress? = nil) {
        self.path = path
        self.compression = compression
        self.limits = limits
        self.progress = progress
    }

    /// Reads the file, calling `emit` with each item in order.
    /// - Throws: ``SystemError`` when the file cannot be opened or read (a
    ///   missing file, an I/O error), or whatever `emit` throws. Damage inside
    ///   a readable file is not thrown; it is in the summary.
    package func read(pool: BufferPool, emit: @escaping (FramedItem) throws -> Void) throws -> ReadSummary {
        let start = Clocks.monotonicSeconds()
        let file = try PosixFile(pathBytes: path)
        var framer = LineFramer(limits: limits, pool: pool, emit: emit)
        defer { pool.give(framer.buffer) }
        var summary: ReadSummary
        switch compression {
        case .plain: summary = try readPlain(file, &framer)
        case .gzip: summary = try readGzip(file, &framer)
        }
        summary.seconds = Clocks.monotonicSeconds() - start
        return summary
    }

    /// The damage a limit of ``ReadLimits`` found, if any, once `bytes` were produced.
    private func limitDamage(bytes: Int, lineLength long: Int, deadline: Double, at offset: Int) -> LogDamage? {
        if bytes > limits.maxFileBytes {
            return LogDamage(
                offset: offset,
                reason: "yields more than \(limits.maxFileBytes) bytes (MAX_FILE_BYTES, --max-file-bytes; a decompression bomb?); "
                    + "reading stopped, and the file is read again in full once the limit allows",
                limitReached: true)
        }
        if long > limits.maxSkippedLineBytes {
            return LogDamage(
                offset: offset,
                reason: "holds a line longer than \(limits.maxSkippedLineBytes >> 20) MiB (a decompression bomb?); reading stopped",
                limitReached: true)
        }
        if Clocks.monotonicSeconds() > deadline {
            return LogDamage(
                offset: offset,
                reason: "still being read after \(Clocks.seconds(limits.maxFileSeconds)) s (MAX_FILE_SECONDS, --max-file-seconds); "
                    + "reading stopped, and the file is read again in full once the limit allows",
                limitReached: true)
        }
        return nil
    }

    private func readPlain(_ file: PosixFile, _ framer: inout LineFramer) throws -> ReadSummary {
        var summary = ReadSummary()
        var hasher = StableHasher()
        let deadline = Clocks.monotonicSeconds() + limits.maxFileSeconds
        while true {
            let space = framer.freeSpace
            let n = try file.read(into: space)
            if n == 0 { break }
            hasher.combine(UnsafeRawBufferPointer(rebasing: space[..<n]))
            summary.compressedBytes += n
            progress?.add(n)
            progress?.addInflated(n)
            try framer.didWrite(n)
            if let damage = limitDamage(
                bytes: summary.compressedBytes, lineLength: framer.longLineLength, deadline: deadline, at: summary.compressedBytes)
            {
                // Hash the rest too: the manifest keys a file by its whole content.
                while true {
                    let m = try file.read(into: space)
                    if m == 0 { break }
                    hasher.combine(UnsafeRawBufferPointer(rebasing: space[..<m]))
                    summary.compressedBytes += m
                }
                summary.uncompressedBytes = summary.compressedBytes
                summary.damage = damage
                summary.contentHash = hasher.finalize()
                try framer.finishDamaged()
                return summary
            }
        }
        summary.uncompressedBytes = summary.compressedBytes
        summary.contentHash = hasher.finalize()
        try framer.finish()
        return summary
    }

    private func readGzip(_ file: PosixFile, _ framer: inout LineFramer) throws -> ReadSummary {
        let fileSize = try file.size()
        let stream = try InflateStream()
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: limits.blockBytes, alignment: 16)
        defer { input.deallocate() }
        var summary = ReadSummary()
        var hasher = StableHasher()
        /// Bytes of the file read before the current input block.
        var inputBase = 0
        var inputCount = 0
        var inMember = false
        var membersStarted = 0
        /// Where the current member starts, and the output it produced so far.
        var memberStart = 0
        var memberOutput = 0
        var endOfFile = false
        /// Whether this reader checks the current member's trailer itself
        /// (``MemberCheck``), and the CRC-32 of its output so far.
        var selfChecked = false
        var memberCRC: UInt32 = 0
        /// The last 8 bytes of input before the current block, in file order:
        /// a member's trailer can straddle two blocks.
        var recent = [UInt8](repeating: 0, count: 8)

        func refill() throws {
            MemberCheck.keepLastBytes(of: UnsafeRawBufferPointer(rebasing: input[..<inputCount]), in: &recent)
            inputBase += inputCount
            inputCount = try file.read(into: input)
            if inputCount == 0 { endOfFile = true }
            hasher.combine(UnsafeRawBufferPointer(rebasing: input[..<inputCount]))
            summary.compressedBytes += inputCount
            progress?.add(inputCount)
            stream.setInput(UnsafeRawBufferPointer(rebasing: input[..<inputCount]))
        }
        func offset() -> Int { inputBase + inputCount - stream.availableInput }
        let deadline = Clocks.monotonicSeconds() + limits.maxFileSeconds
        func damaged(_ damage: LogDamage) throws -> ReadSummary {
            // Read the rest only to hash it: the manifest keys the file by its whole content.
            while !endOfFile { try refill() }
            summary.damage = damage
            summary.contentHash = hasher.finalize()
            try framer.finishDamaged()
            return summary
        }

        /// True once the input has ended and inflate made nothing more: zlib
        /// can hold output (the rest of a match) after taking the last input
        /// byte, and a cut file's complete lines may be in it.
        var drained = false
        while true {
            if stream.availableInput == 0 {
                if !endOfFile { try refill() }
                if endOfFile && (!inMember || drained) { break }
            }
            if !inMember && membersStarted == 0 {
                inMember = true
                membersStarted = 1
                memberStart = 0
                memberOutput = 0
                selfChecked = stream.startMember()
                memberCRC = 0
            } else if !inMember {
                // Between members: zero padding to the end of the file is fine;
                // anything else must be another gzip member.
                let at = offset()
                var zeroRun = false
                while stream.availableInput > 0 || !endOfFile {
                    if stream.availableInput == 0 {
                        try refill()
                        continue
                    }
                    if stream.peekByte() != 0 { break }
                    zeroRun = true
                    stream.skipByte()
                }
                if stream.availableInput == 0 && endOfFile { break }
                if zeroRun { return try damaged(LogDamage(offset: at, reason: "zero bytes between gzip members")) }
                stream.reset()
                inMember = true
                membersStarted += 1
                memberStart = offset()
                memberOutput = 0
                selfChecked = stream.startMember()
                memberCRC = 0
            }
            let space = framer.freeSpace
            let (code, produced) = stream.inflate(into: space)
            if selfChecked && produced > 0 {
                memberCRC = silta_crc32(memberCRC, space.baseAddress!.assumingMemoryBound(to: UInt8.self), produced)
            }
            progress?.addInflated(produced)
            if endOfFile && stream.availableInput == 0 { drained = produced == 0 }
            summary.uncompressedBytes += produced
            memberOutput += produced
            try framer.didWrite(produced)
            if let damage = limitDamage(
                bytes: summary.uncompressedBytes, lineLength: framer.longLineLength, deadline: deadline, at: offset())
            {
                return try damaged(damage)
            }
            switch code {
            case Z_OK:
                continue
            case Z_STREAM_END:
                inMember = false
                if selfChecked {
                    let consumed = inputCount - stream.availableInput
                    let trailer = MemberCheck.trailer(
                        consumed: UnsafeRawBufferPointer(rebasing: input[..<consumed]), before: recent)
                    // Reported as the zlib path below reports it: zlib finds a bad
                    // CRC after reading it, before the length.
                    if trailer.crc != memberCRC {
                        return try damaged(
                            LogDamage(offset: memberOutput == 0 ? memberStart : offset() - 4, reason: "incorrect data check"))
                    }
                    if trailer.length != UInt32(truncatingIfNeeded: memberOutput) {
                        return try damaged(
                            LogDamage(offset: memberOutput == 0 ? memberStart : offset(), reason: "incorrect length check"))
                    }
                }
            case Z_BUF_ERROR:
                // No progress: more input is needed (handled at the top of the loop).
                continue
            case Z_NEED_DICT:
                return try damaged(LogDamage(offset: offset(), reason: "needs a preset dictionary, which gzip never uses"))
            case Z_MEM_ERROR:
                throw SystemError("inflate (out of memory)", path: String(decoding: path, as: UTF8.self), code: 12)
            default:
                // A member that is bad from its header on is reported where it starts.
                return try damaged(
                    LogDamage(offset: memberOutput == 0 ? memberStart : offset(), reason: stream.message ?? "zlib error \(code)"))
            }
        }
        if inMember {
            return try damaged(LogDamage(offset: fileSize, reason: "unexpected end of file"))
        }
        summary.contentHash = hasher.finalize()
        try framer.finish()
        return summary
    }
}

/// One zlib inflate stream for gzip input, at a fixed heap address (zlib keeps
/// pointers into it), ended on `deinit`.
final class InflateStream {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    /// Wraps `inflateInit2` with window bits 15 + 16: gzip only, so a zlib or
    /// raw deflate stream is reported as damage rather than accepted.
    init() throws {
        stream.initialize(to: z_stream())
        let rc = silta_inflateInit2(stream, 15 + 16)
        if rc != Z_OK {
            stream.deallocate()
            throw SystemError("start inflating", path: "(zlib)", code: 12)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    var availableInput: Int { Int(stream.pointee.avail_in) }

    func setInput(_ bytes: UnsafeRawBufferPointer) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(bytes.count)
    }

    func peekByte() -> UInt8 { stream.pointee.next_in.pointee }

    func skipByte() {
        stream.pointee.next_in += 1
        stream.pointee.avail_in -= 1
    }

    /// Wraps `inflateReset`: ready for the next gzip member.
    func reset() { inflateReset(stream) }

    /// Called with the input at a member's first byte: decides who checks
    /// its trailer (``MemberCheck``) and tells zlib (`inflateValidate`).
    /// Returns true when the caller is to check it.
    func startMember() -> Bool {
        let available = UnsafeRawBufferPointer(start: stream.pointee.next_in, count: availableInput)
        let selfChecked = MemberCheck.canCheckItself(header: available)
        inflateValidate(stream, selfChecked ? 0 : 1)
        return selfChecked
    }

    /// Wraps `inflate(Z_NO_FLUSH)` into `output`; returns zlib's code and the bytes produced.
    func inflate(into output: UnsafeMutableRawBufferPointer) -> (Int32, Int) {
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(output.count)
        let rc = CSiltaZlib.inflate(stream, Z_NO_FLUSH)
        return (rc, output.count - Int(stream.pointee.avail_out))
    }

    /// zlib's message for the last error (`z_stream.msg`).
    var message: String? {
        stream.pointee.msg.map { String(cString: $0) }
    }
}

/// Who checks a gzip member's trailer (its CRC-32 and length): zlib's own
/// check costs as much as a fifth of inflating (its CRC works a byte lane at
/// a time), so for an ordinary member the reader turns it off and checks the
/// trailer itself, with ``silta_crc32`` over the same output, reporting a
/// mismatch with zlib's words at zlib's offset. A member with a header CRC
/// (`FHCRC`, which zlib checks only while its own check is on), or whose first
/// four bytes are not yet in the input block, keeps zlib's check.
enum MemberCheck {
    /// True when `header` (the input from the member's first byte) shows a
    /// gzip deflate member without `FHCRC`.
    static func canCheckItself(header: UnsafeRawBufferPointer) -> Bool {
        header.count >= 4 && header[0] == 0x1f && header[1] == 0x8b && header[2] == 8 && header[3] & 0x02 == 0
    }

    /// Shifts `block`'s last bytes into `recent` (8 bytes, file order).
    static func keepLastBytes(of block: UnsafeRawBufferPointer, in recent: inout [UInt8]) {
        if block.count >= 8 {
            for i in 0..<8 { recent[i] = block[block.count - 8 + i] }
        } else if block.count > 0 {
            recent.removeFirst(block.count)
            recent.append(contentsOf: block)
        }
    }

    /// The stored CRC-32 and length of a member whose last byte is the last
    /// of `consumed` (the current block up to where inflate stopped), with
    /// `before` the 8 bytes that came before the block.
    static func trailer(consumed: UnsafeRawBufferPointer, before: [UInt8]) -> (crc: UInt32, length: UInt32) {
        var bytes = [UInt8](repeating: 0, count: 8)
        let fromBlock = min(8, consumed.count)
        for i in 0..<(8 - fromBlock) { bytes[i] = before[fromBlock + i] }
        for i in 0..<fromBlock { bytes[8 - fromBlock + i] = consumed[consumed.count - fromBlock + i] }
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        return (word(0), word(4))
    }
}

/// Inflating only: what no pipeline built on zlib can beat. Used by the
/// `inflate-floor` benchmark job.
package enum InflateOnly {
    /// Inflates a gzip file (every member) into a scratch buffer and discards
    /// the output. Returns the compressed and uncompressed sizes.
    /// - Throws: ``SystemError`` when the file cannot be read.
    package static func drain(path: [UInt8], blockBytes: Int = 256 << 10) throws -> (compressed: Int, uncompressed: Int) {
        let file = try PosixFile(pathBytes: path)
        let stream = try InflateStream()
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: blockBytes, alignment: 16)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: blockBytes, alignment: 16)
        defer {
            input.deallocate()
            output.deallocate()
        }
        var compressed = 0
        var uncompressed = 0
        var ended = false
        while true {
            if stream.availableInput == 0 {
                let n = try file.read(into: input)
                if n == 0 { break }
                compressed += n
                stream.setInput(UnsafeRawBufferPointer(rebasing: input[..<n]))
            }
            if ended {
                if stream.peekByte() == 0 {
                    stream.skipByte()
                    continue
                }
                stream.reset()
                ended = false
            }
            let (code, produced) = stream.inflate(into: output)
            uncompressed += produced
            if code == Z_STREAM_END { ended = true } else if code != Z_OK && code != Z_BUF_ERROR { break }
        }
        return (compressed, uncompressed)
    }
}
