import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import WardenMCP

/// What the server refuses before any work: messages of no valid shape, bodies too deep or
/// batches too long, batches outside protocol 2025-03-26, repeated headers, and session ids of
/// the other transport.
extension MCPServerTests {
    static let resourcesList = #"{"jsonrpc":"2.0","id":4,"method":"resources/list","params":{}}"#

    /// The JSON-RPC error code and id of a refusal.
    static func refusal(_ response: TestResponse) -> (code: Int?, id: Any?) {
        let object =
            (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
        return ((object?["error"] as? [String: Any])?["code"] as? Int, object?["id"])
    }

    /// A request that also carries `result` (which the SDK would take for a response and never
    /// answer) gets -32600 at once with its id, and the id stays free.
    @Test func aMessageNeitherRequestNorResponseIsRefusedAndLeavesItsIDFree() async throws {
        try await withServer { client in
            let port = try #require(client.port)
            let session = try await Self.initialize(client)
            for (json, id) in [
                (#"{"jsonrpc":"2.0","id":4,"method":"resources/list","params":{},"result":[]}"#, 4 as Int?),
                (#"{"jsonrpc":"2.0","id":4,"method":"resources/list","error":{"code":1,"message":"x"}}"#, 4),
                (#"{"jsonrpc":"2.0","id":4,"result":{},"error":{"code":1,"message":"x"}}"#, 4),
                (#"{"jsonrpc":"2.0","result":{}}"#, nil),
                (#"{"jsonrpc":"2.0","id":4,"error":"bad"}"#, 4),
                (#"{"jsonrpc":"2.0","id":4,"method":7}"#, 4),
                (#"{"jsonrpc":"2.0","id":4,"method":"ping","params":3}"#, 4),
                (#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#, nil),
                (#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, nil),
                (#"{"jsonrpc":"2.0","id":[1],"result":{}}"#, nil),
            ] {
                // On a raw socket: before the fix the answer was an SSE stream that never ended.
                let connection = try RawHTTPConnection(port: port)
                let headers = [
                    ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
                    ("Mcp-Session-Id", session),
                ]
                try connection.send(RawHTTPConnection.request("POST", "/mcp", port: port, headers: headers, body: json))
                let text = try await connection.read(until: #""jsonrpc":"2.0"}"#, timeout: .seconds(5))
                #expect(try await connection.status() == 400, "\(json)")
                let body = text.components(separatedBy: "\r\n\r\n").last ?? ""
                let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                #expect((object?["error"] as? [String: Any])?["code"] as? Int == -32600, "\(json)")
                #expect(object?["id"] as? Int == id, "\(json)")
            }
            let list = try await Self.post(client, Self.resourcesList, session: session)
            #expect(list.status == .ok)
            #expect((Self.events(list).last?["result"] as? [String: Any])?["resources"] != nil)
        }
    }

    /// A body nested deeper than `maxMessageDepth` is refused before the SDK decodes it (a
    /// 559-byte one nested 250 deep cost it 300-370 ms of CPU); normal tool arguments pass.
    @Test func deeplyNestedBodiesAreRefusedAndNormalArgumentsPass() async throws {
        try await withServer { client in
            let session = try await Self.initialize(client)
            let depth = 250
            let deep =
                #"{"jsonrpc":"2.0","id":5,"method":"resources/list","params":{"x":"#
                + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}}"
            let refused = try await Self.post(client, deep, session: session)
            #expect(refused.status == .badRequest && Self.refusal(refused).code == -32600)
            let call = try await Self.post(
                client,
                """
                {"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"write_file","arguments":{"path":"n.json","content":"{\\"a\\":[[{\\"b\\":[1,2,{\\"c\\":null}]}]]}"},"_meta":{"progressToken":"t","x":{"y":{"z":[[[1]]]}}}}}
                """,
                session: session
            )
            #expect((Self.events(call).last?["result"] as? [String: Any])?["isError"] as? Bool == false)
            let run = try await Self.post(
                client,
                """
                {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"import os\\nprint(os.environ['A'])","env":{"A":"nested"}}}}
                """,
                session: session
            )
            let result = Self.events(run).last?["result"] as? [String: Any]
            #expect((result?["structuredContent"] as? [String: Any])?["stdout"] as? String == "nested\n")
        }
    }

    /// Batches exist only in protocol 2025-03-26: a session at another version gets -32600,
    /// and a batch longer than `maxBatchItems` is refused in any session.
    @Test func batchesOnlyAt20250326AndNoLongerThanTheCap() async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.maxBatchItems = 4 }
        try await withServer(configuration: configure) { client in
            let batch = #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#
            let latest = try await Self.initialize(client)
            let refused = try await Self.post(client, batch, session: latest)
            #expect(refused.status == .badRequest && Self.refusal(refused).code == -32600)
            let initialize = try await Self.post(
                client,
                """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}
                """
            )
            let old = try #require(initialize.headers[Self.sessionHeader])
            let answered = try await Self.post(client, batch, session: old)
            #expect(answered.status == .ok)
            #expect(String(buffer: answered.body).contains("\"id\":2"))
            let long =
                "[" + (1...5).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"ping"}"# }.joined(separator: ",") + "]"
            let tooLong = try await Self.post(client, long, session: old)
            #expect(tooLong.status == .badRequest && Self.refusal(tooLong).code == -32600)
            // A batched initialize is refused before it opens a session.
            let batchedInit = try await Self.post(
                client,
                #"[{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}]"#
            )
            #expect(batchedInit.status == .badRequest && batchedInit.headers[Self.sessionHeader] == nil)
        }
    }

    /// Two of a header the guard or a route reads (RFC 9112 forbids two `Host`) get 400, on
    /// any path: here `/healthz`, which answers 200 to the same request with each header once.
    @Test func repeatedHeadersAreRefused() async throws {
        try await withServer { client in
            let port = try #require(client.port)
            let origin = "http://127.0.0.1:\(port)"
            for repeated in [
                [("Host", "127.0.0.1:\(port)")],
                [("Host", "evil.example")],
                [("Origin", origin), ("Origin", origin)],
                [("Authorization", "Bearer a"), ("Authorization", "Bearer a")],
                [("Mcp-Session-Id", "a"), ("Mcp-Session-Id", "b")],
                [("MCP-Protocol-Version", "2025-11-25"), ("MCP-Protocol-Version", "2025-06-18")],
            ] {
                let connection = try RawHTTPConnection(port: port)
                try connection.send(RawHTTPConnection.request("GET", "/healthz", port: port, headers: repeated))
                #expect(try await connection.status() == 400, "\(repeated)")
                let single = try RawHTTPConnection(port: port)
                let once = repeated[0].0 == "Host" ? [] : [repeated[0]]
                try single.send(RawHTTPConnection.request("GET", "/healthz", port: port, headers: once))
                #expect(try await single.status() == 200, "\(once)")
            }
        }
    }

    /// A session of one transport is unknown to the other's routes: an HTTP+SSE session id on
    /// `/mcp` (POST, GET, DELETE) and a Streamable HTTP one on `/messages` get 404, and
    /// nothing happens to the session.
    @Test func sessionIDsOfTheOtherTransportAreUnknown() async throws {
        try await withServer { client, server in
            let port = try #require(client.port)
            let sse = try RawHTTPConnection(port: port)
            try sse.send(
                RawHTTPConnection.request("GET", "/sse", port: port, headers: [("Accept", "text/event-stream")])
            )
            let legacy = try Self.legacySessionID(try await sse.read(until: "\n\n", timeout: .seconds(10)))
            // On raw sockets: before the fix a POST here got a 200 stream that never ended.
            let ping = #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#
            for (method, body) in [("POST", ping), ("GET", ""), ("DELETE", "")] {
                let connection = try RawHTTPConnection(port: port)
                let headers = [
                    ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
                    ("Mcp-Session-Id", legacy),
                ]
                try connection.send(RawHTTPConnection.request(method, "/mcp", port: port, headers: headers, body: body))
                #expect(try await connection.status() == 404, "\(method)")
            }
            #expect(await server.registry.count == 1)

            let streamable = try await Self.initialize(client)
            let message = try await client.execute(
                uri: "/messages?session_id=\(streamable)",
                method: .post,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#)
            )
            #expect(message.status == .notFound)
            // Its stream ends with its session (the server's shutdown waits for open responses).
            await server.registry.closeAll()
            sse.close()
        }
    }

    /// The session id in an HTTP+SSE stream's `endpoint` event.
    static func legacySessionID(_ text: String) throws -> String {
        let range = try #require(text.range(of: "session_id="))
        return String(text[range.upperBound...].prefix { $0.isHexDigit })
    }
}
