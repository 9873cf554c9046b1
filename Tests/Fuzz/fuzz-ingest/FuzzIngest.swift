// libFuzzer target for the whole ingest of one log (`make fuzz`): framing,
// parsing, the merge, rejects and the run file, with the limits, chunk and
// block sizes, gzip members and damage that the input's first bytes choose
// (IngestCaseDecoder). The oracle is IngestCheck: no trap, lines = accepted +
// rejected, each reject's bytes those of its line, each verdict the parser's.
//
// Built normally, the program replays the files given as arguments.
import SiltaFuzzDriver
import SiltaIngestCheck

#if canImport(Glibc)
import Glibc
#endif

let scratch = "/dev/shm/silta-fuzz-ingest-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
package func fuzzIngest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, let c = IngestCaseDecoder.decode(UnsafeBufferPointer(start: data, count: size)) else { return 0 }
    do {
        try IngestCheck.run(c, scratch: scratch)
    } catch let failure as IngestCheckFailure {
        fatalError("ingest invariant failed: \(failure)")
    } catch {
        fatalError("ingest threw on a readable log: \(error)")
    }
    return 0
}

@main
struct FuzzIngest {
    static func main() {
        let status = FuzzDriver.run(fuzzIngest)
        _ = system("rm -rf '\(scratch)'")
        exit(status)
    }
}
