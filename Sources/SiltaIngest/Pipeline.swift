import Dispatch
import SiltaLogReader
import SiltaSupport

/// A log file this run reads, with its rank in path order.
struct FileTask: Sendable {
    var index: Int
    var found: FoundFile
    var compression: LogCompression
}

/// How reading one file ended.
enum FileEnd: Sendable {
    case read(ReadSummary)
    case failed(SystemError)
}

/// The concurrent part of ingest.
///
/// `workers` Dispatch workers take files in path order; each inflates (or
/// reads) its file on its own and cuts it into chunks of whole lines, which
/// any worker may parse, so one large file is parsed on every core while a
/// single thread inflates it. Parsed chunks wait in a reorder buffer until the
/// merger, on the calling thread, takes them in (file, chunk) order.
///
/// Memory is bounded by the workers, not by the files: a reader stops
/// reading and helps parse (or waits) while its file has `maxOutstanding`
/// chunks not yet merged, or while the whole run has `workers ×
/// maxOutstanding` of them and its file is not the one being merged. The
/// merger is serial and the readers are many, so without the second bound
/// readers ran ahead file after file: 20M events in 360 files held about
/// 250 parsed chunks (600 MB) at the peak. The file being merged is exempt
/// and the chunk at the head of the order is always being read or parsed,
/// so the pipeline cannot stall.
final class Pipeline: @unchecked Sendable {
    enum Item {
        case parsed(ParsedChunk)
        case oversized(OversizedLine)
    }

    struct Cancelled: Error {}

    private let files: [FileTask]
    private let limits: ReadLimits
    private let progress: ByteProgress?
    private let workers: Int
    private let maxOutstanding: Int
    private let maxTotalOutstanding: Int
    private let pool: BufferPool
    private let monitor = Monitor()

    // Guarded by `monitor`.
    private var nextFile = 0
    private var activeReaders = 0
    private var parseQueue: [(file: Int, seq: Int, buffer: ChunkBuffer)] = []
    private var results: [[Int: Item]]
    private var produced: [Int]
    private var outstanding: [Int]
    private var totalOutstanding = 0
    /// The file the merger takes items from; its reader is held back by its
    /// own count only.
    private var mergingFile = 0
    private var ends: [FileEnd?]
    private var cancelled = false

    init(files: [FileTask], limits: ReadLimits, workers: Int, progress: ByteProgress? = nil, maxOutstanding: Int = 4) {
        self.files = files
        self.limits = limits
        self.progress = progress
        self.workers = max(1, workers)
        self.maxOutstanding = maxOutstanding
        maxTotalOutstanding = self.workers * maxOutstanding
        pool = BufferPool(bufferCapacity: limits.bufferCapacity, keep: self.workers * (maxOutstanding + 2))
        results = Array(repeating: [:], count: files.count)
        produced = Array(repeating: 0, count: files.count)
        outstanding = Array(repeating: 0, count: files.count)
        ends = Array(repeating: nil, count: files.count)
    }

    /// Runs the workers and calls `merge` for every item in order, then
    /// `fileDone` after each file's last item.
    /// - Throws: what `merge` or `fileDone` throws, after stopping the workers.
    func run(
        merge: (_ file: Int, _ item: Item) throws -> Void,
        fileDone: (_ file: Int, _ end: FileEnd) throws -> Void
    ) throws {
        let group = DispatchGroup()
        for w in 0..<workers {
            DispatchQueue(label: "silta.ingest.worker-\(w)").async(group: group) { self.work() }
        }
        do {
            for f in files.indices {
                monitor.locked {
                    mergingFile = f
                    monitor.broadcast()
                }
                var seq = 0
                while true {
                    let next: Item? = monitor.locked {
                        while results[f][seq] == nil && !(ends[f] != nil && produced[f] == seq) {
                            monitor.wait()
                        }
                        guard let item = results[f].removeValue(forKey: seq) else { return nil }
                        outstanding[f] -= 1
                        totalOutstanding -= 1
                        monitor.broadcast()
                        return item
                    }
                    guard let item = next else { break }
                    try merge(f, item)
                    seq += 1
                }
                try fileDone(f, monitor.locked { ends[f]! })
            }
        } catch {
            monitor.locked {
                cancelled = true
                monitor.broadcast()
            }
            group.wait()
            throw error
        }
        group.wait()
    }

    private enum Job {
        case parse(file: Int, seq: Int, buffer: ChunkBuffer)
        case read(Int)
        case exit
    }

    /// Takes the queued chunk that comes first in merge order. Call locked.
    private func popFirstQueued() -> (file: Int, seq: Int, buffer: ChunkBuffer)? {
        guard !parseQueue.isEmpty else { return nil }
        var best = 0
        for i in 1..<parseQueue.count
        where (parseQueue[i].file, parseQueue[i].seq) < (parseQueue[best].file, parseQueue[best].seq) {
            best = i
        }
        return parseQueue.remove(at: best)
    }

    private func work() {
        let parser = ChunkParser(limits: limits)
        while true {
            let job: Job = monitor.locked {
                while true {
                    if cancelled { return .exit }
                    if let q = popFirstQueued() { return .parse(file: q.file, seq: q.seq, buffer: q.buffer) }
                    if nextFile < files.count {
                        nextFile += 1
                        activeReaders += 1
                        return .read(nextFile - 1)
                    }
                    if activeReaders == 0 { return .exit }
                    monitor.wait()
                }
            }
            switch job {
            case .exit:
                return
            case .parse(let f, let seq, let buffer):
                parse(f, seq, buffer, parser)
            case .read(let f):
                read(f, parser)
            }
        }
    }

    private func parse(_ f: Int, _ seq: Int, _ buffer: ChunkBuffer, _ parser: ChunkParser) {
        let chunk = parser.parse(buffer)
        pool.give(buffer)
        monitor.locked {
            results[f][seq] = .parsed(chunk)
            monitor.broadcast()
        }
    }

    private func read(_ f: Int, _ parser: ChunkParser) {
        let task = files[f]
        let reader = LogFileReader(path: task.found.fullPath, compression: task.compression, limits: limits, progress: progress)
        let end: FileEnd
        do {
            end = .read(try reader.read(pool: pool) { item in try self.emit(f, item, parser) })
        } catch let e as SystemError {
            end = .failed(e)
        } catch {
            end = .failed(SystemError("read", path: task.found.displayPath, code: 125))  // ECANCELED
        }
        monitor.locked {
            ends[f] = end
            activeReaders -= 1
            monitor.broadcast()
        }
    }

    /// Hands one item on, then holds the reader back while too many of its
    /// chunks, or of the run's (when its file is not the one being merged),
    /// are waiting, parsing queued chunks meanwhile.
    private func emit(_ f: Int, _ item: FramedItem, _ parser: ChunkParser) throws {
        try monitor.locked {
            if cancelled { throw Cancelled() }
            let seq = produced[f]
            produced[f] += 1
            outstanding[f] += 1
            totalOutstanding += 1
            switch item {
            case .lines(let buffer): parseQueue.append((f, seq, buffer))
            case .oversized(let line): results[f][seq] = .oversized(line)
            }
            monitor.broadcast()
        }
        while true {
            let help: (file: Int, seq: Int, buffer: ChunkBuffer)? = try monitor.locked {
                while true {
                    if cancelled { throw Cancelled() }
                    if outstanding[f] <= maxOutstanding && (f == mergingFile || totalOutstanding <= maxTotalOutstanding) {
                        return nil
                    }
                    if let q = popFirstQueued() { return q }
                    monitor.wait()
                }
            }
            guard let q = help else { return }
            parse(q.file, q.seq, q.buffer, parser)
        }
    }
}
