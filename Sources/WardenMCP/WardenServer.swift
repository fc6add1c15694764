import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdCore
public import Logging
public import ServiceLifecycle
import Synchronization
public import WardenEngine

/// The `warden serve` application: routes, request guard, sessions and the supervisor.
public struct WardenServer: Sendable {
    /// The HTTP application (routes and request guard).
    public let application: Application<WardenResponder>
    public let registry: SessionRegistry
    public let supervisor: Supervisor
    public let workers: WorkspaceWorkers

    /// The services to run, in the order that makes shutdown clean: a `ServiceGroup` stops them
    /// in reverse, so sessions close first (their runs are killed and their SSE streams end),
    /// then the HTTP server has nothing left to wait for, then the supervisor kills stragglers,
    /// then the workspace threads stop.
    public var services: [any Service] { [workers, supervisor, application, registry] }

    /// - Parameter onRunning: called with the bound port once the server listens (port 0 binds
    ///   an ephemeral one).
    /// - Throws: when asked to listen beyond loopback without a token, or when session
    ///   workspaces cannot be mounted (no CAP_SYS_ADMIN).
    public init(
        configuration: ServerConfiguration,
        supervisor: Supervisor,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        guard configuration.bindsLoopbackOnly || configuration.token != nil else {
            throw SandboxError(
                .invalidRequest,
                "refusing to listen on \(configuration.host) without --token: only loopback may go without one"
            )
        }
        // Descriptors: half for connections, the rest for sessions (each holds its
        // workspace's) beside runs and standbys (a few pipes and a pidfd each).
        let descriptors = Self.descriptorLimit()
        let engine = supervisor.host.configuration
        let runDescriptors = 8 * (engine.maxConcurrentRuns + engine.standbySandboxes) + 256
        let maxSessions = max(1, min(configuration.maxSessions, descriptors / 2 - runDescriptors))
        if maxSessions < configuration.maxSessions {
            logger.warning(
                "Fewer sessions than configured: the file descriptor limit is too low",
                metadata: ["warden.sessions": "\(maxSessions)", "warden.descriptors": "\(descriptors)"]
            )
        }
        // Every session needs a workspace: fail now, clearly, rather than refuse each session.
        // A little more room than sessions: a removed session's workspace is freed only once
        // its runs are reaped, and a new session must not be refused meanwhile.
        let workspaces = try WorkspaceStore(host: supervisor.host, capacity: maxSessions + 64)
        workspaces.remove(try workspaces.create())
        let registry = SessionRegistry(
            maxSessions: maxSessions,
            idleTimeout: configuration.idleTimeout,
            keepAliveInterval: configuration.keepAliveInterval,
            backlogLimits: EventStream.BacklogLimits(
                droppable: configuration.droppableBacklogBytes,
                hard: configuration.maxBacklogBytes
            ),
            workspaces: workspaces,
            supervisor: supervisor,
            logger: logger
        )
        var files = FileTools()
        files.readCapBytes = configuration.readCapBytes
        var artifacts = ArtifactLimits()
        artifacts.maxImages = configuration.maxImages
        artifacts.maxImageBytes = configuration.maxImageBytes
        let workers = WorkspaceWorkers(threads: configuration.workspaceThreads)
        let tools = Toolbox(
            runCode: RunCodeTool(supervisor: supervisor, languages: supervisor.host.catalog.languages),
            files: files,
            artifacts: artifacts,
            workers: workers
        )
        let connections = ConnectionTable(limit: min(configuration.maxConnections, descriptors / 2))
        let timeouts = ConnectionDeadlines.Timeouts(
            header: configuration.headerTimeout,
            request: configuration.requestTimeout,
            idle: configuration.idleConnectionTimeout
        )
        let port = BoundPort(configuration.port)
        let responder = WardenResponder(
            requestGuard: RequestGuard(configuration: configuration, port: port),
            streamable: StreamableHTTPRoutes(registry: registry, tools: tools, configuration: configuration),
            legacy: LegacySSERoutes(registry: registry, tools: tools, configuration: configuration),
            health: HealthRoute(supervisor: supervisor, registry: registry)
        )
        self.registry = registry
        self.supervisor = supervisor
        self.workers = workers
        self.application = Application(
            responder: responder,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        ReceiveBufferSizer(), ClientCloseWatcher.Installer(),
                        ConnectionDeadlines(timeouts: timeouts, table: connections),
                    ]
                )
            ),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "warden",
                // A backstop behind the table's shedding: accepting pauses before the
                // descriptors run out.
                availableConnectionsDelegate: MaximumAvailableConnections(connections.limit + 64)
            ),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? configuration.port
                port.set(bound)
                await onRunning(bound)
            },
            logger: logger
        )
    }
}

extension WardenServer {
    /// The file descriptors this process may open (RLIMIT_NOFILE's soft limit).
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: min(limit.rlim_cur, 1 << 20))
    }

    /// Raises the soft file-descriptor limit to the hard one (the server's connections,
    /// sessions and runs all hold descriptors); returns the limit now in force.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return descriptorLimit()
    }
}

/// The port the server actually bound (known only once it listens when configured as 0).
final class BoundPort: Sendable {
    private let value: Mutex<Int>
    init(_ port: Int) { value = Mutex(port) }
    func set(_ port: Int) { value.withLock { $0 = port } }
    var current: Int { value.withLock { $0 } }
}
