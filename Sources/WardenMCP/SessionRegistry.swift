import Foundation
import Logging
public import ServiceLifecycle
import WardenEngine

/// Creates, finds, expires and caps the server's sessions.
public actor SessionRegistry: Service {
    private var sessions: [String: MCPSession] = [:]
    /// Set by ``closeAll()``: no session (and no workspace) is created after it.
    private var closed = false
    private let maxSessions: Int
    private let idleTimeout: Duration
    private let keepAliveInterval: Duration
    private let backlogLimits: EventStream.BacklogLimits
    private let logger: Logger
    let workspaces: WorkspaceStore
    /// Keeps sandboxes ready for the sessions' workspaces; told when one is deleted.
    private let supervisor: Supervisor

    init(
        maxSessions: Int,
        idleTimeout: Duration,
        keepAliveInterval: Duration,
        backlogLimits: EventStream.BacklogLimits = .init(),
        workspaces: WorkspaceStore,
        supervisor: Supervisor,
        logger: Logger
    ) {
        self.maxSessions = maxSessions
        self.workspaces = workspaces
        self.supervisor = supervisor
        self.idleTimeout = idleTimeout
        self.keepAliveInterval = keepAliveInterval
        self.backlogLimits = backlogLimits
        self.logger = logger
    }

    /// Keeps idle SSE streams alive and expires idle sessions until shutdown, then closes
    /// every session (their runs are killed, their streams end).
    public func run() async throws {
        let interval = min(keepAliveInterval, idleTimeout / 4)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await self.tick()
            }
        }
        await closeAll()
    }

    private func tick() async {
        for session in sessions.values { await session.transport.keepAlive() }
        await expire()
    }

    var count: Int { sessions.count }

    /// A new session with its own workspace.
    /// - Throws: ``SandboxError`` (`busy`) at the session cap, or when no workspace can be made.
    func create(principal: String, mode: SessionTransport.Mode, tools: Toolbox) async throws -> MCPSession {
        guard !closed else { throw SandboxError(.shuttingDown, "The server is shutting down") }
        guard sessions.count < maxSessions else {
            throw SandboxError(.busy, "Too many sessions; try again later")
        }
        let workspace: Workspace
        do {
            workspace = try workspaces.create()
        } catch {
            logger.error("Cannot create a workspace", metadata: ["warden.error": "\(error)"])
            throw error
        }
        let session = MCPSession(
            id: Self.newID(),
            principal: principal,
            mode: mode,
            limits: backlogLimits,
            workspace: workspace,
            logger: logger
        )
        sessions[session.id] = session
        session.start(tools: tools)
        // Its first run finds a sandbox ready, built off this request's path, with Python
        // (run_code's default language) started in it: an agent's first call usually comes
        // seconds after it connects.
        Task { [supervisor] in await supervisor.prepare(for: workspace, language: .python) }
        logger.debug("Session opened", metadata: ["mcp.session.id": "\(session.id)"])
        return session
    }

    func session(_ id: String, principal: String) -> MCPSession?? {
        guard let session = sessions[id] else { return .none }
        guard RequestGuard.constantTimeEqual(session.principal, principal) else { return .some(nil) }
        session.touch()
        return .some(session)
    }

    /// Closes and forgets a session; its runs are killed and its workspace deleted.
    func remove(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.close()
        await Self.reap([session])
        let reaped = await supervisor.retire(session.workspace)
        if !reaped {
            logger.error("A sandbox outlived its session; its uid is not reused", metadata: ["mcp.session.id": "\(id)"])
        }
        workspaces.remove(session.workspace, identityFree: reaped)
        logger.debug("Session closed", metadata: ["mcp.session.id": "\(id)"])
    }

    /// Waits until the closed sessions' runs are reaped, so their uids and memory groups are
    /// free before another session takes them: at most 5 s (a kill takes effect within the
    /// launcher's grace), and not at all once the waiting task is cancelled.
    private static func reap(_ closed: [MCPSession]) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while closed.contains(where: { $0.activeCalls > 0 }), ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    func expire() async {
        let now = ContinuousClock.now
        // A session with a call still running is not idle, however long the run takes.
        for (id, session) in sessions where now - session.lastActive > idleTimeout && session.activeCalls == 0 {
            await remove(id)
        }
    }

    /// Closes every session and deletes every workspace; later creations are refused. All
    /// sessions close first and their runs are awaited together, within one deadline.
    func closeAll() async {
        closed = true
        let closing = Array(sessions.values)
        sessions = [:]
        for session in closing { await session.close() }
        await Self.reap(closing)
        for session in closing { await supervisor.retire(session.workspace) }
        workspaces.removeAll()
        logger.debug("Sessions closed", metadata: ["mcp.sessions": "\(closing.count)"])
    }

    /// 128 bits from the system CSPRNG, as 32 hex digits.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
