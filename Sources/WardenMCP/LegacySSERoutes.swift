import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import WardenEngine

/// `GET /sse` and `POST /messages?session_id=…`: the HTTP+SSE transport of protocol 2024-11-05.
/// The SSE stream is the session: when it closes, the session ends and its runs are killed.
final class LegacySSERoutes: Sendable {
    let registry: SessionRegistry
    let tools: Toolbox
    let configuration: ServerConfiguration

    init(registry: SessionRegistry, tools: Toolbox, configuration: ServerConfiguration) {
        self.registry = registry
        self.tools = tools
        self.configuration = configuration
    }

    @inline(never) func open(_ request: Request, channel: any Channel) async throws -> Response {
        let session: MCPSession
        do {
            // In a task of its own: a connection's task keeps the memory its deepest call ever
            // needed for as long as it lives, and this one lives as long as the stream (an
            // open stream cost 4-5 KiB more when the session was made on it).
            let (registry, tools, principal) = (registry, tools, RequestGuard.principal(of: request))
            session = try await Task { try await registry.create(principal: principal, mode: .legacy, tools: tools) }
                .value
        } catch let refusal as SandboxError {
            return StreamableHTTPRoutes.rpcError(.serviceUnavailable, code: -32000, refusal.message)
        }
        guard let stream = await session.transport.openStandaloneStream() else {
            return StreamableHTTPRoutes.rpcError(.internalServerError, code: -32603, "Cannot open the stream")
        }
        let body = stream.attach(onOverflow: StreamableHTTPRoutes.giveUp(channel, session: session))
        session.legacyRoute = NotificationRoute(stream: stream, event: "message")
        stream.send("/messages?session_id=\(session.id)", event: "endpoint")
        let registry = self.registry
        let id = session.id
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache, no-transform"],
            body: StreamableHTTPRoutes.sseBody(body, of: stream, on: channel) { await registry.remove(id) }
        )
    }

    @inline(never) func post(_ request: Request) async throws -> Response {
        guard let id = request.uri.queryParameters.get("session_id") else {
            return StreamableHTTPRoutes.rpcError(.badRequest, code: -32600, "Missing session_id")
        }
        guard
            case .some(.some(let session)) = await registry.session(id, principal: RequestGuard.principal(of: request)),
            session.transport.mode == .legacy
        else {
            return StreamableHTTPRoutes.rpcError(.notFound, code: -32600, "Unknown or expired session")
        }
        switch await JSONRPCBody.read(request, configuration: configuration) {
        case .success(let body) where body.isBatch && !session.acceptsBatches:
            return StreamableHTTPRoutes.batchRefusal
        case .success(let body): await session.receive(body, route: session.legacyRoute)
        case .failure(let refusal): return refusal.response
        }
        return Response(status: .accepted)
    }
}
