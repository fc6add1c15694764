import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import WardenEngine

@testable import WardenMCP

/// Slow and idle connections cannot hold the server: deadlines close them, and past the
/// connection limit the oldest of them make room for new ones.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ConnectionLimitTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func withServer(
        configuration configure: (inout ServerConfiguration) -> Void,
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        var sandbox = SandboxConfiguration()
        sandbox.identityBase = 316_000
        sandbox.maxConcurrentRuns = 2
        sandbox.standbySandboxes = 0
        let host = try SandboxHost.prepare(sandbox, logger: Self.logger)
        defer { host.cleanUp() }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configure(&configuration)
        let server = try WardenServer(
            configuration: configuration,
            supervisor: Supervisor(host: host, logger: Self.logger),
            logger: Self.logger
        )
        try await server.application.test(.live) { client in try await body(try #require(client.port)) }
        await server.registry.closeAll()
        try await server.workers.shutDown()
    }

    /// A loopback TCP connection with blocking reads bounded by a receive timeout.
    final class RawConnection {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(connected == 0)
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        /// What the server sent within a second: `nil` when the server closed the connection
        /// (EOF or reset) with nothing more, "" when it is still open and silent.
        func read() -> String? {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { return String(decoding: buffer[..<count], as: UTF8.self) }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return "" }
            return nil
        }

        /// Waits (up to `seconds`) for the server to close the connection.
        func closedByServer(within seconds: Int) -> Bool {
            for _ in 0..<seconds {
                guard let text = read() else { return true }
                if !text.isEmpty { continue }
            }
            return false
        }
    }

    static func health(_ port: Int) throws -> String {
        let connection = try RawConnection(port: port)
        connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        var text = ""
        for _ in 0..<10 {
            guard let part = connection.read() else { break }
            text += part
            if text.contains("\"status\"") { break }
        }
        return text
    }

    @Test func halfSentRequestsAreClosedAtTheirDeadlines() async throws {
        let configure: (inout ServerConfiguration) -> Void = {
            $0.headerTimeout = .seconds(1)
            $0.requestTimeout = .seconds(1)
        }
        try await withServer(configuration: configure) { port in
            // Headers never finished, and a body never finished.
            let slow = try (0..<20).map { _ in try RawConnection(port: port) }
            for connection in slow { connection.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") }
            let body = try RawConnection(port: port)
            body.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 100\r\n\r\n{")
            #expect(try Self.health(port).hasPrefix("HTTP/1.1 200"))
            for connection in slow + [body] { #expect(connection.closedByServer(within: 10)) }
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterItsIdleTime() async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.idleConnectionTimeout = .seconds(1) }
        try await withServer(configuration: configure) { port in
            let connection = try RawConnection(port: port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
            #expect(connection.read()?.hasPrefix("HTTP/1.1 200") == true)
            #expect(connection.closedByServer(within: 10))
        }
    }

    @Test func pastTheLimitTheOldestSlowConnectionsMakeRoomForNewOnes() async throws {
        // No deadline closes them during the test: only shedding can.
        let configure: (inout ServerConfiguration) -> Void = {
            $0.maxConnections = 8
            $0.headerTimeout = .seconds(60)
        }
        try await withServer(configuration: configure) { port in
            let slow = try (0..<20).map { _ in try RawConnection(port: port) }
            for connection in slow { connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") }
            #expect(try Self.health(port).hasPrefix("HTTP/1.1 200"))
            // 21 connections, 8 kept: at least 13 of the slow ones were closed to make room.
            let shed = slow.filter { $0.closedByServer(within: 1) }.count
            #expect(shed >= 13)
        }
    }
}
