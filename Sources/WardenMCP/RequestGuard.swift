import Foundation
import HTTPTypes
import Hummingbird

/// The checks every request passes before it reaches a route: each header it relies on sent at
/// most once (400), `Host` against an allow-list (421) and `Origin` (403), both against DNS
/// rebinding as the MCP specification requires, then the bearer token when one is configured
/// (401).
final class RequestGuard: Sendable {
    let configuration: ServerConfiguration
    let port: BoundPort
    let token: String?

    init(configuration: ServerConfiguration, port: BoundPort) {
        self.configuration = configuration
        self.port = port
        token = configuration.token
    }

    /// Loopback names (with and without the bound port), the bound host, and configured extras.
    var allowedHosts: Set<String> {
        let port = port.current
        var hosts = Set(["127.0.0.1", "localhost", "[::1]"].flatMap { ["\($0):\(port)", $0] })
        if !configuration.bindsLoopbackOnly { hosts.insert("\(configuration.host):\(port)") }
        hosts.formUnion(configuration.allowedHosts.map { $0.lowercased() })
        return hosts
    }

    var allowedOrigins: Set<String> {
        let port = port.current
        var origins = Set<String>()
        for name in ["localhost", "127.0.0.1", "[::1]"] {
            origins.insert("http://\(name):\(port)")
            origins.insert("https://\(name):\(port)")
        }
        origins.formUnion(configuration.allowedOrigins.map { $0.lowercased() })
        return origins
    }

    /// Headers a request may carry at most once. Two `Host` fields make a request invalid
    /// (RFC 9112, section 3.2); two of the others leave it unclear which one a check read and
    /// which one a later reader acts on.
    static let singleFields: [HTTPField.Name] = [
        .origin, .authorization, StreamableHTTPRoutes.sessionHeader, StreamableHTTPRoutes.versionHeader,
    ]
    /// The field name of `Host`: the first one becomes the request's authority, any other stays a field.
    static let hostField = HTTPField.Name("Host")!

    /// The response that refuses `request`, or `nil` when it may go on.
    @inline(never) func refusal(for request: Request) -> Response? {
        if request.headers[values: Self.hostField].count > 0 {
            return Self.plain(.badRequest, "More than one Host header")
        }
        for name in Self.singleFields where request.headers[values: name].count > 1 {
            return Self.plain(.badRequest, "More than one \(name.rawName) header")
        }
        guard let host = request.head.authority, allowedHosts.contains(host.lowercased()) else {
            return Self.plain(.misdirectedRequest, "Host not allowed")
        }
        if let origin = request.headers[.origin], !allowedOrigins.contains(origin.lowercased()) {
            return Self.plain(.forbidden, "Origin not allowed")
        }
        if let token, request.uri.path != "/healthz" {
            let presented = request.headers[.authorization] ?? ""
            guard presented.hasPrefix("Bearer "), Self.constantTimeEqual(String(presented.dropFirst(7)), token) else {
                var response = Self.plain(.unauthorized, "A valid bearer token is required")
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            }
        }
        return nil
    }

    /// The principal a request acts as: the credentials it presented (sessions are bound to
    /// them, compared in constant time; without a configured token everyone is one principal).
    static func principal(of request: Request) -> String {
        request.headers[.authorization] ?? ""
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<min(left.count, right.count) { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n"))
        )
    }
}
