#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Named points where the tests can make a job die as if killed
/// (`SIGKILL`), to prove that a crash at that moment loses nothing.
///
/// Set `SILTA_FAULT_POINT=<name>` in the environment; the job kills itself
/// the first time it reaches that point. Without the variable this does
/// nothing. The points are listed in docs/reliability.md.
public enum FaultInjection {
    private static let armed: String? = getenv("SILTA_FAULT_POINT").map { String(cString: $0) }

    /// Dies here when `SILTA_FAULT_POINT` names this point.
    @inline(__always)
    public static func point(_ name: StaticString) {
        guard let armed else { return }
        if armed == name.description { kill(getpid(), SIGKILL) }
    }
}
