import SiltaSupport

/// A fixed-capacity byte buffer handed from the thread that reads a log to
/// the thread that parses it. Whoever holds it owns it; it is never shared.
public final class ChunkBuffer: @unchecked Sendable {
    public let capacity: Int
    public let base: UnsafeMutableRawPointer
    /// Bytes in use, from `base`.
    public var count = 0

    public init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 64)
    }

    deinit { base.deallocate() }

    /// The bytes in use.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// A bounded free list of equally sized ``ChunkBuffer``s, so that reading a
/// large log reuses a few buffers instead of faulting in fresh memory for
/// every chunk.
public final class BufferPool: @unchecked Sendable {
    public let bufferCapacity: Int
    private let keep: Int
    private let monitor = Monitor()
    private var free: [ChunkBuffer] = []

    public init(bufferCapacity: Int, keep: Int) {
        self.bufferCapacity = bufferCapacity
        self.keep = keep
    }

    /// A buffer with `count == 0`.
    public func take() -> ChunkBuffer {
        if let b = monitor.locked({ free.popLast() }) {
            b.count = 0
            return b
        }
        return ChunkBuffer(capacity: bufferCapacity)
    }

    /// Gives a buffer back (dropped when the pool already keeps enough).
    public func give(_ buffer: ChunkBuffer) {
        guard buffer.capacity == bufferCapacity else { return }
        monitor.locked {
            if free.count < keep { free.append(buffer) }
        }
    }
}
