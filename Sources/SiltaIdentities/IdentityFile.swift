import SiltaEvents
import SiltaSupport

/// An identity file (docs/identities.md): which person ids are one person,
/// and which persons are bots. Parsed from bytes, validated whole, and
/// indexed for lookups by id bytes; it knows nothing of the warehouse.
///
///     id,person,bot
///     slack:U024BE7LH,anna
///     twitter:annav,anna
///     slack:B01,,true
package struct IdentityFile: Sendable {
    /// One row: byte ranges into ``storage``.
    package struct Row: Sendable {
        package var id: Range<Int>
        /// The person's key (``keys``): the `person` field, or the id when it is empty.
        package var key: Int32
        package var bot: Bool
        /// The row's line in the file (1-based; a quoted field may span lines).
        package var line: Int
    }

    /// Every field's bytes, back to back.
    package let storage: [UInt8]
    package let rows: [Row]
    /// The distinct persons the rows name, as byte ranges into ``storage``.
    package let keys: [Range<Int>]
    /// Whether each key is a bot: any row naming it says `bot` = `true`.
    package let keyIsBot: [Bool]
    /// SHA-256 of the file's bytes, lowercase hex.
    package let sha256: String

    /// Rows (the spec's `ids`).
    package var ids: Int { rows.count }
    /// Distinct persons the rows name.
    package var persons: Int { keys.count }
    /// Persons that are bots.
    package var bots: Int { keyIsBot.lazy.filter { $0 }.count }

    private let idTable: ByteTable
    private let keyTable: ByteTable

    /// The longest file read: far above a directory of ten million ids.
    package static let maxBytes = 1 << 30
    /// An id's or a person's most bytes (events.md's field limit).
    package static let maxFieldBytes = 200

    /// Reads and validates the file at `path`.
    /// - Throws: ``IdentityFileError`` for a missing, unreadable, oversized or invalid file.
    package static func load(path: String) throws(IdentityFileError) -> IdentityFile {
        try parse(read(path: path), file: path)
    }

    /// The bytes of the file at `path`, checked to be a regular file of at most ``maxBytes``.
    /// - Throws: ``IdentityFileError`` for a missing, unreadable or oversized file.
    package static func read(path: String) throws(IdentityFileError) -> [UInt8] {
        switch FileSystem.kind(of: path) {
        case .missing: throw IdentityFileError(file: path, line: nil, fault: "no such file")
        case .file: break
        default: throw IdentityFileError(file: path, line: nil, fault: "not a regular file")
        }
        let size = FileSystem.size(ofBytes: Array(path.utf8))
        if size > maxBytes {
            throw IdentityFileError(file: path, line: nil, fault: "\(size) bytes, more than the \(maxBytes) an identity file may have")
        }
        let bytes: [UInt8]
        do {
            bytes = try PosixFile.readAll(path)
        } catch {
            throw IdentityFileError(file: path, line: nil, fault: "cannot be read: \(error)")
        }
        return bytes
    }

    /// Parses and validates `bytes`; `file` names it in errors; `sha256`,
    /// when the caller has it already, is the bytes' hash.
    package static func parse(_ bytes: [UInt8], file: String, sha256: String? = nil) throws(IdentityFileError) -> IdentityFile {
        func fail(_ line: Int?, _ fault: String) -> IdentityFileError { IdentityFileError(file: file, line: line, fault: fault) }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw fail(1, "it begins with a byte-order mark; save it as UTF-8 without one")
        }
        if !bytes.withUnsafeBytes({ UTF8Validation.isValid($0) }) {
            throw fail(firstInvalidUTF8Line(bytes), "it is not valid UTF-8")
        }
        var reader = CSVRecords(bytes)
        var storage: [UInt8] = []
        storage.reserveCapacity(bytes.count)
        var header: [[UInt8]]?
        var hasBot = false
        var rawRows: [(id: Range<Int>, person: Range<Int>, bot: Bool, line: Int)] = []
        var record = CSVRecords.Record(fields: [], quoted: [], line: 0)
        rawRows.reserveCapacity(bytes.count / 16)
        while true {
            do {
                guard try reader.next(into: &record) else { break }
            } catch {
                throw fail(error.line, error.fault)
            }
            if header == nil {
                let names = record.fields.indices.map { record.value($0, in: bytes) }
                let id = Array("id".utf8)
                let person = Array("person".utf8)
                if names == [id, person] {
                    hasBot = false
                } else if names == [id, person, Array("bot".utf8)] {
                    hasBot = true
                } else {
                    throw fail(record.line, "the header is not `id,person` or `id,person,bot`")
                }
                header = names
                continue
            }
            let width = hasBot ? 3 : 2
            if record.fields.count != width {
                throw fail(record.line, "\(record.fields.count) field(s), but the header has \(width)")
            }
            let idStart = storage.count
            let idCount = record.append(0, from: bytes, to: &storage)
            let personStart = storage.count
            let personCount = record.append(1, from: bytes, to: &storage)
            if idCount == 0 || idCount > maxFieldBytes {
                throw fail(record.line, "the id has \(idCount) bytes; it must have 1 to \(maxFieldBytes)")
            }
            if personCount > maxFieldBytes {
                throw fail(
                    record.line,
                    "the person has \(personCount) bytes; it must have at most \(maxFieldBytes) (empty: the id is its own person)")
            }
            var bot = false
            if hasBot {
                let r = record.fields[2]
                if record.quoted[2] || !(r.isEmpty || bytes[r].elementsEqual("true".utf8) || bytes[r].elementsEqual("false".utf8)) {
                    switch record.value(2, in: bytes) {
                    case Array("true".utf8): bot = true
                    case Array("false".utf8), []: bot = false
                    case let other:
                        throw fail(record.line, "bot is \"\(String(decoding: other, as: UTF8.self))\"; it must be true, false or empty")
                    }
                } else {
                    bot = r.count == 4
                }
            }
            rawRows.append((idStart..<personStart, personStart..<storage.count, bot, record.line))
        }
        if header == nil { throw fail(1, "the file is empty: it needs the header `id,person` or `id,person,bot`") }

        // Ids, each on one row.
        var idTable = ByteTable(capacity: rawRows.count)
        for (k, r) in rawRows.enumerated() {
            if let earlier = idTable.insert(storage, r.id, value: Int32(k)) {
                throw fail(r.line, "the id \"\(text(storage, r.id))\" is also on line \(rawRows[Int(earlier)].line)")
            }
        }
        // Persons: the `person` field, or the id.
        var keyTable = ByteTable(capacity: rawRows.count)
        var keys: [Range<Int>] = []
        var keyIsBot: [Bool] = []
        var firstRow: [Int32] = []
        var rows: [Row] = []
        rows.reserveCapacity(rawRows.count)
        for (k, r) in rawRows.enumerated() {
            let key = r.person.isEmpty ? r.id : r.person
            let index: Int32
            if let known = keyTable.insert(storage, key, value: Int32(keys.count)) {
                index = known
            } else {
                index = Int32(keys.count)
                keys.append(key)
                keyIsBot.append(false)
                firstRow.append(Int32(k))
            }
            if r.bot { keyIsBot[Int(index)] = true }
            rows.append(Row(id: r.id, key: index, bot: r.bot, line: r.line))
        }
        // No chains: a person that is also an id must be that id's own person.
        for (k, key) in keys.enumerated() {
            guard let other = idTable.find(storage, key), rows[Int(other)].key != Int32(k) else { continue }
            let r = rawRows[Int(firstRow[k])]
            let o = rawRows[Int(other)]
            let otherKey = o.person.isEmpty ? o.id : o.person
            throw fail(
                r.line,
                "a chain: the person \"\(text(storage, key))\" is an id that line \(o.line) maps to \"\(text(storage, otherKey))\"; map both ids to the same person"
            )
        }
        return IdentityFile(
            storage: storage, rows: rows, keys: keys, keyIsBot: keyIsBot, sha256: sha256 ?? SHA256Hex.of(bytes), idTable: idTable,
            keyTable: keyTable)
    }

    private init(
        storage: [UInt8], rows: [Row], keys: [Range<Int>], keyIsBot: [Bool], sha256: String, idTable: ByteTable, keyTable: ByteTable
    ) {
        self.storage = storage
        self.rows = rows
        self.keys = keys
        self.keyIsBot = keyIsBot
        self.sha256 = sha256
        self.idTable = idTable
        self.keyTable = keyTable
    }

    /// The row of the id `bytes`, if the file has one.
    package func row(ofID bytes: UnsafeRawBufferPointer) -> Int? {
        storage.withUnsafeBytes { idTable.find($0, bytes, hash: ByteTable.hash(bytes)) }.map(Int.init)
    }

    /// The key of the person named `bytes`, if a row names that person.
    package func key(named bytes: UnsafeRawBufferPointer) -> Int? {
        storage.withUnsafeBytes { keyTable.find($0, bytes, hash: ByteTable.hash(bytes)) }.map(Int.init)
    }

    /// The person (key) a warehouse id stands for: its row's person, else
    /// the person it names, else `nil` (it is its own person). One hash for both lookups.
    package func person(of bytes: UnsafeRawBufferPointer) -> Int? {
        storage.withUnsafeBytes { all in
            let h = ByteTable.hash(bytes)
            if let row = idTable.find(all, bytes, hash: h) { return Int(rows[Int(row)].key) }
            return keyTable.find(all, bytes, hash: h).map(Int.init)
        }
    }

    /// A key's bytes.
    package func keyBytes(_ key: Int) -> ArraySlice<UInt8> { storage[keys[key]] }

    private static func text(_ storage: [UInt8], _ r: Range<Int>) -> String { String(decoding: storage[r], as: UTF8.self) }

    private static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            let ok = bytes[start..<i].withUnsafeBytes { UTF8Validation.isValid($0) }
            if !ok { return line }
            line += 1
            start = i + 1
        }
        return line
    }
}

/// What is wrong with an identity file, and where.
package struct IdentityFileError: Error, CustomStringConvertible, Sendable, Equatable {
    package var file: String
    /// The line, when the fault is on one.
    package var line: Int?
    package var fault: String

    package init(file: String, line: Int?, fault: String) {
        self.file = file
        self.line = line
        self.fault = fault
    }

    package var description: String {
        "the identity file \(file)\(line.map { ", line \($0)" } ?? ""): \(fault) (docs/identities.md says what the file holds)"
    }
}

extension IdentityFile {
    /// An identity file with the header `id,person,bot` and `rows`, sorted by
    /// id bytewise and each id once (the first row of an id wins): what an
    /// importer writes with `--identities-out` for the ids its source marks
    /// as bots. Fields are quoted as RFC 4180 asks (only when they hold a
    /// comma, a quote or a line end).
    package static func render(_ rows: [(id: [UInt8], person: [UInt8], bot: Bool)]) -> [UInt8] {
        var seen = Set<[UInt8]>()
        let unique = rows.filter { seen.insert($0.id).inserted }.sorted { $0.id.lexicographicallyPrecedes($1.id) }
        var out = Array("id,person,bot\n".utf8)
        func field(_ bytes: [UInt8]) {
            if bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                out.append(0x22)
                for b in bytes {
                    out.append(b)
                    if b == 0x22 { out.append(0x22) }
                }
                out.append(0x22)
            } else {
                out += bytes
            }
        }
        for r in unique {
            field(r.id)
            out.append(0x2C)
            field(r.person)
            out.append(0x2C)
            out += Array((r.bot ? "true" : "false").utf8)
            out.append(0x0A)
        }
        return out
    }
}
