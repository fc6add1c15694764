/// Admission: which slot a run takes, when it waits, and who starts when a slot frees (the
/// policy is ``AdmissionStateMachine``'s; this applies it to the actor's state).
extension Supervisor {
    /// The lowest leaf number no running run of `identity` uses: one per concurrent run of a
    /// session (usually just 0), so the cgroups stay about one per session, not per slot.
    func acquireLane(_ identity: UInt32) -> Int {
        var used = lanes[identity] ?? []
        let lane = (0...).first { !used.contains($0) }!
        used.insert(lane)
        lanes[identity] = used
        return lane
    }

    func releaseLane(_ identity: UInt32, _ lane: Int) {
        lanes[identity]?.remove(lane)
        if lanes[identity]?.isEmpty == true { lanes[identity] = nil }
    }

    func allocateID() -> RunID {
        defer { nextID += 1 }
        return nextID
    }

    /// Admits a run (waiting in the queue when every slot is taken) and claims its identity's
    /// standby, in one hop onto the actor; `nil` when it was cancelled while queued.
    func admit(_ request: RunRequest) async throws(SandboxError) -> Admission? {
        let id = allocateID()
        guard let slot = try await admit(id, owners: owners(of: request)) else { return nil }
        // A session's runs all take its workspace's uid, so each can change what the last one
        // wrote; one-off runs take their slot's.
        let identity: UInt32
        switch request.workspace {
        case .ephemeral: identity = host.configuration.identityBase + UInt32(slot)
        case .session(let workspace): identity = workspace.identity
        }
        let (lane, standby) = claim(identity, for: request)
        return Admission(
            id: id,
            identity: identity,
            lane: lane,
            standby: standby,
            runDirectory: standby?.runDirectory ?? newRunDirectoryPath("run-")
        )
    }

    /// Whom a run counts against for the fair shares: its session's workspace (every run in
    /// one, whatever asked for it), then the owners the caller named (a principal).
    nonisolated func owners(of request: RunRequest) -> [String] {
        var owners: [String] = []
        if case .session(let workspace) = request.workspace { owners.append("workspace:\(workspace.identity)") }
        return owners + request.owners
    }

    /// Returns the run's slot, or `nil` when it was cancelled while queued.
    func admit(_ id: RunID, owners: [String]) async throws(SandboxError) -> Int? {
        guard case .accepting(var machine) = state else {
            throw SandboxError(.shuttingDown, "the supervisor is shutting down")
        }
        let action = machine.request(id, owners: owners)
        state = .accepting(machine)
        switch action {
        case .start(let slot): return slot
        case .rejectBusy:
            throw SandboxError(
                .busy,
                "all \(machine.maxRunning) run slots and \(machine.maxQueued) queue places are taken; retry later"
            )
        case .rejectShareExhausted:
            throw SandboxError(
                .busy,
                "this session has \(machine.queueShare) runs waiting, its share of the queue, behind its \(machine.runShare) running; retry when one ends"
            )
        case .rejectShuttingDown: throw SandboxError(.shuttingDown, "the supervisor is shutting down")
        case .enqueue:
            return await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    if Task.isCancelled {
                        dropQueued(id)
                        continuation.resume(returning: nil)
                    } else {
                        waiting[id] = continuation
                    }
                }
            } onCancel: {
                Task { await self.cancelQueued(id) }
            }
        }
    }

    func dropQueued(_ id: RunID) {
        guard case .accepting(var machine) = state else { return }
        _ = machine.cancelQueued(id)
        state = .accepting(machine)
    }

    func cancelQueued(_ id: RunID) {
        guard let continuation = waiting.removeValue(forKey: id) else { return }
        dropQueued(id)
        continuation.resume(returning: nil)
    }

    /// The run's sandbox is gone: its lane and admission slot go to the next run.
    func release(_ admission: Admission) {
        releaseLane(admission.identity, admission.lane)
        guard case .accepting(var machine) = state else { return }
        let started = machine.finish(admission.id)
        state = .accepting(machine)
        for start in started { waiting.removeValue(forKey: start.id)?.resume(returning: start.slot) }
    }
}
