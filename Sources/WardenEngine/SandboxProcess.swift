import CWardenShims
import Glibc
import Synchronization

/// One running `warden-launch` and the thread that pumps its pipes.
///
/// The thread polls the child's stdout, stderr and the launcher's status pipe, feeds stdin,
/// captures output (head and tail within the capture limit), yields chunks to ``output`` as
/// they arrive, and reaps the launcher. The thread is a plain pthread, not a task: it blocks in
/// `poll`, which must never happen on the cooperative pool.
final class SandboxProcess: Sendable {
    struct Outcome: Sendable {
        var report: LaunchReport
        var stdout: OutputCapture
        var stderr: OutputCapture
        var killReason: KillReason?
        var launcherStatus: Int32
    }

    private struct State {
        var killReason: KillReason?
        var killRequestedAt: ContinuousClock.Instant?
        /// When the run times out (wall clock), from ``start(stdin:timeout:captureLimit:hardLimit:oomWatch:)``.
        var deadline: ContinuousClock.Instant?
        var escalated = false
        var streaming = true
        var outcome: Outcome?
        var waiter: CheckedContinuation<Outcome, Never>?
        var reaped = false
        var reapWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let pid: pid_t
    private let pidfd: Int32
    let output: AsyncStream<OutputChunk>
    private let continuation: AsyncStream<OutputChunk>.Continuation
    private let state = Mutex(State())
    /// The parent ends of the pipes until ``start(stdin:captureLimit:hardLimit:)`` hands them to the pump.
    private let pending: Mutex<Pipes?>
    /// The pump thread's executor for the task that reads ``output``, from ``start``.
    private let executor = Mutex<PumpExecutor?>(nil)

    /// A launcher that ignores SIGTERM this long is sent SIGKILL (its PDEATHSIG takes the rest).
    static let killGrace: Duration = .seconds(2)

    private init(pid: pid_t, pidfd: Int32, pipes: Pipes) {
        self.pid = pid
        self.pidfd = pidfd
        self.pending = Mutex(pipes)
        (output, continuation) = AsyncStream.makeStream(of: OutputChunk.self, bufferingPolicy: .unbounded)
    }

    /// Spawns the launcher with `arguments` and exactly `environment`. Nothing is read or
    /// written until ``start(stdin:captureLimit:hardLimit:)``: a standby launcher waits there
    /// for its program, which ``start`` sends as the first bytes of `stdin`.
    /// - Parameter stdinPipe: give the launcher a pipe for stdin (else /dev/null).
    static func spawn(
        launcher: String,
        arguments: [String],
        environment: [String],
        stdinPipe: Bool
    ) throws(SandboxError) -> SandboxProcess {
        var pipes = Pipes()
        defer { pipes.closeChildEnds() }
        do { try pipes.open(withStdin: stdinPipe) } catch {
            pipes.closeParentEnds()
            throw error
        }
        var pid: pid_t = 0
        let fds = [pipes.childStdin, pipes.childStdout, pipes.childStderr, pipes.childStatus]
        let result = withCStrings([launcher] + arguments) { argv in
            withCStrings(environment) { envp in CWardenShims_spawn(launcher, argv, envp, fds, &pid) }
        }
        guard result == 0 else {
            pipes.closeParentEnds()
            throw SandboxError(.spawnFailed, "cannot start \(launcher)", errno: result)
        }
        pipes.closeChildEnds()
        return SandboxProcess(pid: pid, pidfd: CWardenShims_pidfd_open(pid), pipes: pipes)
    }

    /// Starts the thread that feeds `stdin`, pumps the output, enforces the timeout and reaps
    /// the launcher. Once only.
    /// - Parameters:
    ///   - timeout: the wall-clock limit from now, after which the run is killed as `timeout`.
    ///   - oomWatch: the run's memory groups, read before the program started; an OOM kill
    ///     there keeps the result waiting for the launcher's own report.
    ///   - readerOnPipeThread: give the pump an executor for the task that reads ``output``.
    func start(
        stdin: [UInt8],
        timeout: Duration?,
        captureLimit: Int,
        hardLimit: Int,
        oomWatch: OOMWatch?,
        readerOnPipeThread: Bool = false
    ) {
        if let timeout { state.withLock { $0.deadline = .now + timeout } }
        guard
            let pipes = pending.withLock({ pending in
                defer { pending = nil }
                return pending
            })
        else { return }
        // What fits in the pipe goes now, from this thread: a standby's init is waiting for
        // the program and need not wait for the pump's thread to start.
        var written = 0
        while pipes.stdin >= 0, written < stdin.count {
            let count = stdin.withUnsafeBytes { write(pipes.stdin, $0.baseAddress! + written, stdin.count - written) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }  // EAGAIN (the pump writes the rest) or EPIPE (the pump sees it too)
            written += count
        }
        let executor = readerOnPipeThread ? PumpExecutor() : nil
        self.executor.withLock { $0 = executor }
        let pump = Pump(
            process: self,
            pipes: pipes,
            stdin: stdin,
            stdinWritten: written,
            captureLimit: captureLimit,
            hardLimit: hardLimit,
            oomWatch: oomWatch,
            executor: executor
        )
        Thread.detach { pump.run() }
    }

    /// The executor on which a reader of ``output`` gets each chunk in the pump's own thread
    /// (see ``PumpExecutor``); `nil` unless ``start`` was asked for one and an eventfd was made.
    var outputExecutor: PumpExecutor? { executor.withLock { $0 } }

    /// Ends a launcher that was never given a program (an unused standby): init reads EOF, or
    /// the kill arrives first, and the pump reaps the launcher.
    func abandon() {
        kill(.shutdown)
        start(stdin: [], timeout: nil, captureLimit: 0, hardLimit: 0, oomWatch: nil)
    }

    /// Whether the launcher has exited (a standby that died while waiting is of no use).
    var hasExited: Bool {
        guard pidfd >= 0 else { return Glibc.kill(pid, 0) != 0 }
        var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) != 0
    }

    /// Whether something still reads the stdin pipe, before ``start``: a standby whose
    /// sandbox died (its waiting process, the pipe's one reader, killed) while the launcher
    /// is still tearing down would take a program and lose it.
    var stdinHasReader: Bool {
        pending.withLock { pipes in
            guard let pipes, pipes.stdin >= 0 else { return false }
            var entry = pollfd(fd: pipes.stdin, events: Int16(POLLOUT), revents: 0)
            return poll(&entry, 1, 0) >= 0 && entry.revents & Int16(POLLERR) == 0
        }
    }

    /// Asks the launcher to kill the sandbox; the first reason given is the one reported.
    func kill(_ reason: KillReason) {
        state.withLock { state in
            guard state.outcome == nil else { return }
            if state.killReason == nil {
                state.killReason = reason
                state.killRequestedAt = .now
            }
            send(SIGTERM)
        }
    }

    /// Signals the launcher; only called under the lock while it has not been reaped, so the
    /// pid (or pidfd) cannot have been reused.
    private func send(_ number: Int32) {
        if pidfd >= 0 {
            _ = CWardenShims_pidfd_send_signal(pidfd, number)
        } else {
            _ = Glibc.kill(pid, number)
        }
    }

    /// Stops yielding chunks (the consumer is gone); capture goes on.
    func stopStreaming() {
        state.withLock { $0.streaming = false }
        continuation.finish()
    }

    /// Waits until the launcher has exited and every pipe is drained.
    func outcome() async -> Outcome {
        await withCheckedContinuation { waiter in
            let ready = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.waiter = waiter
                return nil
            }
            if let ready { waiter.resume(returning: ready) }
        }
    }

    // MARK: Called from the pump thread

    var isStreaming: Bool { state.withLock { $0.streaming } }

    func yield(_ chunk: OutputChunk) {
        if isStreaming { continuation.yield(chunk) }
    }

    /// Kills the run as `timeout` once its deadline has passed, and sends SIGKILL once if a
    /// requested kill has not taken effect within the grace period; returns how long the pump
    /// may sleep before checking again (`nil`: nothing pending). The pump's poll is the timer:
    /// no task sleeps per run.
    func enforceDeadlines() -> Duration? {
        state.withLock { state -> Duration? in
            guard state.outcome == nil else { return nil }
            let now = ContinuousClock.now
            if state.killReason == nil, let deadline = state.deadline {
                guard now >= deadline else { return deadline - now }
                state.killReason = .timeout
                state.killRequestedAt = now
                send(SIGTERM)
            }
            guard let requested = state.killRequestedAt, !state.escalated else { return nil }
            let waited = now - requested
            guard waited >= Self.killGrace else { return Self.killGrace - waited }
            state.escalated = true
            send(SIGKILL)
            return nil
        }
    }

    /// Publishes the outcome before the launcher has exited: the program has ended, its
    /// output is closed and init reported its usage, while the namespaces are still being torn
    /// down (about 0.6 ms a run here). ``reap()`` follows once the launcher is gone; meanwhile
    /// ``kill(_:)`` sends nothing (there is nothing left to kill).
    func publish(report: LaunchReport, stdout: OutputCapture, stderr: OutputCapture) {
        let (outcome, waiter) = state.withLock { state in
            Self.complete(&state, report: report, stdout: stdout, stderr: stderr, launcherStatus: 0)
        }
        waiter?.resume(returning: outcome)
        continuation.finish()
    }

    /// Records the outcome and takes the waiter to resume (outside the lock).
    private static func complete(
        _ state: inout State,
        report: LaunchReport,
        stdout: OutputCapture,
        stderr: OutputCapture,
        launcherStatus: Int32
    ) -> (Outcome, CheckedContinuation<Outcome, Never>?) {
        let outcome = Outcome(
            report: report,
            stdout: stdout,
            stderr: stderr,
            killReason: state.killReason,
            launcherStatus: launcherStatus
        )
        state.outcome = outcome
        defer { state.waiter = nil }
        return (outcome, state.waiter)
    }

    /// Reaps the launcher (which has exited: its status pipe closed). Under the lock, so
    /// ``kill(_:)`` can never signal a reused pid.
    func reap() {
        let (_, waiters) = state.withLock { reapLocked(&$0) }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the launcher is reaped: the sandbox and everything in it are gone.
    func reaped() async {
        await withCheckedContinuation { waiter in
            let done = state.withLock { state in
                if !state.reaped { state.reapWaiters.append(waiter) }
                return state.reaped
            }
            if done { waiter.resume() }
        }
    }

    /// Waits for the launcher's exit (under the lock) and takes the waiters for its reaping.
    private func reapLocked(_ state: inout State) -> (status: Int32, waiters: [CheckedContinuation<Void, Never>]) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if pidfd >= 0 { close(pidfd) }
        state.reaped = true
        defer { state.reapWaiters = [] }
        return (status, state.reapWaiters)
    }

    /// Reaps the launcher and publishes the outcome with its exit status.
    func finish(report: LaunchReport, stdout: OutputCapture, stderr: OutputCapture) {
        var reapWaiters: [CheckedContinuation<Void, Never>] = []
        let (outcome, waiter) = state.withLock { state in
            let (status, waiters) = reapLocked(&state)
            reapWaiters = waiters
            return Self.complete(&state, report: report, stdout: stdout, stderr: stderr, launcherStatus: status)
        }
        waiter?.resume(returning: outcome)
        for reapWaiter in reapWaiters { reapWaiter.resume() }
        continuation.finish()
    }
}
