import Foundation
import Hummingbird
import MCP

/// A POSTed JSON-RPC body, read and checked the same way for both transports: size (413),
/// JSON (400 with -32700), nesting depth and batch size, and every message a JSON-RPC 2.0
/// message (400 with -32600). The limits bound the work a single body can cost: the SDK
/// decodes what it handles several times over, at a cost that grows with depth.
struct JSONRPCBody {
    var data: Data
    var messages: [JSONRPCMessage]
    /// A JSON array (even of one message), not a single message.
    var isBatch: Bool

    /// The body, or the error response that refuses it.
    static func read(
        _ request: Request,
        configuration: ServerConfiguration
    ) async -> Result<JSONRPCBody, StreamableHTTPRoutes.Refusal> {
        var request = request
        let limit = configuration.maxBodyBytes
        guard let body = try? await request.collectBody(upTo: limit) else {
            return refuse(.contentTooLarge, -32600, "The body is larger than \(limit) bytes")
        }
        return parse(body, configuration: configuration)
    }

    /// Synchronous, so its work is not part of the caller's async frame: a connection's task
    /// keeps the memory of its deepest request for as long as the connection lives.
    @inline(never) static func parse(
        _ body: ByteBuffer,
        configuration: ServerConfiguration
    ) -> Result<JSONRPCBody, StreamableHTTPRoutes.Refusal> {
        let data = Data(body.readableBytesView)
        let value: Value
        switch JSONParser.parse(data, maxDepth: configuration.maxMessageDepth) {
        case .success(let parsed): value = parsed
        case .failure(.tooDeep):
            return refuse(
                .badRequest,
                -32600,
                "Invalid Request: nested deeper than \(configuration.maxMessageDepth) levels"
            )
        case .failure(.invalid):
            return refuse(.badRequest, -32700, "Parse error: the body is not valid JSON")
        }
        var items = [value]
        var isBatch = false
        if case .array(let batch) = value {
            guard batch.count <= configuration.maxBatchItems else {
                return refuse(
                    .badRequest,
                    -32600,
                    "Invalid Request: a batch holds at most \(configuration.maxBatchItems) messages"
                )
            }
            items = batch
            isBatch = true
        }
        var messages: [JSONRPCMessage] = []
        for item in items {
            guard let message = JSONRPCMessage(item) else {
                var id: Value?
                if case .object(let fields) = item { id = fields["id"] }
                return refuse(.badRequest, -32600, "Invalid Request: not a JSON-RPC 2.0 message", id: id)
            }
            messages.append(message)
        }
        guard !messages.isEmpty else { return refuse(.badRequest, -32600, "Invalid Request: empty batch") }
        // The SDK answers a batch it cannot decode with one error it cannot address, so the
        // batch's stream would never end: what it cannot decode is refused here.
        if isBatch, messages.contains(where: { !$0.paramsAreObject || $0.kind.isResponse }) {
            return refuse(
                .badRequest,
                -32600,
                "Invalid Request: a batch holds requests and notifications, with object params"
            )
        }
        return .success(JSONRPCBody(data: data, messages: messages, isBatch: isBatch))
    }

    private static func refuse(
        _ status: HTTPResponse.Status,
        _ code: Int,
        _ message: String,
        id: Value? = nil
    )
        -> Result<JSONRPCBody, StreamableHTTPRoutes.Refusal>
    {
        .failure(.init(response: StreamableHTTPRoutes.rpcError(status, code: code, message, id: id)))
    }
}
