import SiltaSupport

/// A fixed-capacity byte buffer handed from the thread that reads a log to
/// the thread that parses it. Whoever holds it owns it; it is never shared.
package final class ChunkBuffer: @unchecked Sendable {
    package let capacity: Int
    package let base: UnsafeMutableRawPointer
    /// Bytes in use, from `base`.
    package var count = 0

    package init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 64)
    }

    deinit { base.deallocate() }

    /// The bytes in use.
    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// A bounded free list of equally sized ``ChunkBuffer``s, so that reading a
/// large log reuses a few buffers instead of faulting in fresh memory for
/// every chunk.
package final class BufferPool: @unchecked Sendable {
    package let bufferCapacity: Int
    private let keep: Int
    private let monitor = Monitor()
    private var free: [ChunkBuffer] = []

    package init(bufferCapacity: Int, keep: Int) {
        self.bufferCapacity = bufferCapacity
        self.keep = keep
    }

    /// A buffer with `count == 0`.
    package func take() -> ChunkBuffer {
        if let b = monitor.locked({ free.popLast() }) {
            b.count = 0
            return b
        }
        return ChunkBuffer(capacity: bufferCapacity)
    }

    /// Gives a buffer back (dropped when the pool already keeps enough).
    package func give(_ buffer: ChunkBuffer) {
        guard buffer.capacity == bufferCapacity else { return }
        monitor.locked {
            if free.count < keep { free.append(buffer) }
        }
    }
}
