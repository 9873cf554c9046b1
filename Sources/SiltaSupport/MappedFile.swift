#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (`mmap(2)`), unmapped on `deinit`.
///
/// The mapping is file-backed: its pages come from the page cache and are
/// counted in the resident set only while touched; ``release(_:)`` gives pages
/// back once a range is no longer needed, so a long sequential read does not
/// pin the whole file in memory.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let count: Int
    private let base: UnsafeMutableRawPointer?

    /// Wraps `open(2)` and `mmap(2)`.
    public init(path: String) throws {
        self.path = path
        let file = try PosixFile.openForReading(path)
        count = try file.size()
        if count == 0 {
            base = nil
            return
        }
        let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, file.descriptor, 0)
        if p == MAP_FAILED { throw SystemError("map", path: path) }
        base = p
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// The mapped bytes. Valid while this object lives.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count)
    }

    /// Wraps `madvise(MADV_DONTNEED)` over the whole pages inside `range`:
    /// they leave the resident set and are read again from the page cache if
    /// touched later.
    public func release(_ range: Range<Int>) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = min(count, range.upperBound) / page * page
        if end > start { madvise(base + start, end - start, MADV_DONTNEED) }
    }

    /// Releases the whole pages under `bytes`, which must lie in this mapping.
    public func release(_ bytes: UnsafeRawBufferPointer) {
        guard let base, let start = bytes.baseAddress, bytes.count > 0 else { return }
        let offset = UnsafeRawPointer(base).distance(to: start)
        release(offset..<(offset + bytes.count))
    }

    /// Releases every page of the mapping.
    public func releaseAll() { release(0..<count) }

    /// Wraps `madvise(MADV_SEQUENTIAL)`: read-ahead for a front-to-back pass.
    public func adviseSequential() {
        guard let base else { return }
        madvise(base, count, MADV_SEQUENTIAL)
    }
}
