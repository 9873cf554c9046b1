// libFuzzer target for the log reader: gzip inflation, damage salvage and
// line framing (`make fuzz`). The first input byte picks gzip or plain; the
// rest is written to a file in /dev/shm and read back with small limits, so
// that long lines and chunk edges are met often.
//
// Built normally, the program replays the files given as arguments.
import SiltaLogReader
import SiltaSupport

#if canImport(Glibc)
import Glibc
#endif

let scratchPath = "/dev/shm/silta-fuzz-\(getpid()).ndjson.gz"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
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
    limits.inflateRatioFloorBytes = 4096
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
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzLogReader))
    }
}
#else
@main
struct Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            guard let bytes = try? PosixFile.readAll(path) else { continue }
            _ = bytes.withUnsafeBufferPointer { fuzzLogReader($0.baseAddress, $0.count) }
        }
        print("replayed \(CommandLine.arguments.count - 1) input(s)")
        unlink(scratchPath)
    }
}
#endif
