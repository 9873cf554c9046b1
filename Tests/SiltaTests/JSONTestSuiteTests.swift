import Foundation
import SiltaEvents
import SiltaImport
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

/// The importers' `JSONTape` against the same suite, and its string scanner
/// (eight bytes at a time) at every offset across word boundaries.
@Suite struct JSONTapeSuiteTests {
    static func parses(_ bytes: [UInt8]) -> Bool {
        var tape = JSONTape()
        let ok = tape.parse(bytes)
        return ok
    }

    static func bytes(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: JSONTestSuiteTests.folder.appendingPathComponent(name).path)!)
    }

    @Test(arguments: JSONTestSuiteTests.cases("y_"))
    func accepted(name: String) { #expect(Self.parses(Self.bytes(name))) }

    @Test(arguments: JSONTestSuiteTests.cases("n_"))
    func rejected(name: String) { #expect(!Self.parses(Self.bytes(name))) }

    @Test(arguments: JSONTestSuiteTests.cases("i_"))
    func survives(name: String) { _ = Self.parses(Self.bytes(name)) }

    /// A string of `n` letters with one special byte at offset `k`: found
    /// wherever it falls in the eight-byte words, and the value's bytes exact.
    @Test func everySpecialByteIsFoundAtEveryOffset() {
        for n in 0..<26 {
            for k in 0...n {
                var body = Array(repeating: UInt8(ascii: "a"), count: n)
                let head = Array(body[..<k])
                let tail = Array(body[k...])
                // An escaped quote: valid, and the string ends after it.
                var text: [UInt8] = [0x5B, 0x22] + head
                text += [0x5C, 0x22] + tail + [0x22, 0x5D]
                var tape = JSONTape()
                let escapedOK = tape.parse(text)
                #expect(escapedOK, "escaped quote at \(k) of \(n)")
                let node = tape.elements(tape.root).first
                let value: [UInt8] = head + [0x22] + tail
                #expect(tape.string(node) == value)
                // A raw control character: invalid.
                text = [0x22] + head + [0x0A] + tail + [0x22]
                let newlineOK = tape.parse(text)
                #expect(!newlineOK, "newline at \(k) of \(n)")
                // A quote ends it early: what follows is no JSON.
                body.insert(0x22, at: k)
                let early: [UInt8] = [0x22] + body + [0x22]
                let earlyOK = tape.parse(early)
                #expect(!earlyOK, "quote at \(k) of \(n)")
                // Bytes above 0x7F are no special byte.
                let accented: [UInt8] = [0x22, 0xC3, 0xA9] + head + [0x22]
                let accentedOK = tape.parse(accented)
                #expect(accentedOK)
            }
        }
    }
}
