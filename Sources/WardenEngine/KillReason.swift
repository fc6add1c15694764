/// Why the supervisor ended a run before the program did.
enum KillReason: Sendable, Hashable {
    case timeout
    case cancelled
    case outputLimit
    case shutdown
}
