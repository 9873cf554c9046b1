/// RFC 4180 records from bytes: fields separated by `,`, records by `\n` or
/// `\r\n`, a field in double quotes may hold `,`, line ends and `""` for a
/// quote. Blank lines are skipped. Hand-written (about 100 lines) because
/// every fault must name its line and no byte may trap.
package struct CSVRecords {
    /// One record: its fields as byte ranges of the input (a quoted field's
    /// range holds its raw text, quotes included; ``value(_:in:)`` unquotes).
    package struct Record {
        package var fields: [Range<Int>]
        package var quoted: [Bool]
        /// The line the record starts on (1-based).
        package var line: Int

        package init(fields: [Range<Int>] = [], quoted: [Bool] = [], line: Int = 0) {
            self.fields = fields
            self.quoted = quoted
            self.line = line
        }

        /// Appends field `k`'s value to `out`; returns its length.
        package func append(_ k: Int, from bytes: [UInt8], to out: inout [UInt8]) -> Int {
            let r = fields[k]
            guard quoted[k] else {
                out.append(contentsOf: bytes[r])
                return r.count
            }
            let v = value(k, in: bytes)
            out += v
            return v.count
        }

        /// Field `k`'s value.
        package func value(_ k: Int, in bytes: [UInt8]) -> [UInt8] {
            let r = fields[k]
            guard quoted[k] else { return Array(bytes[r]) }
            var out: [UInt8] = []
            var i = r.lowerBound + 1
            let end = r.upperBound - 1
            while i < end {
                out.append(bytes[i])
                i += bytes[i] == 0x22 ? 2 : 1
            }
            return out
        }
    }

    package struct Fault: Error {
        package var line: Int
        package var fault: String
    }

    private let bytes: [UInt8]
    private var i = 0
    private var line = 1

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Reads the next record into `record` (reusing its arrays); `false` at the end.
    package mutating func next(into record: inout Record) throws(Fault) -> Bool {
        // Skip blank lines.
        while i < bytes.count {
            if bytes[i] == 0x0A {
                i += 1
                line += 1
            } else if bytes[i] == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A {
                i += 2
                line += 1
            } else {
                break
            }
        }
        guard i < bytes.count else { return false }
        record.fields.removeAll(keepingCapacity: true)
        record.quoted.removeAll(keepingCapacity: true)
        record.line = line
        while true {
            let start = i
            if i < bytes.count && bytes[i] == 0x22 {
                let opened = line
                i += 1
                while true {
                    guard i < bytes.count else { throw Fault(line: opened, fault: "a quoted field is never closed") }
                    if bytes[i] == 0x22 {
                        if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if bytes[i] == 0x0A { line += 1 }
                    i += 1
                }
                record.fields.append(start..<i)
                record.quoted.append(true)
                if i < bytes.count && bytes[i] != 0x2C && bytes[i] != 0x0A
                    && !(bytes[i] == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A)
                {
                    throw Fault(line: line, fault: "a quoted field is followed by something other than a comma or the line's end")
                }
            } else {
                while i < bytes.count && bytes[i] != 0x2C && bytes[i] != 0x0A {
                    if bytes[i] == 0x22 { throw Fault(line: line, fault: "a quote inside a field that does not begin with one") }
                    if bytes[i] == 0x0D {
                        if i + 1 < bytes.count && bytes[i + 1] == 0x0A { break }
                        throw Fault(line: line, fault: "a carriage return that does not end the line")
                    }
                    i += 1
                }
                record.fields.append(start..<i)
                record.quoted.append(false)
            }
            if i >= bytes.count { return true }
            switch bytes[i] {
            case 0x2C:
                i += 1
            case 0x0D:
                i += 2
                line += 1
                return true
            default:  // \n
                i += 1
                line += 1
                return true
            }
        }
    }
}
