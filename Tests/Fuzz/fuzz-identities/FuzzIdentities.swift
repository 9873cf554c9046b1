import SiltaFuzzDriver
// libFuzzer target for the identity-file parser (`make fuzz`).
//
// Built with `-sanitize=fuzzer,address -D SILTA_FUZZ`, libFuzzer's driver calls
// `LLVMFuzzerTestOneInput` with mutated files. Built normally, the program
// replays the files given as arguments through the same checks
// (Tests/Fuzz/driver).
import SiltaIdentities

#if canImport(Glibc)
import Glibc
#endif

/// Parses one file and checks what must hold for any bytes: an error or a
/// file, never a trap; the same verdict twice; a valid file's every id found
/// again, each row's person a key, and its render parsing back to the same rows.
@_cdecl("LLVMFuzzerTestOneInput")
package func fuzzIdentities(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let first = parse(bytes)
    let second = parse(bytes)
    switch (first, second) {
    case (.failure(let a), .failure(let b)):
        precondition(a == b, "the parser is not deterministic")
        precondition(a.line.map { $0 >= 1 } ?? true)
    case (.success(let f), .success(let g)):
        precondition(f.sha256 == g.sha256 && f.ids == g.ids && f.persons == g.persons)
        var rows: [(id: [UInt8], person: [UInt8], bot: Bool)] = []
        for (k, row) in f.rows.enumerated() {
            let id = Array(f.storage[row.id])
            precondition((1...IdentityFile.maxFieldBytes).contains(id.count))
            precondition(id.withUnsafeBytes { f.row(ofID: $0) } == k)
            precondition(Int(row.key) < f.persons)
            let key = Array(f.keyBytes(Int(row.key)))
            rows.append((id, key == id ? [] : key, row.bot))
        }
        let again = parse(IdentityFile.render(rows))
        guard case .success(let h) = again else { preconditionFailure("a rendered valid file does not parse: \(again)") }
        precondition(h.ids == f.ids && h.persons == f.persons && h.bots == f.bots)
    default:
        preconditionFailure("the parser is not deterministic")
    }
    return 0
}

func parse(_ bytes: [UInt8]) -> Result<IdentityFile, IdentityFileError> {
    do throws(IdentityFileError) {
        return .success(try IdentityFile.parse(bytes, file: "fuzz"))
    } catch {
        return .failure(error)
    }
}

@main
struct FuzzIdentities {
    static func main() { exit(FuzzDriver.run(fuzzIdentities)) }
}
