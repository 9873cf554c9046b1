// libFuzzer target for the line parser (`make fuzz`).
//
// Built with `-sanitize=fuzzer,address -D SILTA_FUZZ`, libFuzzer's driver calls
// `LLVMFuzzerTestOneInput` with mutated lines. Built normally, the program
// replays the files given as arguments through the same checks: that is how
// findings become regression runs.
import SiltaEvents

#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var parser = LineParser()

/// Parses one line and checks what must hold for any input: no crash, no
/// hang, the same verdict twice, and accepted events within the contract.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLineParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = UnsafeRawBufferPointer(start: data, count: size)
    let first = describe(parser.parse(line))
    let second = describe(parser.parse(line))
    precondition(first == second, "the parser is not deterministic")
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
    case .accepted(let e): return "\(e.ts) \(e.type.name) \(e.id.count) \(e.actor.count) \(e.mentionCount)"
    }
}

#if SILTA_FUZZ
/// libFuzzer's driver, linked from the fuzzer runtime (`-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main
struct Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzLineParser))
    }
}
#else
@main
struct Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            guard let f = fopen(path, "rb") else { continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = fread(&buffer, 1, buffer.count, f)
                if n <= 0 { break }
                bytes += buffer[..<n]
            }
            fclose(f)
            _ = bytes.withUnsafeBufferPointer { fuzzLineParser($0.baseAddress, $0.count) }
        }
        print("replayed \(CommandLine.arguments.count - 1) input(s)")
    }
}
#endif
