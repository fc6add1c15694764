import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP
import NIOCore
import WardenEngine

/// `/mcp`: the Streamable HTTP transport (protocol 2025-03-26 and later).
final class StreamableHTTPRoutes: Sendable {
    let registry: SessionRegistry
    let tools: Toolbox
    let configuration: ServerConfiguration

    init(registry: SessionRegistry, tools: Toolbox, configuration: ServerConfiguration) {
        self.registry = registry
        self.tools = tools
        self.configuration = configuration
    }

    static let sessionHeader = HTTPField.Name("Mcp-Session-Id")!
    static let versionHeader = HTTPField.Name("MCP-Protocol-Version")!
    static let lastEventHeader = HTTPField.Name("Last-Event-ID")!

    @inline(never) func post(_ request: Request, channel: any Channel) async throws -> Response {
        let accept = request.headers[.accept] ?? ""
        guard MediaRanges.accept(accept, admits: "application/json"),
            MediaRanges.accept(accept, admits: "text/event-stream")
        else {
            return Self.rpcError(
                .notAcceptable,
                code: -32600,
                "Accept must list application/json and text/event-stream"
            )
        }
        guard MediaRanges.contentType(request.headers[.contentType] ?? "", is: "application/json") else {
            return Self.rpcError(.unsupportedMediaType, code: -32600, "Content-Type must be application/json")
        }
        let body: JSONRPCBody
        switch await JSONRPCBody.read(request, configuration: configuration) {
        case .success(let read): body = read
        case .failure(let refusal): return refusal.response
        }
        let messages = body.messages
        if let version = request.headers[Self.versionHeader], !Version.supported.contains(version) {
            return Self.rpcError(
                .badRequest,
                code: -32600,
                "Unsupported MCP-Protocol-Version \(version); supported: \(Version.supported.sorted().joined(separator: ", "))"
            )
        }

        let session: MCPSession
        if messages.contains(where: { $0.method == "initialize" }) {
            guard messages.count == 1, !body.isBatch else {
                return Self.rpcError(.badRequest, code: -32600, "initialize must not be batched")
            }
            do {
                session = try await registry.create(
                    principal: RequestGuard.principal(of: request),
                    mode: .streamable,
                    tools: tools
                )
            } catch let refusal as SandboxError {
                return Self.rpcError(.serviceUnavailable, code: -32000, refusal.message)
            }
        } else {
            switch try await lookUp(request) {
            case .success(let found): session = found
            case .failure(let response): return response.response
            }
            if body.isBatch, !session.acceptsBatches { return Self.batchRefusal }
        }

        let requests = messages.compactMap { message -> (id: String, token: String?)? in
            if case .request(let id) = message.kind { return (id, message.progressToken) }
            return nil
        }
        if requests.isEmpty {
            await session.receive(body, route: nil)
            return Response(status: .accepted, headers: [Self.sessionHeader: session.id])
        }
        let stream: EventStream
        switch await session.transport.openRequestStream(for: requests) {
        case .opened(let opened): stream = opened
        case .closed: return Self.rpcError(.notFound, code: -32600, "Unknown or expired session")
        case .inUse(let key):
            return Self.rpcError(
                .conflict,
                code: -32600,
                "Request id \(key.dropFirst(2)) is already in use by a request in flight"
            )
        }
        let events = stream.attach(onOverflow: Self.giveUp(channel, session: session))
        stream.prime()
        await session.receive(body, route: NotificationRoute(stream: stream, event: nil))
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache, no-transform"]
        headers[Self.sessionHeader] = session.id
        return Response(status: .ok, headers: headers, body: Self.sseBody(events, of: stream, on: channel))
    }

    @inline(never) func get(_ request: Request, channel: any Channel) async throws -> Response {
        guard MediaRanges.accept(request.headers[.accept] ?? "", admits: "text/event-stream") else {
            return Self.rpcError(.notAcceptable, code: -32600, "Accept must list text/event-stream")
        }
        let session: MCPSession
        switch try await lookUp(request) {
        case .success(let found): session = found
        case .failure(let response): return response.response
        }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache, no-transform"]
        headers[Self.sessionHeader] = session.id
        if let lastEventID = request.headers[Self.lastEventHeader] {
            guard let (stream, sequence) = await session.transport.stream(forEventID: lastEventID) else {
                return Self.rpcError(.notFound, code: -32600, "No stream to resume for Last-Event-ID \(lastEventID)")
            }
            return Response(
                status: .ok,
                headers: headers,
                body: Self.sseBody(
                    stream.attach(after: sequence, onOverflow: Self.giveUp(channel, session: session)),
                    of: stream,
                    on: channel
                )
            )
        }
        guard let stream = await session.transport.openStandaloneStream() else {
            return Self.rpcError(.conflict, code: -32600, "This session already has a standalone GET stream")
        }
        let body = stream.attach(onOverflow: Self.giveUp(channel, session: session))
        stream.prime()
        // When the client goes away, the session may open a new one.
        return Response(
            status: .ok,
            headers: headers,
            body: Self.sseBody(body, of: stream, on: channel) { stream.finish(ifCurrent: body.number) }
        )
    }

    @inline(never) func delete(_ request: Request) async throws -> Response {
        switch try await lookUp(request) {
        case .success(let session):
            await registry.remove(session.id)
            return Response(status: .ok)
        case .failure(let response): return response.response
        }
    }

    struct Refusal: Error {
        var response: Response
    }

    private func lookUp(_ request: Request) async throws -> Result<MCPSession, Refusal> {
        guard let id = request.headers[Self.sessionHeader] else {
            return .failure(
                Refusal(response: Self.rpcError(.badRequest, code: -32600, "Missing Mcp-Session-Id header"))
            )
        }
        switch await registry.session(id, principal: RequestGuard.principal(of: request)) {
        case .none:
            return .failure(Refusal(response: Self.rpcError(.notFound, code: -32600, "Unknown or expired session")))
        case .some(.none):
            return .failure(
                Refusal(response: Self.rpcError(.forbidden, code: -32600, "This session belongs to another principal"))
            )
        case .some(.some(let session)) where session.transport.mode == .legacy:
            // An HTTP+SSE session exists only for its own routes: here it is unknown, and its
            // stream gets nothing from this transport.
            return .failure(Refusal(response: Self.rpcError(.notFound, code: -32600, "Unknown or expired session")))
        case .some(.some(let session)):
            return .success(session)
        }
    }

    /// Streams SSE events until the stream finishes or its client goes away: a FIN or a closed
    /// connection ends the response at once (``ClientCloseWatcher``), not at the next write that
    /// fails. For Streamable HTTP that cancels nothing (the client may resume with
    /// Last-Event-ID); `onClose` runs either way.
    static func sseBody(
        _ connection: EventStream.Connection,
        of stream: EventStream,
        on channel: any Channel,
        onClose: (@Sendable () async -> Void)? = nil
    ) -> ResponseBody {
        ResponseBody { writer in
            // On the connection's loop, each event is written in the job that receives it.
            try await withTaskExecutorPreference(EventLoopTaskExecutor(channel.eventLoop)) {
                await ClientCloseWatcher.watch(channel) { stream.detach(connection.number) }
                do {
                    for await chunk in connection.chunks {
                        try await writer.write(chunk.buffer)
                        stream.written(chunk, by: connection.number)
                    }
                    await ClientCloseWatcher.watch(channel, onGone: nil)
                    try await writer.finish(nil)
                } catch {
                    await ClientCloseWatcher.watch(channel, onGone: nil)
                    stream.detach(connection.number)
                    await onClose?()
                    throw error
                }
                stream.detach(connection.number)
                await onClose?()
            }
        }
    }

    /// What happens when `stream`'s client has not read its last ``ServerConfiguration/maxBacklogBytes``:
    /// the stream has finished; this logs what the client missed and closes its connection,
    /// which frees what the connection's writer held (and ends an HTTP+SSE session).
    /// It holds the session's id and logger, not the session (the stream would hold its session).
    static func giveUp(_ channel: any Channel, session: MCPSession) -> @Sendable (Int) -> Void {
        let (id, logger) = (session.id, session.logger)
        return { missed in
            logger.info(
                "SSE client not reading; stream closed",
                metadata: ["mcp.session.id": "\(id)", "mcp.messages.missed": "\(missed)"]
            )
            channel.close(promise: nil)
        }
    }

    /// The answer to a batch in a session whose protocol version has none.
    static var batchRefusal: Response {
        rpcError(
            .badRequest,
            code: -32600,
            "Invalid Request: JSON-RPC batches exist only in protocol \(MCPSession.batchingVersion)"
        )
    }

    static func rpcError(_ status: HTTPResponse.Status, code: Int, _ message: String, id: Value? = nil) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(
                byteBuffer: ByteBuffer(bytes: JSONRPCMessage.errorBody(code: code, message: message, id: id))
            )
        )
    }
}
