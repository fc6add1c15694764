/// How a run ended.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// The program exited with code 0.
    case completed
    /// The program exited non-zero or was killed by a signal it brought on itself.
    case failed
    /// The wall-clock timeout (or the CPU backstop) ended it.
    case timeout
    /// It ran out of its memory allowance.
    case memoryLimit = "memory_limit"
    /// It wrote more than the hard output cap and was killed.
    case outputLimit = "output_limit"
    /// The caller cancelled it, or the supervisor shut down.
    case cancelled
    /// The sandbox could not be set up; the program never ran.
    case sandboxError = "sandbox_error"
}

/// The outcome of a run. A non-zero exit is a result, not an error.
public struct RunResult: Sendable {
    public var status: RunStatus
    public var exitCode: Int?
    public var signal: Int?
    public var stdout: OutputCapture
    public var stderr: OutputCapture
    /// Wall time from spawn to the end of the run.
    public var duration: Duration
    /// User plus system CPU time of everything the run started.
    public var cpuTime: Duration
    /// The largest resident set of any process of the run, in KiB.
    public var maxRSSKiB: Int
    /// Why the sandbox failed, for `sandbox_error`; otherwise `nil`.
    public var message: String?
}

extension RunResult {
    /// The result of a run whose program never started (cancelled while queued, or a launcher
    /// that could not be spawned).
    init(unstarted status: RunStatus, duration: Duration, message: String) {
        self.init(
            status: status,
            exitCode: nil,
            signal: nil,
            stdout: OutputCapture(limit: 0),
            stderr: OutputCapture(limit: 0),
            duration: duration,
            cpuTime: .zero,
            maxRSSKiB: 0,
            message: message
        )
    }
}
