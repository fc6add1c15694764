import Foundation
import Logging
import MCP
import Synchronization
import WardenEngine

/// One MCP session: its transport, who created it, its running calls and, once a message
/// needs it, its SDK `Server`.
///
/// The session answers the messages every client sends itself (`initialize`, `ping`,
/// `tools/list`, a lone `tools/call`; see `receive(_:route:)`). The SDK server, with its
/// message loop task (6 KiB a session, measured), is made and started only when something
/// else arrives: resources, `logging/setLevel`, a batch, an unknown method. It runs in the
/// SDK's lenient mode, so it serves a session it did not see initialize.
final class MCPSession: Sendable {
    let id: String
    /// Who may use the session: a digest of the bearer token that created it.
    let principal: String
    let transport: SessionTransport
    /// The session's private files, mounted at /workspace in each of its runs.
    let workspace: Workspace
    let logger: Logger
    /// The session's blocking workspace jobs run one at a time (see ``WorkspaceWorkers``).
    let gate = SerialGate()
    private let state = Mutex(State())

    private struct State {
        var lastActive = ContinuousClock.now
        var logLevel: LogLevel?
        /// Calls the SDK server runs (batched ones), by number: how to cancel each.
        var sdkCalls: [Int: @Sendable () -> Void] = [:]
        var nextCall = 0
        var runs = 0
        /// Set by `start(tools:)`.
        var tools: Toolbox?
        /// `tools/call` requests run without the SDK (see `receive(_:)`), by request id key.
        var directCalls: [String: Task<Void, Never>] = [:]
        /// Set by ``close()``: no call starts after it.
        var closed = false
        /// An HTTP+SSE session's one stream, where every message goes.
        var legacyRoute: NotificationRoute?
        /// Set by the first `initialize`: a second one is refused.
        var initialized = false
        /// The protocol version the first `initialize` negotiated.
        var protocolVersion: String?
        /// The SDK server, made the first time a message needs it.
        var sdk: Task<Server, any Error>?
    }

    static let info = Server.Info(name: "warden", version: WardenVersion.current)
    static let capabilities = Server.Capabilities(
        logging: .init(),
        resources: .init(subscribe: false, listChanged: false),
        tools: .init(listChanged: false)
    )
    static let instructions = """
        Runs code in a sandbox with run_code (output streams as progress notifications). The session \
        has a private /workspace that persists across calls: write_file, read_file, list_files, \
        edit_file, delete_file and move_file work on it, and its files are also resources.
        """

    init(
        id: String,
        principal: String,
        mode: SessionTransport.Mode,
        limits: EventStream.BacklogLimits = .init(),
        workspace: Workspace,
        logger: Logger
    ) {
        self.id = id
        self.principal = principal
        self.workspace = workspace
        self.logger = logger
        self.transport = SessionTransport(mode: mode, limits: limits, logger: logger)
    }

    /// Makes the session ready for messages; its tools answer every call.
    func start(tools: Toolbox) {
        self.tools = tools
    }

    /// Marks the session initialized at the protocol version it negotiated; `false` when it
    /// already was.
    func markInitialized(version: String) -> Bool {
        state.withLock { state in
            guard !state.initialized else { return false }
            state.initialized = true
            state.protocolVersion = version
            return true
        }
    }

    /// The only protocol version with JSON-RPC batches: 2025-03-26 added them, 2025-06-18
    /// removed them.
    static let batchingVersion = "2025-03-26"

    /// Whether the session may send JSON-RPC batches: only when it negotiated
    /// ``batchingVersion`` (a session that never initialized has no version, so none).
    var acceptsBatches: Bool { state.withLock { $0.protocolVersion == Self.batchingVersion } }

    /// Whether the SDK server was made (for tests: the common messages must not need it).
    var hasSDKServer: Bool { state.withLock { $0.sdk != nil } }

    /// The session's SDK server, made and started the first time it is needed; `nil` once the
    /// session is closed or when it cannot start.
    func sdkServer() async -> Server? {
        let task = state.withLock { state -> Task<Server, any Error>? in
            guard !state.closed, let tools = state.tools else { return nil }
            if state.sdk == nil { state.sdk = Task { try await self.makeSDKServer(tools: tools) } }
            return state.sdk
        }
        do {
            return try await task?.value
        } catch {
            logger.error("Cannot start the MCP server of a session", metadata: ["warden.error": "\(error)"])
            return nil
        }
    }

    var lastActive: ContinuousClock.Instant { state.withLock { $0.lastActive } }
    func touch() { state.withLock { $0.lastActive = .now } }

    var logLevel: LogLevel? {
        get { state.withLock { $0.logLevel } }
        set { state.withLock { $0.logLevel = newValue } }
    }

    var legacyRoute: NotificationRoute? {
        get { state.withLock { $0.legacyRoute } }
        set { state.withLock { $0.legacyRoute = newValue } }
    }

    var tools: Toolbox? {
        get { state.withLock { $0.tools } }
        set { state.withLock { $0.tools = newValue } }
    }

    /// Runs `body` on the direct calls in flight, under the session's lock; `nil` once the
    /// session is closed (nothing may start then).
    func withDirectCalls<R>(_ body: (inout [String: Task<Void, Never>]) -> R) -> R? {
        state.withLock { $0.closed ? nil : body(&$0.directCalls) }
    }

    /// The next run's number in this session (names its saved output files).
    func nextRun() -> Int {
        state.withLock { state in
            state.runs += 1
            return state.runs
        }
    }

    /// Calls still running (a closed session's are being killed and reaped).
    var activeCalls: Int { state.withLock { $0.directCalls.count + $0.sdkCalls.count } }

    /// A direct call has returned (closed session or not); idle time counts from now.
    func endDirectCall(_ key: String) {
        state.withLock { state in
            state.directCalls[key] = nil
            state.lastActive = .now
        }
    }

    /// Runs `body` (a call the SDK server handles) in a task that closing the session cancels,
    /// as it cancels direct calls: cancellation is what kills a run.
    func cancelledOnClose<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let (number, closed) = state.withLock { state in
            state.nextCall += 1
            state.sdkCalls[state.nextCall] = { task.cancel() }
            return (state.nextCall, state.closed)
        }
        if closed { task.cancel() }
        defer {
            state.withLock { state in
                state.sdkCalls[number] = nil
                state.lastActive = .now
            }
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Ends the session: every running call is cancelled (its run killed), streams close.
    /// The calls stay tracked until they return, so ``activeCalls`` says when they are reaped.
    func close() async {
        let (sdkCalls, direct) = state.withLock { state in
            state.closed = true
            return (Array(state.sdkCalls.values), Array(state.directCalls.values))
        }
        for cancel in sdkCalls { cancel() }
        for task in direct { task.cancel() }
        await transport.close()
        if let server = try? await state.withLock({ $0.sdk })?.value { await server.stop() }
    }
}

/// The version reported in `initialize` and `/healthz`.
public enum WardenVersion {
    public static let current = "0.2.0"
}
