import Foundation
import MCP
import WardenEngine

extension MCPSession {
    /// Registers the session's methods on its SDK server and starts it on its transport.
    func start(tools: Toolbox) async throws {
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: tools.list)
        }
        await server.withMethodHandler(ListResources.self) { [weak self] params in
            guard let self else { throw MCPError.internalError("session closed") }
            return try WorkspaceResources(workspace: self.workspace, files: tools.files).list(cursor: params.cursor)
        }
        await server.withMethodHandler(ReadResource.self) { [weak self] params in
            guard let self else { throw MCPError.internalError("session closed") }
            return try WorkspaceResources(workspace: self.workspace, files: tools.files).read(uri: params.uri)
        }
        await server.withMethodHandler(SetLoggingLevel.self) { [weak self] params in
            self?.logLevel = params.level
            return Empty()
        }
        // Only batched calls come here; a lone tools/call is run by `receive(_:)` directly.
        await server.withMethodHandler(CallTool.self) { [weak self] params in
            guard let self else { throw MCPError.internalError("session closed") }
            let requestKey = Server.currentHandlerContext?.httpContext?.header("X-Warden-Request-Key")
            return try await self.callTool(params, tools: tools, requestKey: requestKey)
        }
        self.tools = tools
        try await server.start(transport: transport)
    }

    /// `tools/call`: a file tool or `run_code`.
    /// - Parameter requestKey: the request's id key, which routes its progress notifications.
    func callTool(_ params: CallTool.Parameters, tools: Toolbox, requestKey: String?) async throws -> CallTool.Result {
        if FileTools.names.contains(params.name) {
            return tools.files.call(params.name, params.arguments, in: workspace)
        }
        guard params.name == RunCodeTool.name else {
            throw MCPError.invalidParams("Unknown tool: \(params.name)")
        }
        return try await runCode(tools: tools, params: params, requestKey: requestKey)
    }

    private func runCode(
        tools: Toolbox,
        params: CallTool.Parameters,
        requestKey: String?
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
        let before = files.snapshot(limit: files.entryLimit)
        let saver = OutputSaver(files: files, run: nextRun(), threshold: RunCodeTool.resultBytesPerStream)
        let token = params._meta?.progressToken
        let signal = CancellationSignal()
        track(signal)
        defer { untrack(signal) }
        let outcome: Result<RunResult, SandboxError> = await withTaskGroup(of: Result<RunResult, SandboxError>?.self) {
            group in
            group.addTask {
                do {
                    return .success(
                        try await tool.supervisor.execute(request) { output in
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
                                        requestKey: requestKey
                                    )
                                }
                            }
                        }
                    )
                } catch let error as SandboxError {
                    return .failure(error)
                } catch {
                    return .failure(SandboxError(.spawnFailed, "\(error)"))
                }
            }
            group.addTask {
                await signal.wait()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            // The session closed: the run was cancelled; wait for its result to be reaped.
            let rest = await group.next()
            return (rest ?? nil) ?? .failure(SandboxError(.shuttingDown, "session closed"))
        }
        // A call cancelled by notifications/cancelled gets no response at all.
        try Task.checkCancellation()
        switch outcome {
        case .success(let run):
            let saved = saver.saved
            let changes = RunArtifacts.changes(
                before: before,
                after: files.snapshot(limit: files.entryLimit),
                excluded: saver.touchedPaths
            )
            var artifacts = RunArtifacts(changes: changes, files: files, limits: tools.artifacts)
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
    /// client set a log level).
    private func forward(
        _ bytes: ArraySlice<UInt8>,
        stream: WardenEngine.OutputStream,
        total: Int,
        token: ProgressToken?,
        requestKey: String?
    ) async {
        let text = String(decoding: bytes, as: UTF8.self)
        if let token {
            var params: [String: Any] = [
                "progress": total, "message": text, "_meta": ["stream": stream.rawValue],
            ]
            switch token {
            case .string(let value): params["progressToken"] = value
            case .integer(let value): params["progressToken"] = value
            }
            if let data = try? JSONSerialization.data(
                withJSONObject: ["jsonrpc": "2.0", "method": "notifications/progress", "params": params],
                options: [.withoutEscapingSlashes]
            ) {
                // The stream is known from the request itself: no need to parse the message
                // again to find its progressToken (this is the hot path of an output flood).
                if let requestKey {
                    await transport.send(data, relatedTo: requestKey)
                } else {
                    try? await transport.send(data)
                }
            }
        }
        if logLevel != nil, let requestKey {
            let params: [String: Any] = ["level": "info", "logger": stream.rawValue, "data": text]
            if let data = try? JSONSerialization.data(
                withJSONObject: ["jsonrpc": "2.0", "method": "notifications/message", "params": params],
                options: [.withoutEscapingSlashes]
            ) {
                await transport.send(data, relatedTo: requestKey)
            }
        }
    }
}
