import Glibc
public import Logging
public import ServiceLifecycle

/// The only place runs start and end: admission (a bounded number at once, a bounded queue),
/// wall-clock timeouts, cancellation, the kill of the whole sandbox, and reaping.
///
/// It also keeps sandboxes ready: when a run of an identity (a session's workspace, or a
/// one-off slot) starts, a ``Standby`` for that identity's next run is built beside it, so the
/// next run skips the namespaces, root, cgroups and filters (see ``SandboxConfiguration/standbySandboxes``).
///
/// ## Usage
/// ```swift
/// let supervisor = Supervisor(host: try SandboxHost.prepare(configuration, logger: logger), logger: logger)
/// let result = try await supervisor.execute(RunRequest(language: .python, code: "print(1)")) { output in
///     for await chunk in output { print(chunk.text, terminator: "") }
/// }
/// ```
/// Run it in a `ServiceGroup`: on graceful shutdown it refuses new runs and kills running ones.
public actor Supervisor: Service {
    typealias RunID = AdmissionStateMachine.RunID

    enum State {
        case accepting(AdmissionStateMachine)
        case stopped
    }

    public nonisolated let host: SandboxHost
    let logger: Logger
    var state: State
    var waiting: [RunID: CheckedContinuation<Int?, Never>] = [:]
    private var processes: [RunID: SandboxProcess] = [:]
    var nextID: RunID = 1
    /// The cgroup leaves in use per identity: concurrent runs of one session each get their own.
    var lanes: [UInt32: Set<Int>] = [:]
    /// At most one ready sandbox per identity.
    var standbys: [UInt32: Standby] = [:]
    /// Standbys being discarded (by run ID), awaited by ``retire(_:)`` and ``discardStandbys()``.
    var discarding: [RunID: Task<Void, Never>] = [:]
    /// Standbys to build once a run has ended or gone on for ``standbyDelay`` (by run ID).
    var scheduledStandbys: [RunID: ScheduledStandby] = [:]

    public init(host: SandboxHost, logger: Logger) {
        self.host = host
        self.logger = logger
        self.state = .accepting(
            AdmissionStateMachine(
                maxRunning: host.configuration.maxConcurrentRuns,
                maxQueued: host.configuration.maxQueuedRuns,
                runShare: host.configuration.resolvedRunShare,
                queueShare: host.configuration.resolvedQueueShare
            )
        )
    }

    /// How often standbys past their idle time are dropped.
    static let standbyExpiryPeriod: Duration = .seconds(5)

    /// Waits for graceful shutdown, then stops: queued runs are refused, running ones killed.
    /// Meanwhile it drops standbys that have waited longer than their idle time.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.standbyExpiryPeriod)
                await self.expireStandbys()
            }
        }
        shutDown()
    }

    /// Refuses new and queued runs and kills every running one (their status: `cancelled`).
    public func shutDown() {
        if case .accepting(var machine) = state {
            for id in machine.shutDown() { waiting.removeValue(forKey: id)?.resume(returning: nil) }
        }
        state = .stopped
        cancelScheduledStandbys()
        for process in processes.values { process.kill(.shutdown) }
        for identity in Array(standbys.keys) { discardStandby(of: identity) }
    }

    /// Whether runs are admitted (not shut down).
    var isAccepting: Bool {
        if case .accepting = state { return true }
        return false
    }

    /// The number of runs executing now.
    public var runningCount: Int { processes.count }

    /// Runs code in the sandbox, streaming its output to `body` while it runs.
    ///
    /// - Parameters:
    ///   - request: what to run.
    ///   - outputOnPipeThread: run `body` on the run's pipe thread (see ``PumpExecutor``),
    ///     which saves a thread hand-off per chunk. That thread also reads the pipes and
    ///     enforces the deadline, so such a body must not block, and must not await an actor
    ///     (a default actor it awaits would run its whole queue there).
    ///   - body: receives the live output; it may return early (output is still captured).
    /// - Returns: the result; a non-zero exit, a timeout or a kill is a status, not an error.
    /// - Throws: ``SandboxError`` when the request is invalid, the supervisor is busy or
    ///   stopping, or the host lacks a required isolation layer.
    public nonisolated func execute(
        _ request: RunRequest,
        outputOnPipeThread: Bool = false,
        output body: (RunOutput) async -> Void = { _ in }
    ) async throws(SandboxError) -> RunResult {
        let interpreter = try validate(request)
        let clock = ContinuousClock()
        let start = clock.now
        guard let admission = try await admit(request) else {
            return RunResult(unstarted: .cancelled, duration: clock.now - start, message: "cancelled while queued")
        }
        let (result, process) = await perform(
            request,
            interpreter: interpreter,
            admission: admission,
            outputOnPipeThread: outputOnPipeThread,
            body: body
        )
        // A cancelled run's session is going away: no standby for its next run.
        await unregister(admission.id, buildingNextStandby: result.status != .cancelled)
        // The result may come before the sandbox is torn down (see Pump); its slot and cgroup
        // leaf stay taken until the launcher is reaped, so no other run shares the leaf and
        // no more sandboxes live at once than there are slots. Its directory goes then too.
        if let process {
            Task {
                await process.reaped()
                removeTree(admission.runDirectory)
                await self.release(admission)
            }
        } else {
            removeTree(admission.runDirectory)
            await release(admission)
        }
        return result
    }

    /// What a run was given on admission: its ID, identity, cgroup leaf, directory and, when
    /// one was ready, its standby sandbox.
    struct Admission: Sendable {
        let id: RunID
        let identity: UInt32
        let lane: Int
        let standby: Standby?
        /// Bound read-only at /run/warden: the standby's, else one of the run's own.
        let runDirectory: String
    }

    private nonisolated func validate(_ request: RunRequest) throws(SandboxError) -> Interpreter {
        if let missing = host.layers.missingRequired.first {
            throw SandboxError(
                .unsupportedHost,
                "this host lacks the required \(missing.name) layer (\(missing.detail)); see `warden doctor`"
            )
        }
        guard let interpreter = host.catalog.interpreters[request.language] else {
            let known = host.catalog.languages.map(\.rawValue).joined(separator: ", ")
            throw SandboxError(
                .invalidRequest,
                "\(request.language.rawValue) is not installed here; available: \(known)"
            )
        }
        guard request.code.utf8.count <= host.configuration.maxCodeBytes else {
            throw SandboxError(.invalidRequest, "the code is larger than \(host.configuration.maxCodeBytes) bytes")
        }
        guard !request.code.utf8.contains(0) else {
            throw SandboxError(.invalidRequest, "the code contains a NUL byte")
        }
        try LaunchPlan.validate(environment: request.environment)
        return interpreter
    }

    private func register(
        _ id: RunID,
        _ process: SandboxProcess,
        nextStandby: (identity: UInt32, workspace: RunRequest.WorkspaceSource, language: Language)
    ) {
        processes[id] = process
        if case .stopped = state { process.kill(.shutdown) }
        scheduleStandby(nextStandby.identity, for: nextStandby.workspace, language: nextStandby.language, after: id)
    }

    /// The run's result is out: it no longer counts as running nor needs killing at shutdown,
    /// and the standby scheduled after it is built now (or dropped).
    private func unregister(_ id: RunID, buildingNextStandby: Bool) {
        processes[id] = nil
        endScheduledStandby(after: id, building: buildingNextStandby)
    }

    private nonisolated func perform(
        _ request: RunRequest,
        interpreter: Interpreter,
        admission: Admission,
        outputOnPipeThread: Bool,
        body: (RunOutput) async -> Void
    ) async -> (RunResult, SandboxProcess?) {
        let configuration = host.configuration
        let clock = ContinuousClock()
        let start = clock.now
        let timeout = min(request.timeout ?? configuration.defaultTimeout, configuration.maxTimeout)
        let (id, identity, runDirectory) = (admission.id, admission.identity, admission.runDirectory)
        let process: SandboxProcess
        let stdin: [UInt8]
        let oomWatch: OOMWatch
        do throws(SandboxError) {
            if let standby = admission.standby {
                process = standby.process
                do throws(SandboxError) {
                    try writeScript(in: runDirectory, request: request)
                } catch {
                    // Unused: it ends, and the run's slot and lane wait for it to be reaped.
                    process.abandon()
                    logger.error(
                        "Cannot start a run",
                        metadata: ["warden.run.id": "\(id)", "warden.error": "\(error)"]
                    )
                    return (
                        RunResult(unstarted: .sandboxError, duration: clock.now - start, message: error.description),
                        process
                    )
                }
                // A standby waits for its program, then the program's own input, on stdin.
                stdin =
                    LaunchPlan.program(interpreter: interpreter, request: request, timeout: timeout)
                    + (request.stdin ?? [])
                oomWatch = standby.oomWatch
            } else {
                try makeRunDirectory(runDirectory)
                try writeScript(in: runDirectory, request: request)
                let cgroups = try host.cgroups.groups(
                    for: identity,
                    lane: admission.lane,
                    limits: limits(for: request.workspace)
                )
                let plan = LaunchPlan.make(
                    host: host,
                    interpreter: interpreter,
                    request: request,
                    identity: identity,
                    runDirectory: runDirectory,
                    timeout: timeout,
                    cgroups: cgroups
                )
                oomWatch = OOMWatch(groups: cgroups)
                process = try SandboxProcess.spawn(
                    launcher: configuration.launcherPath,
                    arguments: plan.arguments,
                    environment: [],
                    stdinPipe: request.stdin != nil
                )
                stdin = request.stdin ?? []
            }
        } catch {
            logger.error("Cannot start a run", metadata: ["warden.run.id": "\(id)", "warden.error": "\(error)"])
            return (RunResult(unstarted: .sandboxError, duration: clock.now - start, message: error.description), nil)
        }
        process.start(
            stdin: stdin,
            timeout: timeout,
            captureLimit: configuration.captureBytesPerStream,
            hardLimit: configuration.outputHardLimitBytes,
            oomWatch: oomWatch,
            readerOnPipeThread: outputOnPipeThread
        )
        // The next run of this identity finds its sandbox ready (see `scheduleStandby`).
        await register(id, process, nextStandby: (identity, request.workspace, request.language))
        // The pump kills the run at its deadline.
        await withTaskCancellationHandler {
            // With an executor, the body reads each chunk on the pump's thread.
            await withTaskExecutorPreference(process.outputExecutor) {
                await body(RunOutput(stream: process.output))
            }
            process.stopStreaming()
            _ = await process.outcome()
        } onCancel: {
            process.kill(.cancelled)
        }
        let result = RunResult.classify(
            await process.outcome(),
            duration: clock.now - start,
            memoryCgroup: host.cgroups.memory,
            cpuLimit: .seconds(LaunchPlan.cpuLimitSeconds(for: timeout))
        )
        logger.debug(
            "Run finished",
            metadata: [
                "warden.run.id": "\(id)", "warden.run.status": "\(result.status.rawValue)",
                "warden.run.duration_ms": "\(result.duration.milliseconds)",
            ]
        )
        return (result, process)
    }

    /// The limits of a run in `workspace`: a session's memory group also holds its
    /// workspace's tmpfs pages, so it gets the workspace quota on top of the memory limit.
    nonisolated func limits(for workspace: RunRequest.WorkspaceSource) -> SandboxLimits {
        var limits = host.configuration.limits
        if case .session(let workspace) = workspace { limits.memoryBytes += workspace.quota.bytes }
        return limits
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
