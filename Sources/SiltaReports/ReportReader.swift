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
        guard let header = try nextFields() else { throw ReportReadError(file: path, line: 1, fault: "it is empty: no header") }
        columns = header.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The position of column `name`, or `nil`.
    package func index(of name: String) -> Int? { columns.firstIndex(of: name) }

    /// The next row whose first cell is `first` (the others are passed
    /// over unsplit: a reader of one period of a people report of millions
    /// of rows splits only that period's), or `nil` at the end.
    package mutating func next(whereFirstCellIs first: [UInt8]) throws -> [[UInt8]]? {
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
            guard let row = try next() else { return nil }
            if row.first.map({ $0 == first }) ?? false { return row }
        }
    }

    /// The next row's cells as bytes (text unguarded), or `nil` at the end.
    package mutating func next() throws -> [[UInt8]]? {
        let first = line
        guard var fields = try nextFields() else { return nil }
        if fields.count != columns.count {
            throw ReportReadError(file: path, line: first, fault: "\(fields.count) fields where the header has \(columns.count)")
        }
        for k in fields.indices where fields[k].first == 0x27 { fields[k].removeFirst() }
        return fields
    }

    /// The next line's fields, or `nil` at the end of the file.
    private mutating func nextFields() throws -> [[UInt8]]? {
        guard try peek() != nil else { return nil }
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        let startLine = line
        while true {
            // One field.
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
                            field.append(0x22)
                        } else {
                            break
                        }
                    } else {
                        if c == 0x0A { line += 1 }
                        field.append(c)
                    }
                }
            } else {
                while let c = try peek(), c != 0x2C, c != 0x0A {
                    if c == 0x22 { throw ReportReadError(file: path, line: line, fault: "a quote inside an unquoted field") }
                    field.append(c)
                    advance()
                }
            }
            guard let sep = try peek() else {
                throw ReportReadError(file: path, line: startLine, fault: "the last line has no line end: the file is cut")
            }
            advance()
            fields.append(field)
            field = []
            if sep == 0x0A {
                line += 1
                return fields
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

/// Why a report file cannot be read back.
package struct ReportReadError: Error, CustomStringConvertible, Sendable {
    package let file: String
    package let line: Int
    package let fault: String

    package var description: String { "\(file) line \(line): \(fault)" }
}
