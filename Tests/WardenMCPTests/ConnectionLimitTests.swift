import HummingbirdTesting
import Testing
import WardenEngine

@testable import WardenMCP

/// Slow and idle connections cannot hold the server: deadlines close them, and past the
/// connection limit the oldest of them make room for new ones.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ConnectionLimitTests {
    func withServer(
        configuration configure: (inout ServerConfiguration) -> Void,
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        let sandbox: (inout SandboxConfiguration) -> Void = { $0.standbySandboxes = 0 }
        try await LiveServer.with(identityBase: 316_000, sandbox: sandbox, configuration: configure) { client, _ in
            try await body(try #require(client.port))
        }
    }

    static func health(_ port: Int) async throws -> Int? {
        let connection = try RawHTTPConnection(port: port)
        try connection.send(RawHTTPConnection.request("GET", "/healthz", port: port))
        return try await connection.status()
    }

    @Test func halfSentRequestsAreClosedAtTheirDeadlines() async throws {
        let configure: (inout ServerConfiguration) -> Void = {
            $0.headerTimeout = .seconds(1)
            $0.requestTimeout = .seconds(1)
        }
        try await withServer(configuration: configure) { port in
            // Headers never finished, and a body never finished.
            let slow = try (0..<20).map { _ in try RawHTTPConnection(port: port) }
            for connection in slow { try connection.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") }
            let body = try RawHTTPConnection(port: port)
            try body.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 100\r\n\r\n{")
            #expect(try await Self.health(port) == 200)
            for connection in slow + [body] { #expect(try await connection.closesWithin(.seconds(10))) }
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterItsIdleTime() async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.idleConnectionTimeout = .seconds(1) }
        try await withServer(configuration: configure) { port in
            let connection = try RawHTTPConnection(port: port)
            try connection.send(RawHTTPConnection.request("GET", "/healthz", port: port))
            #expect(try await connection.status() == 200)
            #expect(try await connection.closesWithin(.seconds(10)))
        }
    }

    @Test func pastTheLimitTheOldestSlowConnectionsMakeRoomForNewOnes() async throws {
        // No deadline closes them during the test: only shedding can.
        let configure: (inout ServerConfiguration) -> Void = {
            $0.maxConnections = 8
            $0.headerTimeout = .seconds(60)
        }
        try await withServer(configuration: configure) { port in
            let slow = try (0..<20).map { _ in try RawHTTPConnection(port: port) }
            for connection in slow { try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") }
            #expect(try await Self.health(port) == 200)
            // 21 connections, 8 kept: at least 13 of the slow ones were closed to make room.
            var shed = 0
            for connection in slow where try await connection.closesWithin(.milliseconds(300)) { shed += 1 }
            #expect(shed >= 13)
        }
    }
}
