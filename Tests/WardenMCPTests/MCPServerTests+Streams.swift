import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WardenEngine

@testable import WardenMCP

/// SSE clients that go away or stop reading: the server notices a closed stream when the
/// connection closes, not at a later write, and gives up on a stream whose backlog passes its
/// hard bound. Keep-alives are set far apart, so only the connection itself can tell.
extension MCPServerTests {
    static func quiet(_ configuration: inout ServerConfiguration) {
        configuration.keepAliveInterval = .seconds(600)
    }

    /// Polls `condition` every 20 ms for up to `limit` (a generous bound, not a measurement).
    static func eventually(within limit: Duration = .seconds(5), _ condition: () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    /// Opens an HTTP+SSE stream on a raw socket; returns it and its session id.
    static func openLegacyStream(port: Int, receiveBuffer: Int? = nil) async throws -> (RawHTTPConnection, String) {
        let sse = try RawHTTPConnection(port: port, receiveBuffer: receiveBuffer)
        try sse.send(RawHTTPConnection.request("GET", "/sse", port: port, headers: [("Accept", "text/event-stream")]))
        return (sse, try legacySessionID(try await sse.read(until: "\n\n")))
    }

    static func postMessage(
        _ client: some TestClientProtocol,
        session: String,
        _ json: String
    ) async throws
        -> HTTPResponse.Status
    {
        try await client.execute(
            uri: "/messages?session_id=\(session)",
            method: .post,
            headers: [.contentType: "application/json"],
            body: ByteBuffer(string: json)
        ).status
    }

    /// An HTTP+SSE client that closes its stream ends its session, and its run is killed, as
    /// soon as its FIN arrives.
    @Test func closingAnHTTPPlusSSEStreamEndsTheSessionAtOnce() async throws {
        try await withServer(configuration: Self.quiet) { client, server in
            let port = try #require(client.port)
            let (sse, session) = try await Self.openLegacyStream(port: port)
            let call =
                #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"import time\ntime.sleep(30)"}}}"#
            #expect(try await Self.postMessage(client, session: session, call) == .accepted)
            #expect(try await Self.eventually(within: .seconds(20)) { await server.supervisor.runningCount == 1 })
            sse.close()
            let ended = try await Self.eventually {
                let running = await server.supervisor.runningCount
                return await server.registry.count == 0 && running == 0
            }
            #expect(ended)
        }
    }

    /// A Streamable HTTP GET stream whose client closes it frees the session's one standalone
    /// stream at once (and cancels nothing: the session stays).
    @Test func aClosedStandaloneStreamFreesItsSlotAtOnce() async throws {
        try await withServer(configuration: Self.quiet) { client, server in
            let port = try #require(client.port)
            let session = try await Self.initialize(client)
            let headers = [("Accept", "text/event-stream"), ("Mcp-Session-Id", session)]
            let first = try RawHTTPConnection(port: port)
            try first.send(RawHTTPConnection.request("GET", "/mcp", port: port, headers: headers))
            #expect(try await first.status() == 200)
            first.close()
            let reopened = try await Self.eventually {
                guard let again = try? RawHTTPConnection(port: port),
                    (try? again.send(RawHTTPConnection.request("GET", "/mcp", port: port, headers: headers))) != nil
                else { return false }
                return (try? await again.status()) == 200
            }
            #expect(reopened)
            #expect(await server.registry.count == 1)
        }
    }

    /// An HTTP+SSE client that never reads while large responses go out: past the hard backlog
    /// bound its session is closed, rather than the server holding every response.
    @Test func aClientThatNeverReadsLosesItsSessionAtTheHardBound() async throws {
        let configure: (inout ServerConfiguration) -> Void = {
            $0.keepAliveInterval = .seconds(600)
            $0.maxBacklogBytes = 2 << 20
        }
        try await withServer(configuration: configure) { client, server in
            let port = try #require(client.port)
            let (sse, session) = try await Self.openLegacyStream(port: port, receiveBuffer: 4096)
            let content = String(repeating: "a", count: 190 << 10)
            let write =
                #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"write_file","arguments":{"path":"big.txt","content":"\#(content)"}}}"#
            #expect(try await Self.postMessage(client, session: session, write) == .accepted)
            var calls = 0
            // Each response is ~190 KiB: 300 of them are 57 MiB, far past every buffer on the way.
            while calls < 300 {
                calls += 1
                let read =
                    #"{"jsonrpc":"2.0","id":\#(calls + 1),"method":"tools/call","params":{"name":"read_file","arguments":{"path":"big.txt"}}}"#
                guard try await Self.postMessage(client, session: session, read) == .accepted else { break }
                // File tools run one at a time per session, on the workspace threads: at the
                // pace they answer, not faster than the server could ever fall behind.
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await Self.eventually { await server.registry.count == 0 }, "\(calls) calls")
            #expect(calls < 300)
            sse.close()
        }
    }
}
