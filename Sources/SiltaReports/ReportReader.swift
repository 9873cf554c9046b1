import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads back a report CSV as Silta writes it (docs/reports.md "CSV"), row by
/// row, in pieces: for the jobs that present the reports (the dashboard,
/// the workbook) and must show exactly the cells the CSVs hold, also of a
/// people report of millions of rows.
///
/// RFC 4180: fields quoted only when needed, `""` inside quotes, `\n` line
/// ends. Text cells come back with the spreadsheet guard undone (one
/// leading `'` removed: the guard is the only way a cell Silta writes can
/// begin with one). A file that is not whole — an open quote at its end, a
/// last line without its line end, a row of another width than the header —
/// is an error naming the file and the line, never a short table.
package struct ReportReader {
    /// The header's column names.
    package private(set) var columns: [String]
    private let path: String
    private let file: PosixFile
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    private let chunk: Int
    /// The line the next row starts on (the header is line 1).
    package private(set) var line = 1

    /// Opens `path` and reads its header.
    /// - Parameter chunk: bytes read at a time (tests make it small).
    package init(path: String, chunk: Int = 1 << 20) throws {
        self.path = path
        self.chunk = max(1, chunk)
        file = try PosixFile(path: path, flags: O_RDONLY, noFollow: true)
        buffer = [UInt8](repeating: 0, count: self.chunk)
        columns = []
        var header = ReportRow()
        guard try nextRecord(into: &header) else { throw ReportReadError(file: path, line: 1, fault: "it is empty: no header") }
        columns = header.cells.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The rows of the report CSV at `path` (its records but the header),
    /// counted without splitting them into cells: its line ends outside
    /// quoted fields.
    package static func rowCount(path: String) throws -> Int {
        let file = try PosixFile(path: path, flags: O_RDONLY, noFollow: true)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var records = 0
        var quoted = false
        while true {
            let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if n == 0 { break }
            buffer.withUnsafeBufferPointer { b in
                let base = b.baseAddress!
                if !quoted && memchr(base, 0x22, n) == nil {
                    var at = base
                    var left = n
                    while left > 0, let nl = memchr(at, 0x0A, left) {
                        records += 1
                        let step = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - at + 1
                        at += step
                        left -= step
                    }
                } else {
                    for k in 0..<n {
                        if base[k] == 0x22 { quoted.toggle() } else if base[k] == 0x0A && !quoted { records += 1 }
                    }
                }
            }
        }
        return max(records - 1, 0)
    }

    /// The position of column `name`, or `nil`.
    package func index(of name: String) -> Int? { columns.firstIndex(of: name) }

    /// The next row whose first cell is `first` (the others are passed
    /// over unsplit: a reader of one period of a people report of millions
    /// of rows splits only that period's), or `nil` at the end.
    package mutating func next(whereFirstCellIs first: [UInt8]) throws -> [[UInt8]]? {
        var row = ReportRow()
        return try next(into: &row, whereFirstCellIs: first) ? row.cells : nil
    }

    /// ``next(whereFirstCellIs:)`` into `row`; `false` at the end.
    package mutating func next(into row: inout ReportRow, whereFirstCellIs first: [UInt8]) throws -> Bool {
        while true {
            // A whole line in the buffer, without quotes, whose first cell differs: skip it whole.
            if start < end,
                let skipped = buffer.withUnsafeBufferPointer({ b -> Int? in
                    let base = b.baseAddress! + start
                    guard let nl = memchr(base, 0x0A, end - start) else { return nil }
                    let length = UnsafeRawPointer(nl) - UnsafeRawPointer(base)
                    if memchr(base, 0x22, length) != nil { return nil }
                    let comma = memchr(base, 0x2C, length).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? length
                    if comma == first.count && memcmp(base, first, comma) == 0 { return nil }
                    return length + 1
                })
            {
                start += skipped
                line += 1
                continue
            }
            guard try next(into: &row) else { return false }
            if row.count > 0 && row[0].elementsEqual(first) { return true }
        }
    }

    /// The next row's cells as bytes (text unguarded), or `nil` at the end.
    package mutating func next() throws -> [[UInt8]]? {
        var row = ReportRow()
        return try next(into: &row) ? row.cells : nil
    }

    /// The next row into `row` (its buffers reused: no allocation per cell),
    /// text unguarded; `false` at the end.
    package mutating func next(into row: inout ReportRow) throws -> Bool {
        let first = line
        guard try nextRecord(into: &row) else { return false }
        if row.count != columns.count {
            throw ReportReadError(file: path, line: first, fault: "\(row.count) fields where the header has \(columns.count)")
        }
        row.unguard()
        return true
    }

    /// The next line's fields into `row`, or `false` at the end of the file.
    private mutating func nextRecord(into row: inout ReportRow) throws -> Bool {
        row.clear()
        guard try peek() != nil else { return false }
        let startLine = line
        while true {
            // One field.
            let fieldStart = row.bytes.count
            guard let b = try peek() else {
                throw ReportReadError(file: path, line: startLine, fault: "the last line has no line end: the file is cut")
            }
            if b == 0x22 {
                advance()
                while true {
                    guard let c = try peek() else {
                        throw ReportReadError(file: path, line: startLine, fault: "a quoted field is never closed: the file is cut")
                    }
                    advance()
                    if c == 0x22 {
                        if try peek() == 0x22 {
                            advance()
                            row.bytes.append(0x22)
                        } else {
                            break
                        }
                    } else {
                        if c == 0x0A { line += 1 }
                        row.bytes.append(c)
                    }
                }
            } else {
                // An unquoted field: the run up to a comma, a line end or a quote, copied at once.
                while try peek() != nil {
                    let stop = buffer.withUnsafeBufferPointer { b in
                        var k = start
                        while k < end, b[k] != 0x2C, b[k] != 0x0A, b[k] != 0x22 { k += 1 }
                        return k
                    }
                    row.bytes.append(contentsOf: buffer[start..<stop])
                    start = stop
                    if stop < end { break }
                }
                if try peek() == 0x22 { throw ReportReadError(file: path, line: line, fault: "a quote inside an unquoted field") }
            }
            row.add(from: fieldStart)
            guard let sep = try peek() else {
                throw ReportReadError(file: path, line: startLine, fault: "the last line has no line end: the file is cut")
            }
            advance()
            if sep == 0x0A {
                line += 1
                return true
            }
            if sep != 0x2C { throw ReportReadError(file: path, line: line, fault: "text after a closing quote") }
        }
    }

    @inline(__always)
    private mutating func peek() throws -> UInt8? {
        if start == end {
            if atEOF { return nil }
            let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if n == 0 {
                atEOF = true
                return nil
            }
            start = 0
            end = n
        }
        return buffer[start]
    }

    @inline(__always)
    private mutating func advance() { start += 1 }
}

/// One row of a report read back: its cells as ranges of one buffer, which
/// ``ReportReader/next(into:)`` reuses from row to row.
package struct ReportRow: Sendable {
    /// The cells' bytes, one after the other.
    package internal(set) var bytes: [UInt8] = []
    private var starts: [Int] = []
    private var ends: [Int] = []

    package init() {}

    /// A row of `cells`.
    package init(cells: [[UInt8]]) {
        for cell in cells {
            let start = bytes.count
            bytes += cell
            add(from: start)
        }
    }

    /// The number of cells.
    package var count: Int { ends.count }
    /// Cell `k`'s bytes.
    package subscript(k: Int) -> ArraySlice<UInt8> { bytes[starts[k]..<ends[k]] }
    /// Cell `k`'s range in ``bytes``.
    package func range(_ k: Int) -> Range<Int> { starts[k]..<ends[k] }
    /// Every cell, copied out.
    package var cells: [[UInt8]] { (0..<count).map { Array(self[$0]) } }

    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// Ends a cell that began at `start` of ``bytes``.
    mutating func add(from start: Int) {
        starts.append(start)
        ends.append(bytes.count)
    }

    /// Undoes the spreadsheet guard: a cell's one leading `'` dropped.
    mutating func unguard() {
        for k in starts.indices where starts[k] < ends[k] && bytes[starts[k]] == 0x27 { starts[k] += 1 }
    }
}

/// Why a report file cannot be read back.
package struct ReportReadError: Error, CustomStringConvertible, Sendable {
    package let file: String
    package let line: Int
    package let fault: String

    package init(file: String, line: Int, fault: String) {
        self.file = file
        self.line = line
        self.fault = fault
    }

    package var description: String { "\(file) line \(line): \(fault)" }
}
