// What both libFuzzer targets share: how the program starts.
//
// Built with `-sanitize=fuzzer,address -D SILTA_FUZZ` (`make fuzz`), a target
// hands its check to libFuzzer's driver. Built normally, it replays the files
// named on its command line (a folder: every file in it) through the same check: that is how seeds and
// findings become regression runs in `make test`.
import SiltaSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C signature libFuzzer calls with each input.
package typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

#if SILTA_FUZZ
/// libFuzzer's driver, linked from the fuzzer runtime (`-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func libFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzTarget
) -> CInt
#endif

package enum FuzzDriver {
    /// Fuzzes `target` (with `SILTA_FUZZ`) or replays the files named on the
    /// command line through it (without); returns the exit status.
    package static func run(_ target: FuzzTarget) -> Int32 {
        #if SILTA_FUZZ
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        return libFuzzerRunDriver(&argc, &argv, target)
        #else
        // A folder stands for the files in it (a corpus is too many files for one command line).
        var replayed = 0
        for path in CommandLine.arguments.dropFirst() {
            let files =
                FileSystem.isDirectory(path)
                ? ((try? FileSystem.entries(of: path)) ?? []).map { path + "/" + String(decoding: $0, as: UTF8.self) }.sorted() : [path]
            for file in files {
                guard let bytes = try? PosixFile.readAll(file) else {
                    print("cannot read \(file)")
                    return 1
                }
                _ = bytes.withUnsafeBufferPointer { target($0.baseAddress, $0.count) }
                replayed += 1
            }
        }
        print("replayed \(replayed) input(s)")
        return 0
        #endif
    }
}
