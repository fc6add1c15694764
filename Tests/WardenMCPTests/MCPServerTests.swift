import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MCP
import NIOCore
import Testing
import WardenEngine

@testable import WardenMCP

/// The MCP server over real HTTP on an ephemeral port, with the real sandbox behind it.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MCPServerTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    static let sessionHeader = HTTPField.Name("Mcp-Session-Id")!
    static let jsonHeaders: HTTPFields = [
        .contentType: "application/json", .accept: "application/json, text/event-stream",
    ]

    /// Runs `body` against a live server built with `configure`.
    func withServer(
        configuration configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await withServer(configuration: configure) { client, _ in try await body(client) }
    }

    /// Runs `body` against a live server built with `configure`, given the server too (its
    /// registry and supervisor).
    func withServer(
        configuration configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, WardenServer) async throws -> Void
    ) async throws {
        try await LiveServer.with(identityBase: 310_000, configuration: configure, body)
    }

    static func post(
        _ client: some TestClientProtocol,
        _ json: String,
        session: String? = nil,
        headers: HTTPFields = jsonHeaders
    )
        async throws -> TestResponse
    {
        var headers = headers
        if let session { headers[sessionHeader] = session }
        return try await client.execute(uri: "/mcp", method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    /// Opens a session and returns its id.
    static func initialize(_ client: some TestClientProtocol, headers: HTTPFields = jsonHeaders) async throws -> String
    {
        let response = try await post(
            client,
            """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}
            """,
            headers: headers
        )
        #expect(response.status == .ok)
        let id = try #require(response.headers[sessionHeader])
        _ = try await post(
            client,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            session: id,
            headers: headers
        )
        return id
    }

    /// The JSON objects in an SSE body, in order.
    static func events(_ response: TestResponse) -> [[String: Any]] {
        let text = String(buffer: response.body)
        return text.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard line.hasPrefix("data: ") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any]
        }
    }

    static func error(_ response: TestResponse) -> Int? {
        let object =
            (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? Int
    }

    @Test func healthReportsLayersAndInterpreters() async throws {
        try await withServer { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            let body = String(buffer: response.body)
            #expect(body.contains("\"seccomp\""))
            #expect(body.contains("\"python\""))
            #expect(body.contains("\"status\":\"ok\""))
        }
    }

    @Test func initializeListToolsAndRunCodeWithProgress() async throws {
        try await withServer { client in
            let session = try await Self.initialize(client)
            #expect(session.count == 32 && session.allSatisfy(\.isHexDigit))
            let list = try await Self.post(client, #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, session: session)
            let tools = Self.events(list).first?["result"] as? [String: Any]
            let tool = (tools?["tools"] as? [[String: Any]])?.first
            #expect(tool?["name"] as? String == "run_code")
            #expect((tool?["inputSchema"] as? [String: Any])?["additionalProperties"] as? Bool == false)
            #expect((tool?["annotations"] as? [String: Any])?["destructiveHint"] as? Bool == true)

            let call = try await Self.post(
                client,
                """
                {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"import sys\\nprint('out')\\nprint('err', file=sys.stderr)\\nsys.exit(2)"},"_meta":{"progressToken":"p1"}}}
                """,
                session: session
            )
            #expect(call.headers[.contentType] == "text/event-stream")
            let events = Self.events(call)
            let progress = events.filter { $0["method"] as? String == "notifications/progress" }
            #expect(progress.count >= 2)
            let streams = progress.compactMap {
                (($0["params"] as? [String: Any])?["_meta"] as? [String: Any])?["stream"] as? String
            }
            #expect(Set(streams) == ["stdout", "stderr"])
            let values = progress.compactMap { ($0["params"] as? [String: Any])?["progress"] as? Double }
            #expect(values == values.sorted() && Set(values).count == values.count)
            let result = try #require(events.last?["result"] as? [String: Any])
            #expect(result["isError"] as? Bool == true)
            let structured = try #require(result["structuredContent"] as? [String: Any])
            #expect(structured["status"] as? String == "failed")
            #expect(structured["exit_code"] as? Int == 2)
            #expect(structured["stdout"] as? String == "out\n")
            #expect(structured["stderr"] as? String == "err\n")
            #expect((result["content"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func noProgressWithoutAToken() async throws {
        try await withServer { client in
            let session = try await Self.initialize(client)
            let call = try await Self.post(
                client,
                """
                {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"print(1)"}}}
                """,
                session: session
            )
            let events = Self.events(call)
            #expect(events.count == 1)
            #expect((events.first?["result"] as? [String: Any])?["isError"] as? Bool == false)
        }
    }

    @Test func invalidArgumentsAndUnknownToolsAreReported() async throws {
        try await withServer { client in
            let session = try await Self.initialize(client)
            let invalid = try await Self.post(
                client,
                """
                {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"print(1)","language":"cobol"}}}
                """,
                session: session
            )
            let result = Self.events(invalid).last?["result"] as? [String: Any]
            #expect(result?["isError"] as? Bool == true)
            let text = "\(result?["content"] ?? "")"
            #expect(text.contains("language"))
            let extra = try await Self.post(
                client,
                """
                {"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"1","bogus":true}}}
                """,
                session: session
            )
            #expect((Self.events(extra).last?["result"] as? [String: Any])?["isError"] as? Bool == true)
            let unknown = try await Self.post(
                client,
                """
                {"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"rm_rf","arguments":{}}}
                """,
                session: session
            )
            #expect((Self.events(unknown).last?["error"] as? [String: Any])?["code"] as? Int == -32602)
            let method = try await Self.post(client, #"{"jsonrpc":"2.0","id":7,"method":"no/such"}"#, session: session)
            #expect((Self.events(method).last?["error"] as? [String: Any])?["code"] as? Int == -32601)
            let ping = try await Self.post(client, #"{"jsonrpc":"2.0","id":8,"method":"ping"}"#, session: session)
            #expect(Self.events(ping).last?["result"] != nil)
        }
    }

    @Test func httpErrorsHaveTheRightStatusAndJSONRPCCode() async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.maxBodyBytes = 64 << 10 }
        try await withServer(configuration: configure) { client in
            let malformed = try await Self.post(client, "{not json")
            #expect(malformed.status == .badRequest)
            #expect(Self.error(malformed) == -32700)
            #expect(String(buffer: malformed.body).contains("\"id\":null"))
            let invalid = try await Self.post(client, #"{"hello":"world"}"#)
            #expect(invalid.status == .badRequest && Self.error(invalid) == -32600)
            let missing = try await Self.post(client, #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
            #expect(missing.status == .badRequest)
            let unknown = try await Self.post(
                client,
                #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
                session: "0123456789abcdef0123456789abcdef"
            )
            #expect(unknown.status == .notFound)
            var accept = Self.jsonHeaders
            accept[.accept] = "text/html"
            #expect(
                try await Self.post(client, #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: accept).status
                    == .notAcceptable
            )
            var type = Self.jsonHeaders
            type[.contentType] = "text/plain"
            #expect(
                try await Self.post(client, #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: type).status
                    == .unsupportedMediaType
            )
            let big =
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\""
                + String(repeating: "a", count: 70_000) + "\"}}"
            #expect(try await Self.post(client, big).status == .contentTooLarge)
            // A batch holding a response, or params that are not an object, is refused whole: the
            // SDK could not decode it, and its error could not reach the batch's stream.
            let session = try await Self.initialize(client)
            for batch in [
                #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":9,"result":{}}]"#,
                #"[{"jsonrpc":"2.0","id":1,"method":"ping","params":[1,2]}]"#,
            ] {
                let refused = try await Self.post(client, batch, session: session)
                #expect(refused.status == .badRequest && Self.error(refused) == -32600, "\(batch)")
            }
            var version = Self.jsonHeaders
            version[HTTPField.Name("MCP-Protocol-Version")!] = "2026-07-28"
            #expect(
                try await Self.post(client, #"{"jsonrpc":"2.0","id":1,"method":"server/discover"}"#, headers: version)
                    .status == .badRequest
            )
        }
    }

    @Test func hostOriginAndTokenAreChecked() async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.token = "s3cret" }
        try await withServer(configuration: configure) { client in
            var headers = Self.jsonHeaders
            headers[.authorization] = "Bearer s3cret"
            var foreignOrigin = headers
            foreignOrigin[.origin] = "https://evil.example"
            #expect(try await client.execute(uri: "/mcp", method: .post, headers: foreignOrigin).status == .forbidden)
            #expect(try await Self.post(client, #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).status == .unauthorized)
            var wrong = Self.jsonHeaders
            wrong[.authorization] = "Bearer nope"
            #expect(
                try await Self.post(client, #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: wrong).status
                    == .unauthorized
            )
            let session = try await Self.initialize(client, headers: headers)
            #expect(!session.isEmpty)
            // The guard comes before any route: an unknown path is refused the same way.
            #expect(try await client.execute(uri: "/nowhere", method: .get).status == .unauthorized)
            // A foreign Host header (421), which this test client cannot send, is covered by the
            // interop tests.
        }
    }

    @Test func unknownPathsAre404AndOtherMethods405WithAllow() async throws {
        try await withServer { client in
            #expect(try await client.execute(uri: "/nowhere", method: .get).status == .notFound)
            let put = try await client.execute(uri: "/mcp", method: .put, headers: Self.jsonHeaders)
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "POST, GET, DELETE")
            let post = try await client.execute(uri: "/healthz", method: .post)
            #expect(post.status == .methodNotAllowed && post.headers[.allow] == "GET")
            #expect(try await client.execute(uri: "/healthz/", method: .get).status == .ok)
        }
    }

    @Test func deleteEndsTheSession() async throws {
        try await withServer { client in
            let session = try await Self.initialize(client)
            var headers = Self.jsonHeaders
            headers[Self.sessionHeader] = session
            #expect(try await client.execute(uri: "/mcp", method: .delete, headers: headers).status == .ok)
            let after = try await Self.post(client, #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#, session: session)
            #expect(after.status == .notFound)
        }
    }

    @Test func theServerRefusesToListenBeyondLoopbackWithoutAToken() throws {
        var configuration = ServerConfiguration()
        configuration.host = "0.0.0.0"
        let host = try SandboxHost.prepare(SandboxConfiguration(), logger: Self.logger)
        defer { host.cleanUp() }
        #expect(throws: SandboxError.self) {
            _ = try WardenServer(
                configuration: configuration,
                supervisor: Supervisor(host: host, logger: Self.logger),
                logger: Self.logger
            )
        }
    }

    /// The workspace threads of the registries these tests make (one for all of them).
    static let workers = WorkspaceWorkers(threads: 1)

    /// A registry of at most two sessions on a host of its own, with the tools it serves.
    private static func registry(
        identityBase: UInt32,
        idleTimeout: Duration
    ) throws -> (SandboxHost, Supervisor, Toolbox, WorkspaceStore, SessionRegistry) {
        var sandbox = SandboxConfiguration()
        sandbox.identityBase = identityBase
        let host = try SandboxHost.prepare(sandbox, logger: Self.logger)
        let supervisor = Supervisor(host: host, logger: Self.logger)
        let tools = Toolbox(
            runCode: RunCodeTool(supervisor: supervisor, languages: host.catalog.languages),
            files: FileTools(),
            artifacts: ArtifactLimits(),
            workers: Self.workers
        )
        let workspaces = try WorkspaceStore(host: host, capacity: 2)
        let registry = SessionRegistry(
            maxSessions: 2,
            idleTimeout: idleTimeout,
            keepAliveInterval: .seconds(5),
            workspaces: workspaces,
            supervisor: supervisor,
            logger: Self.logger
        )
        return (host, supervisor, tools, workspaces, registry)
    }

    /// The answers a session writes itself (initialize, ping, tools/list) must be the SDK
    /// server's own: each is compared with the SDK's answer to the same request sent in a
    /// batch (which the SDK server handles), and the common messages start no SDK server.
    @Test func theSessionsOwnAnswersAreTheSDKs() async throws {
        let (host, _, tools, _, registry) = try Self.registry(identityBase: 314_000, idleTimeout: .seconds(60))
        defer { host.cleanUp() }
        let own = try await registry.create(principal: "", mode: .streamable, tools: tools)
        let sdk = try await registry.create(principal: "", mode: .streamable, tools: tools)
        let requests = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","id":"two","method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"1999-01-01","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","id":5,"method":"initialize","params":{"protocolVersion":5}}"#,
        ]
        for (index, request) in requests.enumerated() {
            let mine = try await Self.answer(own, to: request, batched: false)
            let theirs = try await Self.answer(sdk, to: request, batched: true)
            let codes = [mine, theirs].map { ($0["error"] as? NSDictionary)?["code"] as? Int }
            if index == 3 {
                // Both refuse a second initialize alike.
                #expect(codes[0] == -32600 && codes[1] == -32600, "\(mine) \(theirs)")
            } else if index == 4 {
                // Both refuse parameters of the wrong type; the SDK calls its decoding failure an
                // internal error (-32603), the session what JSON-RPC says it is (-32602).
                #expect(codes[0] == -32602 && codes[1] != nil, "\(mine) \(theirs)")
            } else {
                #expect(mine == theirs, "\(request)")
            }
        }
        #expect(!own.hasSDKServer)
        #expect(sdk.hasSDKServer)
        await registry.closeAll()
    }

    /// The response to `request` on a stream of its own, as an object (a batch's one element).
    private static func answer(_ session: MCPSession, to request: String, batched: Bool) async throws -> NSDictionary {
        let text = batched ? "[\(request)]" : request
        let data = Data(text.utf8)
        let value = try #require(JSONParser.parse(data))
        var items = [value]
        if case MCP.Value.array(let batch) = value { items = batch }
        let messages = items.compactMap { JSONRPCMessage($0) }
        let keys = messages.compactMap { message -> (id: String, token: String?)? in
            if case .request(let key) = message.kind { return (key, nil) }
            return nil
        }
        guard case .opened(let stream) = await session.transport.openRequestStream(for: keys) else {
            throw CancellationError()
        }
        let connection = stream.attach()
        await session.receive(JSONRPCBody(data: data, messages: messages, isBatch: batched), route: nil)
        for await buffer in connection.buffers {
            for line in String(buffer: buffer).split(separator: "\n") where line.hasPrefix("data: ") {
                let parsed = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))
                if let single = parsed as? NSDictionary { return single }
                if let array = parsed as? [NSDictionary], let first = array.first { return first }
            }
        }
        throw CancellationError()
    }

    @Test func idleSessionsExpireAndTheCapHolds() async throws {
        let (host, supervisor, tools, workspaces, registry) = try Self.registry(
            identityBase: 310_000,
            idleTimeout: .milliseconds(200)
        )
        defer { host.cleanUp() }
        let first = try await registry.create(principal: "", mode: .streamable, tools: tools)
        let second = try await registry.create(principal: "", mode: .streamable, tools: tools)
        #expect(first.workspace.path != second.workspace.path)
        await #expect(throws: SandboxError.self) {
            try await registry.create(principal: "", mode: .streamable, tools: tools)
        }
        // A session is only usable by its principal.
        if case .some(.some) = await registry.session(first.id, principal: "someone else") {
            Issue.record("another principal used the session")
        }
        // Each new session gets a sandbox built for its first run.
        var waited = 0
        while await supervisor.standbyCount < 2 && waited < 500 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(await supervisor.standbyCount == 2)
        try await Task.sleep(for: .milliseconds(400))
        await registry.expire()
        #expect(await registry.count == 0)
        // Expiry deleted both workspaces, and their standbys before them.
        #expect(workspaces.count == 0)
        #expect(await supervisor.standbyCount == 0)
        #expect(access(first.workspace.path, F_OK) != 0)
        _ = try await registry.create(principal: "", mode: .streamable, tools: tools)
        await registry.closeAll()
        #expect(await supervisor.standbyCount == 0)
    }
    /// A tools/call that reaches a session after it was closed (a slow client body racing a
    /// DELETE) must not start a run: the session's uid may already be someone else's.
    @Test func aClosedSessionStartsNoCall() async throws {
        let (host, supervisor, tools, _, registry) = try Self.registry(identityBase: 312_000, idleTimeout: .seconds(60))
        defer { host.cleanUp() }
        let session = try await registry.create(principal: "", mode: .streamable, tools: tools)
        // Closed, its workspace not yet deleted: the window a late body could hit.
        await session.close()
        let json =
            #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"import time\ntime.sleep(30)"}}}"#
        let data = Data(json.utf8)
        let message = try #require(JSONParser.parse(data).flatMap { JSONRPCMessage($0) })
        await session.receive(JSONRPCBody(data: data, messages: [message], isBatch: false), route: nil)
        try await Task.sleep(for: .milliseconds(500))
        #expect(await supervisor.runningCount == 0)
        #expect(session.activeCalls == 0)
        await registry.closeAll()
    }
}
