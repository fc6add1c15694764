import Foundation
import MCP

/// What the transports need to know about a JSON-RPC message to route it, read without
/// decoding the whole message into the SDK's types.
struct JSONRPCMessage: Sendable {
    enum Kind: Sendable, Equatable {
        case request(id: String)
        case notification
        case response(id: String)

        var isResponse: Bool {
            if case .response = self { return true }
            return false
        }
    }

    var kind: Kind
    var method: String?
    /// `params._meta.progressToken` of a request, or `params.progressToken` of a progress
    /// notification, normalized to its JSON text.
    var progressToken: String?
    /// `params.requestId` of `notifications/cancelled`, as an id key.
    var cancelledRequest: String?
    /// A `tools/call` request's id and parameters, converted from the parse the routes already
    /// did: decoding them again with `JSONDecoder` took 0.4 ms here.
    var toolCall: ToolCallRequest?
    /// A request's id, as the SDK types it (for the answers the session writes itself).
    var id: ID?
    /// `params.protocolVersion` of an `initialize` request.
    var requestedVersion: String?
    /// Whether an `initialize` request's params decode as the SDK decodes them: each of the
    /// protocol version, capabilities and client info may be missing (the SDK fills in
    /// defaults), but not of another type.
    var initializeParamsValid = false
    /// Whether `params` is an object or absent, as MCP's are (a batch the SDK cannot decode
    /// would be answered with an error nobody can route).
    var paramsAreObject = true

    /// The raw JSON text of an id or token, so `1` and `"1"` stay distinct.
    static func key(_ value: Value) -> String? {
        switch value {
        case .string(let text): "s:" + text
        case .int(let number): "n:\(number)"
        default: nil
        }
    }

    /// A parsed JSON-RPC id (a string or an integer) as the SDK types it.
    static func id(_ value: Value) -> ID? {
        switch value {
        case .string(let text): .string(text)
        case .int(let number): .number(number)
        default: nil
        }
    }

    /// Classifies one parsed JSON value; `nil` when it is not a valid JSON-RPC 2.0 message.
    ///
    /// A request (or notification) has a non-empty string `method` and neither `result` nor
    /// `error`; a response has a string or integer `id` and exactly one of `result` and
    /// `error` (an object with an integer `code` and a string `message`); `params`, when
    /// present, is an object or an array. Anything else is refused here, before a stream
    /// opens or an id is taken: the SDK would read a request that also carries `result` as a
    /// response and never answer it, leaving its POST stream open and its id in use.
    init?(_ value: Value) {
        guard case .object(let message) = value, message["jsonrpc"] == .string("2.0") else { return nil }
        let hasResult = message["result"] != nil
        let hasError = message["error"] != nil
        var params: [String: Value]?
        switch message["params"] {
        case nil, .array?: break
        case .object(let fields)?: params = fields
        default: return nil
        }
        paramsAreObject = message["params"] == nil || params != nil
        if let named = message["method"] {
            guard case .string(let method) = named, !method.isEmpty, !hasResult, !hasError else { return nil }
            self.method = method
            if let id = message["id"] {
                guard let key = Self.key(id) else { return nil }
                kind = .request(id: key)
                self.id = Self.id(id)
                if method == "initialize" { readInitialize(params ?? [:]) }
                if case .object(let meta)? = params?["_meta"], let token = meta["progressToken"] {
                    progressToken = Self.key(token)
                }
                if method == "tools/call", let params { toolCall = ToolCallRequest(id: id, params: params) }
            } else {
                kind = .notification
                if method == "notifications/progress", let token = params?["progressToken"] {
                    progressToken = Self.key(token)
                }
                if method == "notifications/cancelled", let target = params?["requestId"] {
                    cancelledRequest = Self.key(target)
                }
            }
        } else {
            guard let id = message["id"], let key = Self.key(id), hasResult != hasError, message["params"] == nil
            else { return nil }
            if hasError {
                guard case .object(let error)? = message["error"], case .int? = error["code"],
                    case .string? = error["message"]
                else { return nil }
            }
            kind = .response(id: key)
        }
    }

    /// Reads what the session needs of an `initialize` request's params.
    private mutating func readInitialize(_ fields: [String: Value]) {
        if case .string(let version)? = fields["protocolVersion"] { requestedVersion = version }
        var clientValid = fields["clientInfo"] == nil
        if case .object(let client)? = fields["clientInfo"], case .string? = client["name"],
            case .string? = client["version"]
        {
            clientValid = true
        }
        var capabilitiesValid = fields["capabilities"] == nil
        if case .object? = fields["capabilities"] { capabilitiesValid = true }
        initializeParamsValid =
            (fields["protocolVersion"] == nil || requestedVersion != nil) && capabilitiesValid && clientValid
    }

    /// A JSON-RPC error response body (`id` null when the request's id is unknown).
    static func errorBody(code: Int, message: String, id: Value? = nil) -> Data {
        // By hand, as every answer on the hot paths is (see JSONText): JSONSerialization's
        // sorted keys compare through ICU.
        let idJSON = id.flatMap { Self.id($0) }.map(JSONText.id) ?? "null"
        return Data(
            (#"{"error":{"code":\#(code),"message":"# + JSONText.quoted(message) + #"},"id":"# + idJSON
                + #","jsonrpc":"2.0"}"#).utf8
        )
    }
}
