import Dispatch
import SiltaSupport
import Synchronization

/// Where a streamed table's producer puts its rows, one typed cell at a time
/// (``ReportTable/init(report:period:columns:cells:)``).
///
/// While a table is written, the sink formats each cell straight into the
/// row's CSV line and JSON object, with no ``ReportValue`` or row array made,
/// and hands every piece of about a megabyte to a background writer per
/// file, so that the producer goes on while the kernel copies. Hand-written
/// for the people report's millions of rows, where rows of ``ReportValue``s
/// through the generic formatters took most of the job's time
/// (docs/performance.md, "The people report").
/// Collecting, for ``ReportTable/forEachRow(_:)``, it gathers each row's
/// cells and hands them on.
package final class RowSink {
    private let width: Int
    /// Each column's JSON prefix, back to back: `{"name": ` for the first,
    /// `, "name": ` after; column `k`'s is `keyStarts[k] ..< keyStarts[k + 1]`.
    private let keyBytes: UnsafeMutableBufferPointer<UInt8>
    private let keyStarts: [Int]
    // One thread uses a sink: the per-access exclusivity checks of class
    // properties would cost more than the formatting.
    @exclusivity(unchecked) private var column = 0
    /// Rows ended so far.
    @exclusivity(unchecked) package private(set) var rows = 0
    @exclusivity(unchecked) private var csv: PieceBuffer
    @exclusivity(unchecked) private var json: PieceBuffer
    private let files: StreamedFiles?
    private let collect: (([ReportValue]) throws -> Void)?
    /// Rows whose first cell is a date before this day are skipped: their
    /// bytes were copied from the file an earlier night wrote (``ReportReuse``).
    private let skipBefore: Int
    private let rowsBefore: Int
    @exclusivity(unchecked) private var skipping = false
    /// Rows skipped so far.
    package private(set) var skipped = 0
    /// Where each period's rows begin, in both files; recorded as rows come
    /// when the table's first column is its period (``ReportIndex``).
    private let indexed: Bool
    @exclusivity(unchecked) private(set) var periods: [ReportIndex.Period] = []
    /// The JSON twin's byte count where its rows end (before the closing), once finished.
    private(set) var jsonRowsEnd = 0
    @exclusivity(unchecked) private var cells: [ReportValue] = []
    /// Text cells are formatted here, then copied.
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    /// The `YYYY-MM-DD` of the dates met last, by day modulo 64: a table
    /// repeats a few dates over millions of rows, and making one costs a
    /// division per digit.
    @exclusivity(unchecked) private var dateDays = [Int](repeating: .min, count: 64)
    private let dateTexts = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64 * 10)

    /// A sink that formats rows of `columns` into `files`.
    /// - Parameter rowsBefore: rows already in the files (copied from an earlier write).
    /// - Parameter skipBefore: rows whose first cell is a date before this
    ///   day are counted in ``skipped`` and not written.
    init(columns: [String], files: StreamedFiles, rowsBefore: Int = 0, skipBefore: Int = .min) {
        width = columns.count
        rows = rowsBefore
        self.rowsBefore = rowsBefore
        self.skipBefore = skipBefore
        indexed = columns.first == ReportIndex.periodColumn
        let keys = Self.jsonKeys(columns)
        keyBytes = .allocate(capacity: keys.reduce(0) { $0 + $1.count })
        var starts = [0]
        for k in keys {
            _ = UnsafeMutableBufferPointer(rebasing: keyBytes[starts.last!...]).initialize(from: k)
            starts.append(starts.last! + k.count)
        }
        keyStarts = starts
        self.files = files
        collect = nil
        csv = files.csv.emptyPiece()
        json = files.json.emptyPiece()
    }

    /// A sink that hands each row's cells to `body`.
    init(width: Int, collecting body: @escaping ([ReportValue]) throws -> Void) {
        self.width = width
        keyBytes = .allocate(capacity: 0)
        keyStarts = []
        files = nil
        collect = body
        skipBefore = .min
        rowsBefore = 0
        indexed = false
        csv = PieceBuffer(capacity: 0)
        json = PieceBuffer(capacity: 0)
    }

    deinit {
        keyBytes.deallocate()
        dateTexts.deallocate()
        if files == nil {
            csv.deallocate()
            json.deallocate()
        }
    }

    static func jsonKeys(_ columns: [String]) -> [[UInt8]] {
        columns.enumerated().map { k, c in Array((k == 0 ? "{" : ", ").utf8) + JSONText.quoted(Array(c.utf8)) + [0x3A, 0x20] }
    }

    /// The most bytes a cell other than text adds to either file (a key,
    /// a 20-digit integer, or a number with its digits).
    private static let cellRoom = 512

    /// Before a cell: room for it, the separators, and in JSON the row's start and the key.
    @inline(__always)
    private func begin() throws {
        precondition(column < width, "a streamed row has more cells than its table has columns")
        if csv.count + Self.cellRoom > csv.capacity { try files!.csv.write(&csv) }
        if json.count + Self.cellRoom > json.capacity { try files!.json.write(&json) }
        if column == 0 {
            // The rows array's layout, as JSONWriter's `.lines(indent: 2)` writes it.
            if rows > 0 { json.append(0x2C) }
            json.append(0x0A)
            json.append(0x20)
            json.append(0x20)
        } else {
            csv.append(0x2C)
        }
        json.append(UnsafeBufferPointer(rebasing: keyBytes[keyStarts[column]..<keyStarts[column + 1]]))
        column += 1
    }

    /// True when rows of the period starting on `day` are not written (the
    /// writer keeps them from an earlier night's files): a producer may
    /// then count them with ``skipRows(_:)`` instead of making them.
    package func skips(day: Int) -> Bool { day < skipBefore }

    /// Counts `n` rows of a skipped period without making them.
    package func skipRows(_ n: Int) throws {
        precondition(column == 0 && !skipping, "rows skipped inside a row")
        guard rows == rowsBefore else { throw ReportIndex.OutOfOrder(file: files?.csv.path ?? "a table") }
        skipped += n
    }

    /// Text from the logs: guarded against formulas in CSV, raw in JSON.
    package func text(_ t: [UInt8]) throws { try t.withUnsafeBufferPointer { try text($0) } }

    /// Text from the logs, from a buffer.
    package func text(_ t: UnsafeBufferPointer<UInt8>) throws {
        if collect != nil { return cells.append(.text(Array(t))) }
        if skipping { return }
        try begin()
        scratch.removeAll(keepingCapacity: true)
        ReportFormat.appendGuardedCSVField(t, to: &scratch)
        try scratch.withUnsafeBufferPointer { try files!.csv.append($0, to: &csv) }
        scratch.removeAll(keepingCapacity: true)
        JSONText.appendQuoted(t, to: &scratch)
        try scratch.withUnsafeBufferPointer { try files!.json.append($0, to: &json) }
    }

    /// A date, `YYYY-MM-DD`, given as days since 1970-01-01.
    package func date(_ days: Int) throws {
        if collect != nil { return cells.append(.date(days)) }
        if skipping { return }
        if column == 0 && indexed {
            if days < skipBefore {
                guard rows == rowsBefore else { throw ReportIndex.OutOfOrder(file: files!.csv.path) }
                skipping = true
                return
            }
            if periods.last?.day != days {
                periods.append(
                    ReportIndex.Period(
                        day: days, rowsBefore: rows, csv: files!.csv.position(csv), json: files!.json.position(json)))
            }
        }
        try begin()
        let slot = days & 63
        let text = UnsafeBufferPointer(rebasing: dateTexts[(slot * 10)..<(slot * 10 + 10)])
        if dateDays[slot] != days {
            scratch.removeAll(keepingCapacity: true)
            ReportFormat.appendDate(days, to: &scratch)
            guard scratch.count == 10 else {
                // A year outside 0...9999: not worth a slot.
                try scratch.withUnsafeBufferPointer { try files!.csv.append($0, to: &csv) }
                json.append(0x22)
                try scratch.withUnsafeBufferPointer { try files!.json.append($0, to: &json) }
                json.append(0x22)
                return
            }
            dateDays[slot] = days
            _ = UnsafeMutableBufferPointer(rebasing: dateTexts[(slot * 10)..<(slot * 10 + 10)]).initialize(from: scratch)
        }
        csv.append(text)
        json.append(0x22)
        json.append(text)
        json.append(0x22)
    }

    package func integer(_ n: Int) throws {
        if collect != nil { return cells.append(.integer(n)) }
        if skipping { return }
        try begin()
        csv.appendInteger(n)
        json.appendInteger(n)
    }

    package func bool(_ b: Bool) throws {
        if collect != nil { return cells.append(.bool(b)) }
        if skipping { return }
        try begin()
        let word: StaticString = b ? "true" : "false"
        word.withUTF8Buffer { csv.append($0) }
        word.withUTF8Buffer { json.append($0) }
    }

    /// Any cell.
    package func value(_ v: ReportValue) throws {
        switch v {
        case .text(let t): try text(t)
        case .date(let d): try date(d)
        case .integer(let n): try integer(n)
        case .bool(let b): try bool(b)
        case .number, .empty:
            if collect != nil { return cells.append(v) }
            if skipping { return }
            try begin()
            scratch.removeAll(keepingCapacity: true)
            ReportFormat.appendCSV(v, to: &scratch)
            scratch.withUnsafeBufferPointer { csv.append($0) }
            scratch.removeAll(keepingCapacity: true)
            ReportFormat.appendJSON(v, to: &scratch)
            scratch.withUnsafeBufferPointer { json.append($0) }
        }
    }

    /// Every cell of `row`, then the row's end.
    package func row(_ row: [ReportValue]) throws {
        for v in row { try value(v) }
        try endRow()
    }

    /// Ends the row, which must have one cell per column.
    package func endRow() throws {
        if let collect {
            precondition(cells.count == width, "a streamed row has the wrong width")
            try collect(cells)
            cells.removeAll(keepingCapacity: true)
            return
        }
        if skipping {
            skipping = false
            skipped += 1
            return
        }
        precondition(column == width, "a streamed row has the wrong width")
        column = 0
        csv.append(0x0A)
        json.append(0x7D)
        rows += 1
        if csv.count >= ReportFormat.pieceBytes { try files!.csv.write(&csv) }
        if json.count >= ReportFormat.pieceBytes { try files!.json.write(&json) }
    }

    /// Writes what is left and the JSON twin's end, and waits for both files.
    func finish() throws {
        guard let files else { return }
        precondition(column == 0, "a streamed table ended inside a row")
        jsonRowsEnd = files.json.position(json)
        if rows > 0 {
            json.append(0x0A)
            json.append(0x20)
        }
        for b in "]}\n".utf8 { json.append(b) }
        try files.csv.write(&csv)
        try files.json.write(&json)
        try files.csv.wait()
        try files.json.wait()
    }
}

/// A piece of a file being formatted: bytes written through a pointer, so
/// that an append is a store, with no reference counting or uniqueness check.
/// Callers keep within ``capacity`` (the sink makes room before each cell).
struct PieceBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0

    init(capacity: Int) {
        base = .allocate(capacity: max(1, capacity))
        self.capacity = capacity
    }

    func deallocate() { base.deallocate() }

    @inline(__always) mutating func append(_ b: UInt8) {
        precondition(count < capacity, "a report piece overflowed")
        base[count] = b
        count += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(count + bytes.count <= capacity, "a report piece overflowed")
        if let from = bytes.baseAddress { (base + count).update(from: from, count: bytes.count) }
        count += bytes.count
    }

    /// A non-negative or negative integer's decimal digits.
    @inline(__always) mutating func appendInteger(_ value: Int) {
        precondition(count + 20 <= capacity, "a report piece overflowed")
        if value >= 0 && value < 10 {
            base[count] = UInt8(48 + value)
            count += 1
            return
        }
        if value < 0 { append(0x2D) }
        var n = value.magnitude
        var digits = 0
        var m = n
        while m > 0 {
            digits += 1
            m /= 10
        }
        var at = count + digits - 1
        while n > 0 {
            base[at] = UInt8(48 + n % 10)
            n /= 10
            at -= 1
        }
        count += digits
    }
}

/// A streamed table's two files, each written by a background queue of its
/// own, a few pieces ahead at most.
struct StreamedFiles {
    let csv: BackgroundWriter
    let json: BackgroundWriter
}

/// Writes pieces to one file on a serial queue of its own; at most
/// ``ahead`` pieces wait, so memory stays bounded when the disk is slower
/// than the producer, and their buffers are used again (a fresh megabyte
/// per piece cost a page fault per page). The first error is thrown by the
/// next write or ``wait()``.
final class BackgroundWriter: @unchecked Sendable {
    private let file: AtomicFileWriter
    private let queue: DispatchQueue
    private let group = DispatchGroup()
    private let room: DispatchSemaphore
    private let failures = Failures()
    private let spare = Mutex<[PieceBuffer]>([])
    private let made = Mutex<[PieceBuffer]>([])
    static let ahead = 4
    /// The file's bytes before the first piece, and the bytes of the pieces
    /// handed on since (counted by the producer's thread).
    private let start: Int
    private var handedOn = 0

    init(_ file: AtomicFileWriter, label: String) {
        self.file = file
        start = file.bytesWritten
        queue = DispatchQueue(label: "silta.reports.write." + label)
        room = DispatchSemaphore(value: Self.ahead)
    }

    deinit {
        group.wait()
        for piece in made.withLock({ $0 }) { piece.deallocate() }
    }

    /// An empty piece: a spare one, or a new one.
    func emptyPiece() -> PieceBuffer {
        if let piece = spare.withLock({ $0.popLast() }) { return piece }
        let piece = PieceBuffer(capacity: ReportFormat.pieceBytes + 65_536)
        made.withLock { $0.append(piece) }
        return piece
    }

    /// The file's final path.
    var path: String { file.path }

    /// The offset in the file of the next byte appended to `piece`.
    func position(_ piece: PieceBuffer) -> Int { start + handedOn + piece.count }

    /// Queues `piece` for writing and leaves an empty one in its place.
    func write(_ piece: inout PieceBuffer) throws {
        if let error = failures.first { throw error }
        handedOn += piece.count
        room.wait()
        let full = piece
        piece = emptyPiece()
        queue.async(group: group) { [self] in
            defer { room.signal() }
            if failures.first == nil {
                do { try file.write(UnsafeRawBufferPointer(start: full.base, count: full.count)) } catch { failures.record(error) }
            }
            var used = full
            used.count = 0
            spare.withLock { $0.append(used) }
        }
    }

    /// Appends `bytes` of any length to `piece`, writing full pieces on the way.
    func append(_ bytes: UnsafeBufferPointer<UInt8>, to piece: inout PieceBuffer) throws {
        var rest = bytes
        while piece.count + rest.count > piece.capacity {
            let room = piece.capacity - piece.count
            piece.append(UnsafeBufferPointer(rebasing: rest[..<room]))
            rest = UnsafeBufferPointer(rebasing: rest[room...])
            try write(&piece)
        }
        piece.append(rest)
    }

    func wait() throws {
        group.wait()
        if let error = failures.first { throw error }
    }
}
