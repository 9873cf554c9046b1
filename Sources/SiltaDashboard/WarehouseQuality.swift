import SiltaSupport
import SiltaWarehouse

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every ingest so far read, from the warehouse: the manifest's
/// per-file counts and the rejects files' reasons. Cumulative, so that the
/// dashboard of a rerun on the same data is the same page (the last
/// ingest's own report says 0 lines on a rerun).
package struct WarehouseQuality: Sendable {
    package var files = 0
    package var lines: UInt64 = 0
    package var accepted: UInt64 = 0
    package var rejected: UInt64 = 0
    /// Events kept (after de-duplication).
    package var events: UInt64 = 0
    /// Rejected lines by reason, most first.
    package var reasons: [(reason: String, count: Int)] = []
    /// Files whose reading stopped early, and why.
    package var damaged: [(file: String, damage: String)] = []

    package init() {}

    /// Reads the warehouse at `root` (its manifest, then each run's rejects file).
    package static func read(root: String) throws -> WarehouseQuality {
        let location = WarehouseLocation(root: root)
        let manifest = try location.readManifest()
        var q = WarehouseQuality()
        q.files = manifest.files.count
        q.events = manifest.events
        for f in manifest.files {
            q.lines += f.lines
            q.accepted += f.accepted
            q.rejected += f.rejected
            if !f.damage.isEmpty { q.damaged.append((String(decoding: f.path, as: UTF8.self), f.damage)) }
        }
        var counts: [String: Int] = [:]
        for run in manifest.runs {
            for g in run.rejectGenerations { try countReasons(location.rejectsPath(generation: g), into: &counts) }
        }
        q.reasons = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
        return q
    }

    /// Counts the `"reason":"…"` of each line of a rejects file, read in
    /// pieces (a rejects file holds every bad line of a run: it can be large).
    static func countReasons(_ path: String, into counts: inout [String: Int]) throws {
        guard FileSystem.kind(of: path) == .file else { return }
        let file = try PosixFile(path: path, flags: O_RDONLY, noFollow: true)
        let marker = Array("\"reason\":\"".utf8)
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if n == 0 { break }
            pending += buffer[..<n]
            // Whole lines only; the rest waits for the next piece.
            guard let lastEnd = pending.lastIndex(of: 0x0A) else { continue }
            var start = 0
            while start <= lastEnd {
                let end = pending[start...lastEnd].firstIndex(of: 0x0A)!
                let line = pending[start..<end]
                if let at = line.firstRange(of: marker), let close = line[at.upperBound...].firstIndex(of: 0x22) {
                    counts[String(decoding: line[at.upperBound..<close], as: UTF8.self), default: 0] += 1
                }
                start = end + 1
            }
            pending.removeFirst(lastEnd + 1)
        }
    }
}
