import Dispatch

/// The next item for Dispatch workers that take items one at a time: each
/// index below ``count`` is handed out once, in order, whichever worker
/// asks. The results stay in the caller's own slots, so the output never
/// depends on which worker took which item.
public final class WorkQueue: @unchecked Sendable {
    private let monitor = Monitor()
    private var next = 0
    /// Items in the queue.
    public let count: Int

    public init(count: Int) { self.count = count }

    /// The next index, or `nil` when every item was handed out.
    public func claim() -> Int? {
        monitor.locked {
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Hands out nothing more (after a failure, say).
    public func drain() { monitor.locked { next = count } }
}

/// A buffer written by concurrent iterations, each at its own indices
/// (`concurrentPerform` over disjoint parts).
public struct SendableBuffer<T>: @unchecked Sendable {
    public let buffer: UnsafeMutableBufferPointer<T>
    public init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}

/// Results written by concurrent workers, one slot each, read once they are done.
public final class ResultSlots<Result>: @unchecked Sendable {
    private let monitor = Monitor()
    public private(set) var results: [Result?]

    public init(count: Int) { results = Array(repeating: nil, count: count) }

    public func set(_ i: Int, _ r: Result) { monitor.locked { results[i] = r } }
}

/// Results handed from workers to one reader in index order: ``take(_:)``
/// waits until slot `i` is ``put(_:_:)``, so a reader can consume item 0
/// while workers still make items 1, 2, …
public final class OrderedResults<Result>: @unchecked Sendable {
    private let monitor = Monitor()
    private var results: [Result?]
    private let ready: [DispatchSemaphore]

    public init(count: Int) {
        results = Array(repeating: nil, count: count)
        ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
    }

    public func put(_ i: Int, _ r: Result) {
        monitor.locked { results[i] = r }
        ready[i].signal()
    }

    /// Slot `i`'s result, once it is there; the slot is emptied.
    public func take(_ i: Int) -> Result {
        ready[i].wait()
        return monitor.locked {
            defer { results[i] = nil }
            return results[i]!
        }
    }
}
