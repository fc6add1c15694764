import ArgumentParser
import Glibc
import Logging
import ServiceLifecycle
import UnixSignals
import WardenEngine
import WardenMCP

/// `warden serve`: the MCP server over Streamable HTTP (`/mcp`) and HTTP+SSE (`/sse`).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve MCP over HTTP: Streamable HTTP at /mcp, HTTP+SSE at /sse.",
        discussion: """
            Every option can also come from the environment (WARDEN_HOST, WARDEN_PORT, WARDEN_TOKEN, \
            WARDEN_MAX_SESSIONS, WARDEN_IDLE_TIMEOUT, WARDEN_MAX_RUNS, WARDEN_LOG_LEVEL); flags win.
            """
    )

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

    @Option(help: "Log level.")
    var logLevel: Logger.Level?

    func run() async throws {
        let environment = Environment()
        let level = logLevel ?? environment.string("WARDEN_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
        let logger = CommandLogger.make(level: level)
        var server = ServerConfiguration()
        server.host = host ?? environment.string("WARDEN_HOST") ?? server.host
        server.port = port ?? environment.int("WARDEN_PORT") ?? server.port
        server.token = token ?? environment.string("WARDEN_TOKEN")
        server.maxSessions = maxSessions ?? environment.int("WARDEN_MAX_SESSIONS") ?? server.maxSessions
        if let seconds = idleTimeout ?? environment.int("WARDEN_IDLE_TIMEOUT") {
            server.idleTimeout = .seconds(seconds)
        }
        var sandbox = SandboxConfiguration()
        if let runs = maxRuns ?? environment.int("WARDEN_MAX_RUNS") { sandbox.maxConcurrentRuns = max(1, runs) }

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

/// Reads settings from the process environment.
struct Environment {
    func string(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    func int(_ name: String) -> Int? { string(name).flatMap { Int($0) } }
}
