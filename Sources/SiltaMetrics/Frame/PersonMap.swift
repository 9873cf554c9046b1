import SiltaIdentities
import SiltaWarehouse

/// The identity file applied to the warehouse's persons (docs/identities.md):
/// each warehouse person id's *person*, and which persons are bots.
///
/// Persons are numbered so that nothing else changes: a warehouse id the
/// file does not name (and whose bytes are no person the file names) is its
/// own person and keeps its number; each person the file names gets a number
/// after the warehouse's, `persons.count + key`.
package struct PersonMap: Sendable {
    /// The person of each warehouse person id.
    package let personOf: [UInt32]
    /// Whether each person is a bot.
    package let isBot: [Bool]
    /// Persons: warehouse ids plus the file's persons.
    package var count: Int { isBot.count }
    /// The file this map comes from.
    package let file: IdentityFile
    private let warehousePersons: Int

    /// Maps the warehouse's `persons` through `file`.
    /// - Complexity: O(persons + rows), one hash lookup or two per warehouse id.
    package init(file: IdentityFile, persons: [UnsafeRawBufferPointer]) {
        let n = persons.count
        var personOf = [UInt32](repeating: 0, count: n)
        var isBot = [Bool](repeating: false, count: n + file.keys.count)
        for k in file.keys.indices where file.keyIsBot[k] { isBot[n + k] = true }
        for w in 0..<n {
            let bytes = persons[w]
            if let row = file.row(ofID: bytes) {
                personOf[w] = UInt32(n + Int(file.rows[row].key))
            } else if let key = file.key(named: bytes) {
                personOf[w] = UInt32(n + key)
            } else {
                personOf[w] = UInt32(w)
            }
        }
        self.personOf = personOf
        self.isBot = isBot
        self.file = file
        warehousePersons = n
    }

    /// A person's bytes: its warehouse id, or the name the file gives it.
    package func bytes(of person: UInt32, persons: [UnsafeRawBufferPointer]) -> [UInt8] {
        let p = Int(person)
        if p < warehousePersons { return Array(persons[p]) }
        return Array(file.keyBytes(p - warehousePersons))
    }
}
