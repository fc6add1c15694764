import Hummingbird
import HummingbirdTesting
import Logging
import WardenEngine

@testable import WardenMCP

/// A real `WardenServer` on an ephemeral port with the real sandbox behind it, for the live
/// tests: built, run for `body`, then closed with its sessions, workspaces and threads.
enum LiveServer {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func with(
        identityBase: UInt32,
        sandbox configureSandbox: (inout SandboxConfiguration) -> Void = { _ in },
        configuration configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, WardenServer) async throws -> Void
    ) async throws {
        var sandbox = SandboxConfiguration()
        sandbox.identityBase = identityBase
        sandbox.maxConcurrentRuns = 4
        configureSandbox(&sandbox)
        let host = try SandboxHost.prepare(sandbox, logger: logger)
        defer { host.cleanUp() }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configure(&configuration)
        let server = try WardenServer(
            configuration: configuration,
            supervisor: Supervisor(host: host, logger: logger),
            logger: logger
        )
        try await server.application.test(.live) { client in try await body(client, server) }
        await server.registry.closeAll()
        try await server.workers.shutDown()
    }
}
