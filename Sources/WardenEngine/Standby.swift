/// A sandbox built before its run: a `warden-launch --standby` that has made its namespaces,
/// root, cgroup membership and every restriction, and waits for the program on stdin; or,
/// warm, a launch of an interpreter whose loader waits for it (see ``WarmStart``).
///
/// Building a sandbox costs ~4 ms (a network namespace alone is 0.6 ms here), almost all of
/// it independent of the code to run, so the ``Supervisor`` keeps one ready per identity that
/// ran recently and hands it the next run of that identity. Each is used once: its namespaces
/// and tmpfs never see a second run.
final class Standby: Sendable {
    let identity: UInt32
    /// The cgroup leaf it sits in; held in the supervisor's lanes until it is reaped.
    let lane: Int
    /// The session workspace bound at /workspace, or `nil` for a one-off run's tmpfs.
    let workspacePath: String?
    /// Bound read-only at /run/warden; the run's script is written here when it arrives.
    let runDirectory: String
    /// Its cgroup leaves and their OOM kills as the launcher saw them at its start (no run
    /// has used them since).
    let oomWatch: OOMWatch
    let process: SandboxProcess
    /// The language whose interpreter was started in it (see ``WarmStart``), if any.
    let warm: Language?
    let created = ContinuousClock.now

    init(
        identity: UInt32,
        lane: Int,
        workspacePath: String?,
        runDirectory: String,
        oomWatch: OOMWatch,
        process: SandboxProcess,
        warm: Language? = nil
    ) {
        self.identity = identity
        self.lane = lane
        self.workspacePath = workspacePath
        self.runDirectory = runDirectory
        self.oomWatch = oomWatch
        self.process = process
        self.warm = warm
    }

    /// Whether it can take `request`: built for its workspace, still alive (the launcher and
    /// the process waiting for the program), and, when an interpreter was started in it, one
    /// the loader runs itself (that language, no `env` argument). Its loader could exec any
    /// other, but the run's CPU time and peak memory would then count the interpreter's too.
    func fits(_ request: RunRequest) -> Bool {
        if let warm, warm != request.language || !request.environment.isEmpty { return false }
        switch request.workspace {
        case .ephemeral: guard workspacePath == nil else { return false }
        case .session(let workspace): guard workspacePath == workspace.path, workspace.isOpen else { return false }
        }
        return !process.hasExited && process.stdinHasReader
    }

    /// Ends it unused; returns when nothing of it is left.
    func discard() async {
        process.abandon()
        _ = await process.outcome()
        removeTree(runDirectory)
    }
}
