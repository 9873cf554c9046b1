import SiltaIdentities
import SiltaReports
import SiltaSupport
import SiltaWarehouse

/// The identity file applied to the warehouse's persons (docs/identities.md):
/// each warehouse person id's *person*, and which persons are bots.
///
/// Persons keep the warehouse's numbering, so every per-person scratch array
/// keeps its size whatever the file holds: a warehouse id the file does not
/// name (and whose bytes are no person the file names) is its own person; a
/// person the file names is numbered by the first warehouse id that maps to
/// it, and a person no warehouse id maps to has no number (no event can name it).
///
/// A map depends only on the file's bytes and the warehouse's persons, so
/// ``PersonMapCache`` keeps it in the warehouse for the next job.
package struct PersonMap: Sendable {
    /// The person of each warehouse person id.
    package let personOf: [UInt32]
    /// Whether each person is a bot.
    package let isBot: [Bool]
    /// The person of each warehouse person id, or ``MetricsInput/botAuthor``
    /// for a bot's: one lookup where the per-event loops need both.
    package let personOrBot: [UInt32]
    /// Persons, as numbers: the warehouse's person count.
    package var count: Int { isBot.count }
    /// The file's figures and SHA-256, for the JSON twins.
    package let used: IdentitiesUsed
    /// For each number, the index of the name the file gives it in
    /// ``nameEnds``, or -1 where the number is a warehouse id that is its own person.
    private let nameOf: [Int32]
    /// The names the file gives, back to back in ``names``.
    private let nameEnds: [UInt32]
    private let names: [UInt8]

    /// Maps the warehouse's `persons` through `file`.
    /// - Complexity: O(persons + file persons), one hash and one or two probes per warehouse id.
    package init(file: IdentityFile, persons: [UnsafeRawBufferPointer]) {
        let n = persons.count
        var personOf = [UInt32](repeating: 0, count: n)
        var isBot = [Bool](repeating: false, count: n)
        var nameOf = [Int32](repeating: -1, count: n)
        var nameEnds: [UInt32] = []
        var names: [UInt8] = []
        var numberOfKey = [UInt32](repeating: UInt32.max, count: file.keys.count)
        for w in 0..<n {
            guard let key = file.person(of: persons[w]) else {
                personOf[w] = UInt32(w)
                continue
            }
            if numberOfKey[key] == UInt32.max {
                numberOfKey[key] = UInt32(w)
                nameOf[w] = Int32(nameEnds.count)
                names += file.keyBytes(key)
                nameEnds.append(UInt32(names.count))
                isBot[w] = file.keyIsBot[key]
            }
            personOf[w] = numberOfKey[key]
        }
        self.init(
            personOf: personOf, isBot: isBot, nameOf: nameOf, nameEnds: nameEnds, names: names,
            used: IdentitiesUsed(sha256: file.sha256, ids: file.ids, persons: file.persons, bots: file.bots))
    }

    private init(personOf: [UInt32], isBot: [Bool], nameOf: [Int32], nameEnds: [UInt32], names: [UInt8], used: IdentitiesUsed) {
        self.personOf = personOf
        self.isBot = isBot
        self.nameOf = nameOf
        self.nameEnds = nameEnds
        self.names = names
        self.used = used
        personOrBot = personOf.map { isBot[Int($0)] ? MetricsInput.botAuthor : $0 }
    }

    /// A person's bytes: the name the file gives it, or its warehouse id.
    package func bytes(of person: UInt32, persons: [UnsafeRawBufferPointer]) -> [UInt8] {
        let k = Int(nameOf[Int(person)])
        if k < 0 { return Array(persons[Int(person)]) }
        return Array(names[Int(k == 0 ? 0 : nameEnds[k - 1])..<Int(nameEnds[k])])
    }

    // MARK: Stored form

    private static let magic = Array("SILTAPM1".utf8)

    /// The map as bytes, for ``PersonMapCache``: `fingerprint` names the
    /// warehouse persons it was made for; a CRC-32 of all before it ends it.
    package func serialized(fingerprint: StableHash128) -> [UInt8] {
        var w = ByteWriter(capacity: 64 + count * 9 + names.count + nameEnds.count * 4)
        w.append(Self.magic)
        w.append(fingerprint.low)
        w.append(fingerprint.high)
        w.append(UInt64(count))
        w.append(UInt64(used.ids))
        w.append(UInt64(used.persons))
        w.append(UInt64(used.bots))
        w.appendBlob(Array(used.sha256.utf8))
        w.append(contentsOf: personOf)
        w.append(contentsOf: isBot.map { $0 ? UInt8(1) : 0 })
        w.append(contentsOf: nameOf)
        w.append(UInt64(nameEnds.count))
        w.append(contentsOf: nameEnds)
        w.append(UInt64(names.count))
        w.append(names)
        var bytes = w.bytes
        let crc = CRC32.of(bytes)
        withUnsafeBytes(of: crc.littleEndian) { bytes += $0 }
        return bytes
    }

    /// A map read back from ``serialized(fingerprint:)``'s bytes, or `nil`
    /// when they are damaged, of another format, or made for other persons
    /// (`fingerprint` and `persons` are the warehouse's).
    package init?(serialized bytes: [UInt8], fingerprint: StableHash128, persons: Int) {
        let parsed: PersonMap? = bytes.withUnsafeBytes { raw in
            guard raw.count > 4 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard CRC32.of(body) == UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self))
            else { return nil }
            var r = ByteReader(body)
            do {
                guard Array(try r.readBytes(Self.magic.count)) == Self.magic,
                    try r.read(UInt64.self) == fingerprint.low, try r.read(UInt64.self) == fingerprint.high,
                    try r.read(UInt64.self) == UInt64(persons)
                else { return nil }
                let ids = Int(try r.read(UInt64.self))
                let filePersons = Int(try r.read(UInt64.self))
                let bots = Int(try r.read(UInt64.self))
                let sha = String(decoding: try r.readBlob(), as: UTF8.self)
                let personOf = try r.readArray(UInt32.self, count: persons)
                let isBot = try r.readArray(UInt8.self, count: persons).map { $0 != 0 }
                let nameOf = try r.readArray(Int32.self, count: persons)
                let nameCount = Int(try r.read(UInt64.self))
                guard nameCount <= persons else { return nil }
                let nameEnds = try r.readArray(UInt32.self, count: nameCount)
                let names = Array(try r.readBytes(Int(try r.read(UInt64.self))))
                // Every number in range, so that no damage can trap later.
                guard r.remaining == 0, personOf.allSatisfy({ Int($0) < persons }),
                    nameOf.allSatisfy({ $0 >= -1 && $0 < Int32(nameCount) }),
                    zip([0] + nameEnds, nameEnds).allSatisfy({ $0 <= $1 }), (nameEnds.last ?? 0) == UInt32(names.count)
                else { return nil }
                return PersonMap(
                    personOf: personOf, isBot: isBot, nameOf: nameOf, nameEnds: nameEnds, names: names,
                    used: IdentitiesUsed(sha256: sha, ids: ids, persons: filePersons, bots: bots))
            } catch {
                return nil
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }
}
