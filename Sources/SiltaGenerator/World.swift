import SiltaEvents

/// The fixed cast of a generated data set: persons with heavy-tailed
/// activity, communities with heavy-tailed sizes, and who belongs where.
struct World: Sendable {
    struct Community: Sendable {
        var kind: CommunityKind
        var source: Int
        var name: String
        /// Share of all events.
        var weight: Double
        var members: [Int32]
        /// Picks a member, weighted by activity.
        var activeMember: AliasTable
        /// Picks a member, weighted by how much they create.
        var creatingMember: AliasTable
    }

    /// Source systems: the first two carry internal communities, the others external.
    static let sources = ["valo", "yammer", "twitter", "forum"]
    static let internalSources = 0..<2

    let persons: Int
    let personNames: ByteTable
    var communities: [Community] = []
    /// Communities of each source.
    var bySource: [[Int]] = Array(repeating: [], count: World.sources.count)
    let communityPicker: AliasTable
    /// Community pickers per kind (for cross-community shares).
    var internalPicker: (ids: [Int], table: AliasTable)
    var externalPicker: (ids: [Int], table: AliasTable)

    init(config: GeneratorConfig) {
        var rng = Xoshiro(seed: config.seed, -1, 0)
        persons = config.personCount
        personNames = ByteTable((0..<persons).map { "p\(100_000 + $0)" })
        // Activity: Pareto (alpha 1.16, the "80/20" tail). Creation: most
        // people almost never create; a few create a lot.
        var activity: [Double] = []
        var creation: [Double] = []
        for _ in 0..<persons {
            activity.append(1 / pow(1 - rng.unit(), 1 / 1.16))
            let u = rng.unit()
            creation.append(u < 0.7 ? 0.02 : (u < 0.93 ? 0.3 : 3.0 * (1 + rng.unit())))
        }
        // Staff are the first 40 %: they make up internal communities, and a
        // third of them also take part in external ones.
        let staff = max(2, persons * 2 / 5)
        let n = config.communityCount
        let teamWords = ["hr", "engineering", "sales", "support", "it", "finance", "marketing", "legal", "design", "ops"]
        let externalWords = ["forum", "twitter", "community", "help", "ideas", "beta"]
        var weights: [Double] = []
        for c in 0..<n {
            // Two communities in five are internal; both kinds have large and small ones.
            let kind: CommunityKind = (c % 5 == 0 || c % 5 == 2) ? .internal : .external
            // Zipf-like sizes.
            let weight = 1 / pow(Double(c + 1), 0.9)
            let source = kind == .internal ? c % 2 : 2 + c % 2
            let words = kind == .internal ? teamWords : externalWords
            let name = "\(words[c % words.count])-\(c)"
            // Members in proportion to size; at least 4.
            let target = max(4, min(kind == .internal ? staff : persons, Int(Double(persons) * 0.6 * weight)))
            var chosen = Set<Int32>()
            var members: [Int32] = []
            while members.count < target {
                let p: Int
                if kind == .internal {
                    p = rng.below(staff)
                } else if rng.chance(0.25) {
                    p = rng.below(staff)  // staff speaking outside: boundary spanners
                } else {
                    p = staff + rng.below(max(1, persons - staff))
                }
                let id = Int32(min(p, persons - 1))
                if chosen.insert(id).inserted { members.append(id) }
                if chosen.count >= (kind == .internal ? staff : persons) { break }
            }
            communities.append(
                Community(
                    kind: kind, source: source, name: name, weight: weight, members: members,
                    activeMember: AliasTable(weights: members.map { activity[Int($0)] }),
                    creatingMember: AliasTable(weights: members.map { activity[Int($0)] * creation[Int($0)] })))
            bySource[source].append(c)
            weights.append(weight)
        }
        communityPicker = AliasTable(weights: weights)
        let all = communities
        let internalIDs = all.indices.filter { all[$0].kind == .internal }
        let externalIDs = all.indices.filter { all[$0].kind == .external }
        internalPicker = (internalIDs, AliasTable(weights: internalIDs.map { weights[$0] }))
        externalPicker = (externalIDs, AliasTable(weights: externalIDs.map { weights[$0] }))
    }

    /// Relative volume of a day: quieter weekends, slow growth.
    static func dayWeight(day: Int, index: Int) -> Double {
        // 1970-01-01 was a Thursday; 0 = Monday.
        let weekday = ((day % 7) + 7 + 3) % 7
        let base = weekday == 5 ? 0.45 : (weekday == 6 ? 0.35 : 1.0)
        return base * (1 + 0.004 * Double(index))
    }

    /// Relative volume by UTC hour: a working day in Europe.
    static let hourWeights: [Double] = [
        0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 2.2, 2.5, 2.4, 2.0,
        1.8, 2.2, 2.4, 2.2, 1.9, 1.5, 1.2, 1.0, 0.8, 0.6, 0.4, 0.25,
    ]
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
