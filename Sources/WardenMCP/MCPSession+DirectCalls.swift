import Foundation
import MCP

extension MCPSession {
    /// Hands one POSTed body to the session.
    ///
    /// The messages every client sends are answered here, without the SDK server: `initialize`,
    /// `notifications/initialized`, `ping`, `tools/list` and a lone `tools/call`. swift-sdk
    /// 0.12.1 decodes each message up to three times before it finds it is a request, decodes
    /// the parameters via `Value`, and encodes each result, decodes it into `Value` and encodes
    /// it again: ~0.7 ms before a run could start and ~0.9 ms after it ended (measured). A
    /// `notifications/cancelled` for such a call cancels it here. Everything else (batches
    /// included) goes to the SDK server, started then, whose handlers call the same
    /// ``callTool(_:tools:requestKey:route:)``.
    /// - Parameter route: where the notifications of a call in this body go (the POST's own
    ///   stream, or the session's HTTP+SSE stream).
    func receive(_ body: JSONRPCBody, route: NotificationRoute?) async {
        if !body.isBatch, let message = body.messages.first, let tools {
            switch message.kind {
            case .request(let key):
                if let call = message.toolCall {
                    startDirectCall(call, key: key, tools: tools, route: route)
                    return
                }
                if let id = message.id, let answer = answer(to: message, id: id, tools: tools) {
                    await transport.respond(answer, to: key)
                    return
                }
            case .notification:
                if message.method == "notifications/initialized" { return }
                if message.method == "notifications/cancelled", let target = message.cancelledRequest,
                    let task = withDirectCalls({ $0[target] }) ?? nil
                {
                    task.cancel()
                    return
                }
            case .response:
                break
            }
        }
        // A closed session has no SDK server (and the routes open no stream on it): the
        // message goes nowhere.
        guard await sdkServer() != nil else { return }
        await transport.deliver(body.data)
    }

    /// The answer to a request the session handles itself, as JSON; `nil` for the others.
    private func answer(to message: JSONRPCMessage, id: ID, tools: Toolbox) -> String? {
        let head = #"{"id":"# + JSONText.id(id) + #","jsonrpc":"2.0","#
        switch message.method {
        case "ping":
            return head + #""result":{}}"#
        case "tools/list":
            return head + #""result":"# + tools.listJSON + "}"
        case "initialize":
            guard message.initializeParamsValid else {
                return Self.failure(
                    id,
                    .invalidParams("protocolVersion, capabilities or clientInfo has the wrong type")
                )
            }
            // As the SDK negotiates: the client's version when supported, else the latest.
            let requested = message.requestedVersion ?? ""
            let version = Version.supported.contains(requested) ? requested : Version.latest
            guard markInitialized(version: version) else {
                return Self.failure(id, .invalidRequest("Server is already initialized"))
            }
            let result = Initialize.Result(
                protocolVersion: version,
                capabilities: Self.capabilities,
                serverInfo: Self.info,
                instructions: Self.instructions
            )
            return try? Self.success(id, result)
        default:
            return nil
        }
    }

    private func startDirectCall(_ call: ToolCallRequest, key: String, tools: Toolbox, route: NotificationRoute?) {
        let started = withDirectCalls { calls -> Bool in
            // A second request with the id of one in flight is the client's error; refused.
            guard calls[key] == nil else { return false }
            calls[key] = Task {
                let response: String?
                do {
                    let result = try await self.callTool(call.params, tools: tools, requestKey: key, route: route)
                    response = try ToolResultJSON.response(id: call.id, result: result) ?? Self.success(call.id, result)
                } catch is CancellationError {
                    response = nil  // cancelled by the client: no response at all
                } catch {
                    let failure = error as? MCPError ?? MCPError.internalError("\(error)")
                    response = Self.failure(call.id, failure)
                }
                self.endDirectCall(key)
                await self.transport.respond(response, to: key)
            }
            return true
        }
        if started == false {
            let failure = MCPError.invalidRequest("request id \(call.id) is already in use by a call in flight")
            Task {
                await self.transport.respond(Self.failure(call.id, failure), to: key)
            }
        }
        // On a closed session (started == nil) nothing runs and nothing is sent: its streams are gone.
    }

    /// A response the SDK's types encode (the fallback of the hand-written ones).
    private static func success(_ id: ID, _ result: some Encodable) throws -> String {
        String(decoding: try JSONEncoder.plain.encode(JSONRPCResult(id: id, result: result)), as: UTF8.self)
    }

    private static func failure(_ id: ID, _ error: MCPError) -> String? {
        (try? JSONEncoder.plain.encode(JSONRPCFailure(id: id, error: error))).map {
            String(decoding: $0, as: UTF8.self)
        }
    }
}

/// A `tools/call` request in the SDK's parameter type, taken from the message the routes
/// already parsed; `nil` when it does not have its shape (the SDK then answers with its error).
struct ToolCallRequest: Sendable {
    let id: ID
    let params: CallTool.Parameters

    init?(id: Value, params: [String: Value]) {
        guard let id = JSONRPCMessage.id(id) else { return nil }
        self.id = id
        guard case .string(let name)? = params["name"] else { return nil }
        var arguments: [String: Value]?
        switch params["arguments"] {
        case nil, .null?: break
        case .object(let object)?: arguments = object
        default: return nil
        }
        var meta: Metadata?
        switch params["_meta"] {
        case nil, .null?: break
        case .object(let fields)?:
            // Set after init: its token argument would overwrite (nil: remove) the fields' one.
            meta = Metadata()
            meta?.fields = fields
        default: return nil
        }
        self.params = CallTool.Parameters(name: name, arguments: arguments, meta: meta)
    }
}

/// A JSON-RPC response the session writes with `JSONEncoder`.
private struct JSONRPCResult<Result: Encodable>: Encodable {
    let jsonrpc = "2.0"
    let id: ID
    let result: Result
}

private struct JSONRPCFailure: Encodable {
    let jsonrpc = "2.0"
    let id: ID
    let error: MCPError
}
