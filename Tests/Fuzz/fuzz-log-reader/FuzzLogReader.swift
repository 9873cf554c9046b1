// libFuzzer target for the log reader: gzip inflation, damage salvage and
// line framing (`make fuzz`). The first input byte picks gzip or plain; the
// rest is written to a file in /dev/shm and read back with small limits, so
// that long lines and chunk edges are met often.
//
// Built normally, the program replays the files given as arguments.
import SiltaFuzzDriver
import SiltaLogReader
import SiltaSupport

#if canImport(Glibc)
import Glibc
#endif

let scratchPath = "/dev/shm/silta-fuzz-\(getpid()).ndjson.gz"

@_cdecl("LLVMFuzzerTestOneInput")
package func fuzzLogReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let gzip = data[0] & 1 == 0
    guard let f = fopen(scratchPath, "wb") else { return 0 }
    fwrite(data + 1, 1, size - 1, f)
    fclose(f)
    var limits = ReadLimits()
    limits.maxLineBytes = 64
    limits.chunkBytes = 48
    limits.blockBytes = 32
    limits.oversizedPrefixBytes = 16
    limits.maxFileBytes = 4096
    let pool = BufferPool(bufferCapacity: limits.bufferCapacity, keep: 4)
    let reader = LogFileReader(path: Array(scratchPath.utf8), compression: gzip ? .gzip : .plain, limits: limits)
    nonisolated(unsafe) var total = 0
    let summary = try? reader.read(pool: pool) { item in
        switch item {
        case .lines(let b):
            precondition(b.count <= limits.bufferCapacity)
            total += b.count
            pool.give(b)
        case .oversized(let o):
            precondition(o.length > limits.maxLineBytes && o.prefix.count <= limits.oversizedPrefixBytes)
        }
    }
    if let summary {
        precondition(total <= summary.uncompressedBytes)
        if !gzip { precondition(summary.damage == nil && summary.uncompressedBytes == size - 1) }
    }
    return 0
}

@main
struct FuzzLogReader {
    static func main() {
        let status = FuzzDriver.run(fuzzLogReader)
        unlink(scratchPath)
        exit(status)
    }
}
