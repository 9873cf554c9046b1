import Synchronization

/// How far a long read has got: bytes done of a total, counted by the
/// workers and read by a progress display on another thread. Workers add
/// once per input block (megabytes), never per line, so the counter costs
/// nothing measurable.
public final class ByteProgress: Sendable {
    private let doneBytes = Atomic<Int>(0)
    private let totalBytes = Atomic<Int>(0)
    private let inflatedBytes = Atomic<Int>(0)

    public init() {}

    /// Bytes done so far.
    public var done: Int { doneBytes.load(ordering: .relaxed) }

    /// Bytes the whole read will cover; 0 until known.
    public var total: Int { totalBytes.load(ordering: .relaxed) }

    /// Bytes produced so far after inflating (the log line's "MB/s uncompressed").
    public var inflated: Int { inflatedBytes.load(ordering: .relaxed) }

    /// Adds `bytes` to the bytes done.
    @inline(__always)
    public func add(_ bytes: Int) { doneBytes.add(bytes, ordering: .relaxed) }

    /// Adds `bytes` to the bytes produced after inflating.
    @inline(__always)
    public func addInflated(_ bytes: Int) { inflatedBytes.add(bytes, ordering: .relaxed) }

    /// Starts a read of `total` bytes.
    public func begin(total: Int) {
        doneBytes.store(0, ordering: .relaxed)
        inflatedBytes.store(0, ordering: .relaxed)
        totalBytes.store(total, ordering: .relaxed)
    }
}
