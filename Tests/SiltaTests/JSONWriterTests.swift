import Foundation
import SiltaSupport
import Testing

/// The one JSON writer: each layout byte for byte, and what it writes parses
/// back to what was written.
@Suite struct JSONWriterTests {
    func text(_ w: JSONWriter) -> String { String(decoding: w.bytes, as: UTF8.self) }

    @Test func compactSpacedAndLines() {
        var w = JSONWriter()
        w.beginObject(.lines(indent: 2))
        w.key("n")
        w.integer(-3)
        w.key("spaced")
        w.beginObject(.spaced)
        w.key("a")
        w.bool(true)
        w.key("b")
        w.null()
        w.endObject()
        w.key("compact")
        w.beginArray(.compact)
        w.number(0.5)
        w.number(.nan)
        w.string("x")
        w.endArray()
        w.key("empty")
        w.beginArray(.lines(indent: 4))
        w.endArray()
        w.key("list")
        w.beginArray(.lines(indent: 4))
        w.beginObject(.spaced)
        w.key("k")
        w.string(nil)
        w.endObject()
        w.integer(UInt64.max)
        w.endArray()
        w.endObject()
        w.finishLine()
        #expect(
            text(w) == """
                {
                  "n": -3,
                  "spaced": {"a": true, "b": null},
                  "compact": [0.5,null,"x"],
                  "empty": [],
                  "list": [
                    {"k": null},
                    18446744073709551615
                  ]
                }

                """)
    }

    @Test func aKeyOnItsOwnLineAndAClosingIndent() {
        var w = JSONWriter()
        w.beginObject()
        w.key("a")
        w.integer(1)
        w.key("rows", newLine: 1)
        w.beginArray(.lines(indent: 2, closing: 1))
        w.integer(2)
        w.endArray()
        w.endObject()
        #expect(text(w) == "{\"a\": 1,\n \"rows\": [\n  2\n ]}")
    }

    @Test func stringsAreEscapedAndReadBack() throws {
        let nasty = "q\"b\\s/\n\r\t\u{8}\u{C}\u{0}\u{1F}\u{7F} é 😀"
        var w = JSONWriter()
        w.beginObject(.compact)
        w.key(nasty)
        w.string(nasty)
        w.endObject()
        let back = try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: String]
        #expect(back == [nasty: nasty])
    }

    @Test func takeHandsOnWhatIsWrittenAndKeepsTheContainersOpen() {
        var w = JSONWriter()
        w.beginArray(.compact)
        w.integer(1)
        let first = w.take()
        w.integer(2)
        w.endArray()
        #expect(String(decoding: first + w.bytes, as: UTF8.self) == "[1,2]")
    }
}
