#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a stream of bytes into chunks of whole lines (events.md "A log is
/// newline-delimited JSON"): skips a byte-order mark at the very start, keeps
/// a line longer than the limit out of memory, and at the end either hands on
/// the last line (clean end) or drops it (damage).
///
/// The producer writes into ``freeSpace``, then calls ``didWrite(_:)``. The
/// framer calls `emit` with each finished item, in order.
struct LineFramer {
    private let limits: ReadLimits
    private let pool: BufferPool
    private let emit: (FramedItem) throws -> Void
    private(set) var buffer: ChunkBuffer
    /// Index just past the last `\n` in `buffer`, or 0 when there is none.
    private var lineStart = 0
    /// `buffer[lineStart..<scanned]` is known to hold no `\n`, so that a
    /// search for the last line end reads each byte once, whatever the block
    /// and chunk sizes.
    private var scanned = 0
    private var atFileStart = true
    private var long: LongLine?

    /// The length so far of the too-long line being skipped; 0 when there is none.
    private(set) var longLineLength = 0

    private struct LongLine {
        var length = 0
        var prefix: [UInt8] = []
        var blank = true
        var sawReturn = false
        var lastByte: UInt8 = 0
    }

    init(limits: ReadLimits, pool: BufferPool, emit: @escaping (FramedItem) throws -> Void) {
        self.limits = limits
        self.pool = pool
        self.emit = emit
        self.buffer = pool.take()
    }

    /// Where the producer may write next (at most one block).
    var freeSpace: UnsafeMutableRawBufferPointer {
        let n = min(limits.blockBytes, buffer.capacity - buffer.count)
        return UnsafeMutableRawBufferPointer(start: buffer.base + buffer.count, count: n)
    }

    /// Takes `n` bytes just written into ``freeSpace``.
    mutating func didWrite(_ n: Int) throws {
        guard n > 0 else { return }
        let old = buffer.count
        buffer.count += n
        if long != nil {
            try continueLongLine(from: old)
            return
        }
        if atFileStart {
            if buffer.count < 3 { return }
            dropByteOrderMark()
        }
        // Find the last line end only when a decision needs it: it is usually a
        // few hundred bytes from the end, so framing costs nothing per byte.
        let tooLong = buffer.count - lineStart > limits.maxLineBytes + 1
        if tooLong || buffer.count >= limits.chunkBytes {
            if let nl = lastNewline(in: max(lineStart, scanned)..<buffer.count) { lineStart = nl + 1 }
            scanned = buffer.count
        }
        if buffer.count - lineStart > limits.maxLineBytes + 1 {
            try beginLongLine()
        } else if buffer.count >= limits.chunkBytes && lineStart > 0 {
            try cut()
        }
    }

    /// The input ended cleanly: hands on what is left, the last line included.
    mutating func finish() throws {
        if atFileStart { dropByteOrderMark() }
        if var line = long {
            long = nil
            longLineLength = 0
            if line.lastByte == 0x0D { line.length -= 1 }
            try emit(.oversized(OversizedLine(length: line.length, prefix: line.prefix, isBlank: line.blank)))
            return
        }
        if buffer.count > 0 {
            let full = buffer
            buffer = pool.take()
            try emit(.lines(full))
        }
    }

    /// The input is damaged: hands on the complete lines and drops the line the damage cut.
    mutating func finishDamaged() throws {
        if atFileStart { dropByteOrderMark() }
        long = nil
        longLineLength = 0
        if let nl = lastNewline(in: lineStart..<buffer.count) { lineStart = nl + 1 }
        buffer.count = lineStart
        if buffer.count > 0 {
            let full = buffer
            buffer = pool.take()
            try emit(.lines(full))
        }
    }

    private mutating func dropByteOrderMark() {
        atFileStart = false
        let p = buffer.base.assumingMemoryBound(to: UInt8.self)
        if buffer.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            memmove(buffer.base, buffer.base + 3, buffer.count - 3)
            buffer.count -= 3
        }
    }

    private func lastNewline(in range: Range<Int>) -> Int? {
        let p = buffer.base.assumingMemoryBound(to: UInt8.self)
        var i = range.upperBound
        while i > range.lowerBound {
            i -= 1
            if p[i] == 0x0A { return i }
        }
        return nil
    }

    /// Hands on `buffer[0..<lineStart]` and moves the partial line to a fresh buffer.
    private mutating func cut() throws {
        let next = pool.take()
        let rest = buffer.count - lineStart
        if rest > 0 { next.base.copyMemory(from: buffer.base + lineStart, byteCount: rest) }
        next.count = rest
        let full = buffer
        full.count = lineStart
        buffer = next
        scanned = max(0, scanned - lineStart)
        lineStart = 0
        try emit(.lines(full))
    }

    /// The partial line at `lineStart` is already too long: hand on the lines
    /// before it, then follow it without keeping it.
    private mutating func beginLongLine() throws {
        if lineStart > 0 { try cut() }
        var line = LongLine()
        take(UnsafeRawBufferPointer(start: buffer.base, count: buffer.count), into: &line)
        longLineLength = line.length
        long = line
        buffer.count = 0
        scanned = 0
    }

    private mutating func continueLongLine(from old: Int) throws {
        let fresh = UnsafeRawBufferPointer(start: buffer.base + old, count: buffer.count - old)
        guard let p = memchr(fresh.baseAddress!, 0x0A, fresh.count) else {
            take(fresh, into: &long!)
            longLineLength = long!.length
            buffer.count = old
            return
        }
        let end = fresh.baseAddress!.distance(to: UnsafeRawPointer(p))
        take(UnsafeRawBufferPointer(rebasing: fresh[..<end]), into: &long!)
        var line = long!
        long = nil
        longLineLength = 0
        if line.lastByte == 0x0D { line.length -= 1 }
        try emit(.oversized(OversizedLine(length: line.length, prefix: line.prefix, isBlank: line.blank)))
        // What follows the line end is ordinary input again.
        let restStart = old + end + 1
        let rest = buffer.count - restStart
        if rest > 0 { memmove(buffer.base, buffer.base + restStart, rest) }
        buffer.count = 0
        lineStart = 0
        scanned = 0
        try didWrite(rest)
    }

    private func take(_ bytes: UnsafeRawBufferPointer, into line: inout LongLine) {
        guard !bytes.isEmpty else { return }
        line.length += bytes.count
        let room = limits.oversizedPrefixBytes - line.prefix.count
        if room > 0 { line.prefix.append(contentsOf: bytes.prefix(room)) }
        if line.blank {
            // Blank: only spaces and tabs, and at most a `\r` as the very last byte.
            for b in bytes {
                if line.sawReturn {
                    line.blank = false
                    break
                }
                if b == 0x20 || b == 0x09 { continue }
                if b == 0x0D {
                    line.sawReturn = true
                    continue
                }
                line.blank = false
                break
            }
        }
        line.lastByte = bytes[bytes.count - 1]
    }
}
