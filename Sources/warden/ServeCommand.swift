import ArgumentParser
import Configuration
import Glibc
import Logging
import ServiceLifecycle
import SystemPackage
import UnixSignals
import WardenEngine
import WardenMCP

/// `warden serve`: the MCP server over Streamable HTTP (`/mcp`) and HTTP+SSE (`/sse`).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve MCP over HTTP: Streamable HTTP at /mcp, HTTP+SSE at /sse.",
        discussion: """
            Settings come from flags, then the environment (WARDEN_HOST, WARDEN_PORT, WARDEN_TOKEN, \
            WARDEN_MAX_SESSIONS, WARDEN_IDLE_TIMEOUT, WARDEN_MAX_RUNS, WARDEN_MAX_TIMEOUT, WARDEN_MAX_QUEUED, \
            WARDEN_RUN_SHARE, WARDEN_QUEUE_SHARE, WARDEN_CPU_CORES, WARDEN_WORKSPACE_BUDGET, \
            WARDEN_MAX_CONNECTIONS, WARDEN_HEADER_TIMEOUT, WARDEN_REQUEST_TIMEOUT, WARDEN_IDLE_CONNECTION_TIMEOUT, \
            WARDEN_MAX_MESSAGE_DEPTH, WARDEN_MAX_BATCH_ITEMS, WARDEN_MAX_BACKLOG_BYTES, WARDEN_WORKSPACE_THREADS, \
            WARDEN_WORKSPACE_ROOT, WARDEN_WORKSPACE_BYTES, WARDEN_WORKSPACE_ENTRIES, WARDEN_READ_CAP, \
            WARDEN_MAX_IMAGES, WARDEN_MAX_IMAGE_BYTES, WARDEN_STANDBY_SANDBOXES, WARDEN_WARM_STANDBYS, WARDEN_LOG_LEVEL), then a JSON file (--config or WARDEN_CONFIG) such as \
            {"warden": {"port": 8080, "maxSessions": 1000, "idleTimeout": 1800}}, then defaults.
            """
    )

    @Option(help: "A JSON configuration file (keys under \"warden\", as in the environment names).")
    var config: String?

    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default 8080; 0 picks a free one).")
    var port: Int?

    @Option(help: "Bearer token required on every request; mandatory beyond loopback.")
    var token: String?

    @Option(help: "Most sessions at once (default 10000).")
    var maxSessions: Int?

    @Option(help: "Seconds of inactivity before a session expires (default 1800).")
    var idleTimeout: Int?

    @Option(help: "Runs executing at once (default twice the cores).")
    var maxRuns: Int?

    @Option(help: "Directory where session workspaces are mounted (default: in the runtime directory).")
    var workspaceRoot: String?

    @Option(help: "Bytes each session workspace may hold (default 268435456).")
    var workspaceBytes: Int?

    @Option(help: "Entries each session workspace may hold (default 10000).")
    var workspaceEntries: Int?

    @Option(help: "Log level.")
    var logLevel: Logger.Level?

    func run() async throws {
        // Flags win over the environment, the environment over the file, the file over defaults.
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider()]
        if let path = config ?? getenv("WARDEN_CONFIG").map({ String(cString: $0) }) {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
            } catch {
                throw ValidationError("cannot read the configuration file \(path): \(error)")
            }
        }
        let settings = ConfigReader(providers: providers).scoped(to: "warden")
        let level = logLevel ?? settings.string(forKey: "logLevel").flatMap(Logger.Level.init(rawValue:)) ?? .info
        let logger = CommandLogger.make(level: level)
        var server = ServerConfiguration()
        server.host = host ?? settings.string(forKey: "host") ?? server.host
        server.port = port ?? settings.int(forKey: "port") ?? server.port
        server.token = token ?? settings.string(forKey: "token", isSecret: true)
        server.maxSessions = maxSessions ?? settings.int(forKey: "maxSessions") ?? server.maxSessions
        if let seconds = idleTimeout ?? settings.int(forKey: "idleTimeout") { server.idleTimeout = .seconds(seconds) }
        var sandbox = SandboxConfiguration()
        if let runs = maxRuns ?? settings.int(forKey: "maxRuns") { sandbox.maxConcurrentRuns = max(1, runs) }
        if let seconds = settings.int(forKey: "maxTimeout") { sandbox.maxTimeout = .seconds(max(1, seconds)) }
        if let queued = settings.int(forKey: "maxQueued") { sandbox.maxQueuedRuns = max(0, queued) }
        if let share = settings.int(forKey: "runShare") { sandbox.runShare = max(1, share) }
        if let share = settings.int(forKey: "queueShare") { sandbox.queueShare = max(0, share) }
        if let cores = settings.double(forKey: "cpuCores"), cores > 0 { sandbox.limits.cpuCores = min(cores, 1024) }
        sandbox.workspaceRoot = workspaceRoot ?? settings.string(forKey: "workspaceRoot")
        if let bytes = workspaceBytes ?? settings.int(forKey: "workspaceBytes") {
            sandbox.workspaceQuota.bytes = min(max(1 << 20, bytes), 1 << 40)
        }
        if let bytes = settings.int(forKey: "workspaceBudget") { sandbox.workspaceBudgetBytes = max(0, bytes) }
        if let entries = workspaceEntries ?? settings.int(forKey: "workspaceEntries") {
            sandbox.workspaceQuota.entries = min(max(16, entries), 10_000_000)
        }
        if let count = settings.int(forKey: "standbySandboxes") { sandbox.standbySandboxes = max(0, min(count, 256)) }
        sandbox.warmStandbys = settings.bool(forKey: "warmStandbys") ?? sandbox.warmStandbys
        server.readCapBytes = max(4096, min(settings.int(forKey: "readCap") ?? server.readCapBytes, 256 << 10))
        server.maxImages = max(0, min(settings.int(forKey: "maxImages") ?? server.maxImages, 16))
        server.maxImageBytes = max(0, min(settings.int(forKey: "maxImageBytes") ?? server.maxImageBytes, 192 << 10))
        server.maxConnections = max(8, settings.int(forKey: "maxConnections") ?? server.maxConnections)
        server.maxMessageDepth = max(8, min(settings.int(forKey: "maxMessageDepth") ?? server.maxMessageDepth, 256))
        server.maxBatchItems = max(1, min(settings.int(forKey: "maxBatchItems") ?? server.maxBatchItems, 1024))
        server.maxBacklogBytes = max(1 << 20, settings.int(forKey: "maxBacklogBytes") ?? server.maxBacklogBytes)
        server.workspaceThreads = max(1, min(settings.int(forKey: "workspaceThreads") ?? server.workspaceThreads, 64))
        if let seconds = settings.double(forKey: "headerTimeout"), seconds > 0 {
            server.headerTimeout = .seconds(seconds)
        }
        if let seconds = settings.double(forKey: "requestTimeout"), seconds > 0 {
            server.requestTimeout = .seconds(seconds)
        }
        if let seconds = settings.double(forKey: "idleConnectionTimeout"), seconds > 0 {
            server.idleConnectionTimeout = .seconds(seconds)
        }

        WardenServer.raiseDescriptorLimit()
        let host = try SandboxHost.prepare(sandbox, logger: logger)
        defer { host.cleanUp() }
        logger.info(
            "Sandbox layers",
            metadata: [
                "warden.layers": "\(host.layers.layers.filter(\.available).map(\.name).joined(separator: ","))",
                "warden.interpreters": "\(host.catalog.languages.map(\.rawValue).joined(separator: ","))",
            ]
        )
        if let missing = host.layers.missingRequired.first {
            logger.error(
                "A required isolation layer is missing; runs will be refused",
                metadata: ["warden.layer": "\(missing.name)"]
            )
        }
        let supervisor = Supervisor(host: host, logger: logger)
        let address = server.host
        let wardenServer = try WardenServer(configuration: server, supervisor: supervisor, logger: logger) { port in
            logger.info("Listening", metadata: ["warden.address": "\(address):\(port)"])
        }
        var group = ServiceGroupConfiguration(
            services: wardenServer.services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // SIGTERM: stop accepting, kill running children, close streams, and exit in bounded time.
        group.maximumGracefulShutdownDuration = .seconds(10)
        group.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: group).run()
    }
}
