import Foundation
import SiltaEvents
import Testing

/// Nicolas Seriot's JSONTestSuite (Tests/Fixtures/jsontestsuite, MIT): the
/// parser must agree with every `y_` and `n_` case about whether a text is
/// JSON, and survive every `i_` case.
@Suite struct JSONTestSuiteTests {
    static let folder = Paths.fixtures.appendingPathComponent("jsontestsuite/test_parsing")

    static func cases(_ prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
    }

    static func isJSON(_ name: String) -> Bool {
        let bytes = [UInt8](FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)!)
        let r = outcome(bytes).0
        return r != .invalidJSON && r != .invalidUTF8
    }

    @Test func fixturesArePresent() {
        #expect(Self.cases("y_").count == 95)
        #expect(Self.cases("n_").count == 188)
        #expect(Self.cases("i_").count == 35)
    }

    @Test(arguments: JSONTestSuiteTests.cases("y_"))
    func accepted(name: String) {
        #expect(Self.isJSON(name))
    }

    @Test(arguments: JSONTestSuiteTests.cases("n_"))
    func rejected(name: String) {
        #expect(!Self.isJSON(name))
    }

    @Test(arguments: JSONTestSuiteTests.cases("i_"))
    func survives(name: String) {
        _ = Self.isJSON(name)
    }
}
