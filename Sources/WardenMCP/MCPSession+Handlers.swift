import Foundation
import MCP
import WardenEngine

extension MCPSession {
    /// A new SDK server with the session's methods, started on its transport.
    func makeSDKServer(tools: Toolbox) async throws -> Server {
        let server = Server(
            name: Self.info.name,
            version: Self.info.version,
            instructions: Self.instructions,
            capabilities: Self.capabilities,
            configuration: .default
        )
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: tools.list)
        }
        await server.withMethodHandler(ListResources.self) { [weak self] params in
            guard let self else { throw MCPError.internalError("session closed") }
            let resources = WorkspaceResources(workspace: self.workspace, files: tools.files)
            return try await tools.workers.perform(in: self.gate) { try resources.list(cursor: params.cursor) }
        }
        await server.withMethodHandler(ReadResource.self) { [weak self] params in
            guard let self else { throw MCPError.internalError("session closed") }
            let resources = WorkspaceResources(workspace: self.workspace, files: tools.files)
            return try await tools.workers.perform(in: self.gate) { try resources.read(uri: params.uri) }
        }
        await server.withMethodHandler(SetLoggingLevel.self) { [weak self] params in
            self?.logLevel = params.level
            return Empty()
        }
        // Only batched calls come here; a lone tools/call is run by `receive(_:)` directly.
        await server.withMethodHandler(CallTool.self) { [weak self] params in
            guard let self else { throw MCPError.internalError("session closed") }
            let requestKey = Server.currentHandlerContext?.httpContext?.header("X-Warden-Request-Key")
            return try await self.cancelledOnClose {
                try await self.callTool(params, tools: tools, requestKey: requestKey, route: nil)
            }
        }
        try await server.start(transport: transport)
        return server
    }

    /// `tools/call`: a file tool or `run_code`.
    /// - Parameters:
    ///   - requestKey: the request's id key, which routes its progress notifications.
    ///   - route: where they go, when the caller knows (else the transport finds it).
    func callTool(
        _ params: CallTool.Parameters,
        tools: Toolbox,
        requestKey: String?,
        route: NotificationRoute?
    ) async throws -> CallTool.Result {
        if FileTools.names.contains(params.name) {
            let workspace = workspace
            return try await tools.workers.perform(in: gate) {
                tools.files.call(params.name, params.arguments, in: workspace)
            }
        }
        guard params.name == RunCodeTool.name else {
            throw MCPError.invalidParams("Unknown tool: \(params.name)")
        }
        return try await runCode(tools: tools, params: params, requestKey: requestKey, route: route)
    }

    private func runCode(
        tools: Toolbox,
        params: CallTool.Parameters,
        requestKey: String?,
        route: NotificationRoute?
    ) async throws
        -> CallTool.Result
    {
        let tool = tools.runCode
        let request: RunRequest
        switch tool.request(from: params.arguments) {
        case .success(var parsed):
            parsed.workspace = .session(workspace)
            request = parsed
        case .failure(let error): return RunCodeTool.invalid(error.message)
        }
        let files = workspace.files
        let before = try await tools.workers.perform(in: gate) { files.snapshot(limit: files.entryLimit) }
        let saver = OutputSaver(files: files, run: nextRun(), threshold: RunCodeTool.resultBytesPerStream)
        let token = params._meta?.progressToken
        // A cancelled task (notifications/cancelled, or the session closing) kills the run.
        let outcome: Result<RunResult, SandboxError>
        do {
            outcome = .success(
                // With a route, forwarding a chunk touches no actor: it can run on the run's
                // pipe thread (no hand-off per chunk). Without, it goes through the transport.
                try await tool.supervisor.execute(request, outputOnPipeThread: route != nil) { output in
                    var sent = 0
                    for await chunk in output {
                        saver.add(chunk)
                        for piece in RunCodeTool.pieces(chunk.bytes) {
                            sent += piece.count
                            await self.forward(
                                piece,
                                stream: chunk.stream,
                                total: sent,
                                token: token,
                                requestKey: requestKey,
                                route: route
                            )
                        }
                    }
                }
            )
        } catch {
            outcome = .failure(error)
        }
        // A call cancelled by notifications/cancelled gets no response at all.
        try Task.checkCancellation()
        switch outcome {
        case .success(let run):
            let saved = saver.saved
            let excluded = saver.touchedPaths
            let limits = tools.artifacts
            var artifacts = try await tools.workers.perform(in: gate) {
                let after = files.snapshot(limit: files.entryLimit)
                let changes = RunArtifacts.changes(before: before, after: after, excluded: excluded)
                var artifacts = RunArtifacts(changes: changes, files: files, limits: limits)
                artifacts.incomplete = !before.complete || !after.complete
                return artifacts
            }
            artifacts.savedOutput = saved.paths
            artifacts.saveFailures = saved.failures
            return RunCodeTool.result(run, artifacts: artifacts)
        case .failure(let error):
            return CallTool.Result(
                content: [.text(text: "\(error.code): \(error.message)", annotations: nil, _meta: nil)],
                isError: true
            )
        }
    }

    /// One output piece as `notifications/progress` (and as `notifications/message` when the
    /// client set a log level). The JSON is written by hand: this is the hot path of an output
    /// flood, and of the first line a client waits for.
    private func forward(
        _ bytes: ArraySlice<UInt8>,
        stream: WardenEngine.OutputStream,
        total: Int,
        token: ProgressToken?,
        requestKey: String?,
        route: NotificationRoute?
    ) async {
        let text = JSONText.quoted(String(decoding: bytes, as: UTF8.self))
        if let token {
            let tokenJSON: String
            switch token {
            case .string(let value): tokenJSON = JSONText.quoted(value)
            case .integer(let value): tokenJSON = "\(value)"
            }
            await send(
                #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"#
                    + tokenJSON + #","progress":\#(total),"message":"# + text
                    + #","_meta":{"stream":"\#(stream.rawValue)"}}}"#,
                requestKey: requestKey,
                route: route
            )
        }
        if logLevel != nil, requestKey != nil {
            await send(
                #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","logger":"\#(stream.rawValue)","data":"#
                    + text + "}}",
                requestKey: requestKey,
                route: route
            )
        }
    }

    /// Sends a notification of a call in flight: straight to its route when known, else
    /// through the transport (by request, or by progress token).
    private func send(_ json: String, requestKey: String?, route: NotificationRoute?) async {
        if let route {
            route.send(json)
        } else if let requestKey {
            await transport.send(Data(json.utf8), relatedTo: requestKey)
        } else {
            try? await transport.send(Data(json.utf8))
        }
    }
}
