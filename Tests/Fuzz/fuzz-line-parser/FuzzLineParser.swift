// libFuzzer target for the line parser (`make fuzz`).
//
// Built with `-sanitize=fuzzer,address -D SILTA_FUZZ`, libFuzzer's driver calls
// `LLVMFuzzerTestOneInput` with mutated lines. Built normally, the program
// replays the files given as arguments through the same checks
// (Tests/Fuzz/driver).
import SiltaEvents
import SiltaFuzzDriver

#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var parser = LineParser()
/// The same parser without its shortcuts (known keys read as words, the
/// last date remembered): every answer must be the same.
nonisolated(unsafe) var exact = LineParser(shortcuts: false)

/// Parses one line and checks what must hold for any input: no crash, no
/// hang, the same verdict twice and without the shortcuts, and accepted
/// events within the contract.
@_cdecl("LLVMFuzzerTestOneInput")
package func fuzzLineParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = UnsafeRawBufferPointer(start: data, count: size)
    let first = describe(parser.parse(line))
    let second = describe(parser.parse(line))
    precondition(first == second, "the parser is not deterministic")
    precondition(describe(exact.parse(line)) == first, "the shortcuts changed an answer")
    if case .accepted(let e) = parser.parse(line) {
        for field in [e.id, e.community, e.actor] { precondition((1...200).contains(field.count)) }
        precondition(e.ts >= RFC3339.minimumMilliseconds && e.ts <= RFC3339.maximumMilliseconds)
        precondition(UTF8Validation.isValid(line))
        if e.type.createsContent { precondition(e.content != nil) }
        if e.type.needsParent { precondition(e.parent != nil) }
    }
    return 0
}

func describe(_ outcome: LineOutcome) -> String {
    switch outcome {
    case .rejected(let r): return r.name
    case .accepted(let e):
        func text(_ b: UnsafeRawBufferPointer?) -> String { b.map { String(decoding: $0, as: UTF8.self) } ?? "-" }
        return "\(e.ts) \(e.type.name) \(e.kind) \(text(e.id)) \(text(e.community)) \(text(e.actor)) "
            + "\(text(e.content)) \(text(e.parent)) \(text(e.parentActor)) \(e.mentionCount)"
    }
}

@main
struct FuzzLineParser {
    static func main() { exit(FuzzDriver.run(fuzzLineParser)) }
}
