/// An error from the sandbox engine: the run could not be started or the host cannot sandbox.
///
/// A program that exits non-zero, times out or runs out of memory is a ``RunResult``, not an
/// error. `SandboxError` is for what stops Warden itself: invalid requests, a busy supervisor,
/// a missing isolation layer, a launcher that failed to set up.
public struct SandboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code callers can switch on.
    public let code: Code
    /// What went wrong and how it may be remedied.
    public let message: String
    /// The errno behind the failure, when there is one.
    public let errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        if let errno { return "\(code): \(message) (errno \(errno))" }
        return "\(code): \(message)"
    }

    /// A stable, extensible error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Storage: String, Sendable, Hashable {
            case invalidRequest = "invalid_request"
            case busy
            case shuttingDown = "shutting_down"
            case unsupportedHost = "unsupported_host"
            case policy
            case spawnFailed = "spawn_failed"
            case setupFailed = "setup_failed"
            case quota
        }
        private let storage: Storage
        private init(_ storage: Storage) { self.storage = storage }

        /// The request is malformed: unknown language, invalid environment name, oversized code.
        public static var invalidRequest: Self { .init(.invalidRequest) }
        /// Every run slot and queue place is taken; try again later.
        public static var busy: Self { .init(.busy) }
        /// The supervisor is stopping and accepts no new runs.
        public static var shuttingDown: Self { .init(.shuttingDown) }
        /// A required isolation layer is missing on this host.
        public static var unsupportedHost: Self { .init(.unsupportedHost) }
        /// The seccomp policy could not be read, parsed or compiled.
        public static var policy: Self { .init(.policy) }
        /// The launcher could not be started.
        public static var spawnFailed: Self { .init(.spawnFailed) }
        /// The launcher started but could not set up a sandbox layer.
        public static var setupFailed: Self { .init(.setupFailed) }
        /// A new workspace would take the workspaces' quotas together past the host's memory
        /// budget for them (a workspace is a tmpfs: its files live in memory).
        public static var quota: Self { .init(.quota) }

        public var description: String { storage.rawValue }
    }
}
