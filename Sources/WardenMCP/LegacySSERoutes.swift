import Foundation
import HTTPTypes
import Hummingbird
import WardenEngine

/// `GET /sse` and `POST /messages?session_id=…`: the HTTP+SSE transport of protocol 2024-11-05.
/// The SSE stream is the session: when it closes, the session ends and its runs are killed.
struct LegacySSERoutes: Sendable {
    let registry: SessionRegistry
    let tools: Toolbox
    let configuration: ServerConfiguration

    func register(on router: Router<BasicRequestContext>) {
        router.get("/sse") { request, _ in try await open(request) }
        router.post("/messages") { request, _ in try await post(request) }
    }

    func open(_ request: Request) async throws -> Response {
        let session: MCPSession
        do {
            session = try await registry.create(
                principal: RequestGuard.principal(of: request),
                mode: .legacy,
                tools: tools
            )
        } catch let refusal as SandboxError {
            return StreamableHTTPRoutes.rpcError(.serviceUnavailable, code: -32000, refusal.message)
        }
        guard let stream = await session.transport.openStandaloneStream() else {
            return StreamableHTTPRoutes.rpcError(.internalServerError, code: -32603, "Cannot open the stream")
        }
        let body = stream.attach()
        session.legacyRoute = NotificationRoute(stream: stream, event: "message")
        stream.send("/messages?session_id=\(session.id)", event: "endpoint")
        let registry = self.registry
        let id = session.id
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache, no-transform"],
            body: StreamableHTTPRoutes.sseBody(body, of: stream) { await registry.remove(id) }
        )
    }

    func post(_ request: Request) async throws -> Response {
        guard let id = request.uri.queryParameters.get("session_id") else {
            return StreamableHTTPRoutes.rpcError(.badRequest, code: -32600, "Missing session_id")
        }
        guard
            case .some(.some(let session)) = await registry.session(id, principal: RequestGuard.principal(of: request)),
            session.transport.mode == .legacy
        else {
            return StreamableHTTPRoutes.rpcError(.notFound, code: -32600, "Unknown or expired session")
        }
        switch await JSONRPCBody.read(request, limit: configuration.maxBodyBytes) {
        case .success(let body): await session.receive(body, route: session.legacyRoute)
        case .failure(let refusal): return refusal.response
        }
        return Response(status: .accepted)
    }
}
