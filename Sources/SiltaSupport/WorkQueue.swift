/// The next item for Dispatch workers that take items one at a time: each
/// index below ``count`` is handed out once, in order, whichever worker
/// asks. The results stay in the caller's own slots, so the output never
/// depends on which worker took which item.
package final class WorkQueue: @unchecked Sendable {
    private let monitor = Monitor()
    private var next = 0
    /// Items in the queue.
    package let count: Int

    package init(count: Int) { self.count = count }

    /// The next index, or `nil` when every item was handed out.
    package func claim() -> Int? {
        monitor.locked {
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Hands out nothing more (after a failure, say).
    package func drain() { monitor.locked { next = count } }
}

/// A buffer written by concurrent iterations, each at its own indices
/// (`concurrentPerform` over disjoint parts).
package struct SendableBuffer<T>: @unchecked Sendable {
    package let buffer: UnsafeMutableBufferPointer<T>
    package init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}
