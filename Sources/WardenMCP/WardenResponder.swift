import HTTPTypes
public import Hummingbird

/// Every request's way in: the request guard, then its route, from a fixed table matched by
/// path and method. It replaces Hummingbird's router and middleware chain, whose nested async
/// calls each left a slab of about 1 KiB on the connection's task for as long as the
/// connection lived (an open SSE stream cost 3-4 KiB more through them). The routes are
/// `@inline(never)` and held by reference for the same reason: inlined, their frames would all
/// be this one's, and an async method keeps a copy of a struct `self` in its frame.
public final class WardenResponder: HTTPResponder {
    public typealias Context = WardenRequestContext
    let requestGuard: RequestGuard
    let streamable: StreamableHTTPRoutes
    let legacy: LegacySSERoutes
    let health: HealthRoute

    init(requestGuard: RequestGuard, streamable: StreamableHTTPRoutes, legacy: LegacySSERoutes, health: HealthRoute) {
        self.requestGuard = requestGuard
        self.streamable = streamable
        self.legacy = legacy
        self.health = health
    }

    /// The methods each path answers (others get 405 with `Allow`).
    static let methods: [String: [HTTPRequest.Method]] = [
        "/mcp": [.post, .get, .delete], "/sse": [.get], "/messages": [.post], "/healthz": [.get],
    ]

    public func respond(to request: Request, context: Context) async throws -> Response {
        if let refusal = requestGuard.refusal(for: request) { return refusal }
        var path = request.uri.path
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        switch (path, request.method) {
        case ("/mcp", .post): return try await streamable.post(request, channel: context.channel)
        case ("/mcp", .get): return try await streamable.get(request, channel: context.channel)
        case ("/mcp", .delete): return try await streamable.delete(request)
        case ("/sse", .get): return try await legacy.open(request, channel: context.channel)
        case ("/messages", .post): return try await legacy.post(request)
        case ("/healthz", .get): return try await health.report()
        default:
            guard let allowed = Self.methods[path] else { return Response(status: .notFound) }
            return Response(
                status: .methodNotAllowed,
                headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")]
            )
        }
    }
}
