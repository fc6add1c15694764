import Glibc
import Logging

/// The supervisor's standby sandboxes (see ``Standby``): built ahead for the next run of an
/// identity, claimed by that run, discarded when unused, capped, expired, or retired with
/// their workspace.
extension Supervisor {
    /// Closes `workspace` (its file operations fail from now on, and no standby is built for
    /// it again), discards the standby built for it and waits until that is gone. Call it once
    /// the session's runs are over and before the workspace is deleted, so no sandbox
    /// outlives its workspace or holds its uid when a new session takes it.
    /// - Returns: whether every sandbox of the workspace's uid is gone; when one is still
    ///   being torn down after 10 s, the caller must not hand the uid to anyone else.
    @discardableResult
    public func retire(_ workspace: Workspace) async -> Bool {
        workspace.close()
        if standbys[workspace.identity]?.workspacePath == workspace.path { discardStandby(of: workspace.identity) }
        await settleDiscards()
        // A run's result can come before its sandbox is torn down: wait (10 s at most) until
        // every sandbox of this uid is reaped and its lane released.
        let deadline = ContinuousClock.now + .seconds(10)
        while lanes[workspace.identity] != nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return lanes[workspace.identity] == nil
    }

    /// Discards every standby (and those scheduled) and waits until they are gone.
    public func discardStandbys() async {
        cancelScheduledStandbys()
        for identity in Array(standbys.keys) { discardStandby(of: identity) }
        await settleDiscards()
    }

    /// Builds a standby for the first run in `workspace` (a new session's), so that run is
    /// as quick as the later ones; with `language`'s interpreter started in it when that is
    /// the language its first run most likely has (a run in another takes a sandbox of its own).
    /// Only while there is room: a burst of new sessions must not churn the standbys of the
    /// sessions that run code.
    public func prepare(for workspace: Workspace, language: Language? = nil) {
        guard standbys.count < host.configuration.standbySandboxes else { return }
        prepareStandby(workspace.identity, for: .session(workspace), warm: language)
    }

    /// How long a run goes on before the next standby of its identity is built; sooner if the
    /// run ends. Building one (~4 ms of kernel work) beside a run's start-up slows that run:
    /// beside `echo` it delayed the first output by 0.7 ms, and beside Python's ~40 ms start
    /// (built at 10 ms) by 0.6–2.0 ms, on 2 cores. Past any interpreter's start-up, a long run
    /// still finds its next standby ready at its end (a warm one's Python start, ~45 ms of
    /// CPU, then runs beside it).
    static let standbyDelay: Duration = .milliseconds(100)

    /// How long after a shorter run's end its next standby is built: long enough for the
    /// run's result to reach its caller first. Built at the end itself, the launcher's spawn
    /// on the supervisor's thread and its ~4 ms of kernel work took the CPU the result's
    /// last steps (the HTTP response) were waiting for. A call that comes sooner runs in a
    /// sandbox built for it, which costs about what waiting for that build would.
    static let resultDelay: Duration = .milliseconds(2)

    /// A standby to build for the next run of an identity, once the run `after` is over.
    struct ScheduledStandby {
        let identity: UInt32
        let workspace: RunRequest.WorkspaceSource
        /// The language of the run before: the next one most likely has it too.
        let language: Language
        var timer: Task<Void, Never>
    }

    /// Schedules the standby for the next run of `identity`: built ``resultDelay`` after run
    /// `id` ends, or once it has gone on for ``standbyDelay``.
    func scheduleStandby(
        _ identity: UInt32,
        for workspace: RunRequest.WorkspaceSource,
        language: Language,
        after id: RunID
    ) {
        scheduledStandbys[id] = ScheduledStandby(
            identity: identity,
            workspace: workspace,
            language: language,
            timer: buildTimer(after: id, in: Self.standbyDelay)
        )
    }

    /// Builds the standby scheduled after run `id` in `delay`, unless the timer is cancelled.
    private func buildTimer(after id: RunID, in delay: Duration) -> Task<Void, Never> {
        Task {
            try? await Task.sleep(for: delay)
            // Checked on the supervisor, so a timer cancelled while it waited for its turn
            // there (replaced at its run's end, say) builds nothing.
            guard !Task.isCancelled else { return }
            self.buildScheduledStandby(after: id)
        }
    }

    /// Builds the standby scheduled after run `id` (its timer's last step), unless it was
    /// dropped.
    func buildScheduledStandby(after id: RunID) {
        guard let scheduled = scheduledStandbys.removeValue(forKey: id) else { return }
        prepareStandby(scheduled.identity, for: scheduled.workspace, warm: scheduled.language)
    }

    /// Run `id` is over: its scheduled standby, unless already built, is built once its
    /// result is out (see ``resultDelay``), or dropped.
    func endScheduledStandby(after id: RunID, building: Bool) {
        guard var scheduled = scheduledStandbys.removeValue(forKey: id) else { return }
        scheduled.timer.cancel()
        guard building else { return }
        scheduled.timer = buildTimer(after: id, in: Self.resultDelay)
        scheduledStandbys[id] = scheduled
    }

    func cancelScheduledStandbys() {
        for scheduled in scheduledStandbys.values { scheduled.timer.cancel() }
        scheduledStandbys = [:]
    }

    /// The number of standbys ready now.
    public var standbyCount: Int { standbys.count }

    private func settleDiscards() async {
        for task in Array(discarding.values) { await task.value }
    }

    func discardStandby(of identity: UInt32) {
        guard let standby = standbys.removeValue(forKey: identity) else { return }
        let id = allocateID()
        discarding[id] = Task {
            await standby.discard()
            self.discarded(standby, id)
        }
    }

    private func discarded(_ standby: Standby, _ id: RunID) {
        releaseLane(standby.identity, standby.lane)
        discarding[id] = nil
    }

    func expireStandbys() {
        let idle = host.configuration.standbyIdleTime
        for (identity, standby) in standbys where ContinuousClock.now - standby.created > idle {
            discardStandby(of: identity)
        }
    }

    /// Takes the standby of `identity` when it fits the request; otherwise a free lane.
    func claim(_ identity: UInt32, for request: RunRequest) -> (Int, Standby?) {
        if let standby = standbys[identity] {
            if standby.fits(request) {
                standbys[identity] = nil
                return (standby.lane, standby)
            }
            discardStandby(of: identity)
        }
        return (acquireLane(identity), nil)
    }

    /// Builds the standby for the next run of `identity`, unless one exists, the workspace is
    /// closing, or standbys are off; the oldest one gives way at the cap. With `warm`, the
    /// interpreter of that language is started in it, when it has a warm start (see
    /// ``WarmStart``) and ``SandboxConfiguration/warmStandbys`` is on.
    func prepareStandby(_ identity: UInt32, for workspace: RunRequest.WorkspaceSource, warm: Language?) {
        let configuration = host.configuration
        guard isAccepting, configuration.standbySandboxes > 0, standbys[identity] == nil else { return }
        if case .session(let workspace) = workspace, !workspace.isOpen { return }
        while standbys.count >= configuration.standbySandboxes,
            let oldest = standbys.values.min(by: { $0.created < $1.created })
        {
            discardStandby(of: oldest.identity)
        }
        let lane = acquireLane(identity)
        let runDirectory = newRunDirectoryPath("standby-")
        do {
            try makeRunDirectory(runDirectory)
            let cgroups = try host.cgroups.groups(for: identity, lane: lane, limits: limits(for: workspace))
            // Read before the launcher reads its own baseline: nothing runs here until the
            // standby takes a program but a warm standby's interpreter, whose start is the
            // program's too, so a later change is that program's OOM kill.
            let oomWatch = OOMWatch(groups: cgroups)
            let interpreter = configuration.warmStandbys ? warm.flatMap { host.catalog.interpreters[$0] } : nil
            let warmPlan = interpreter.flatMap {
                LaunchPlan.warm(
                    host: host,
                    interpreter: $0,
                    workspace: workspace,
                    identity: identity,
                    runDirectory: runDirectory,
                    cgroups: cgroups
                )
            }
            let plan =
                warmPlan
                ?? LaunchPlan.standby(
                    host: host,
                    workspace: workspace,
                    identity: identity,
                    runDirectory: runDirectory,
                    cgroups: cgroups
                )
            let process = try SandboxProcess.spawn(
                launcher: configuration.launcherPath,
                arguments: plan.arguments,
                environment: [],
                stdinPipe: true
            )
            var path: String? = nil
            if case .session(let workspace) = workspace { path = workspace.path }
            standbys[identity] = Standby(
                identity: identity,
                lane: lane,
                workspacePath: path,
                runDirectory: runDirectory,
                oomWatch: oomWatch,
                process: process,
                warm: warmPlan == nil ? nil : warm
            )
        } catch {
            releaseLane(identity, lane)
            removeTree(runDirectory)
            logger.warning("Cannot build a standby sandbox", metadata: ["warden.error": "\(error)"])
        }
    }
}
