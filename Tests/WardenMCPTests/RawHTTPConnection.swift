import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A client on a plain TCP socket, for what an HTTP client library will not do: send a header
/// twice, stop reading its stream, close it mid-response. Reads never block a thread: they
/// poll the socket and sleep between tries, up to a deadline.
final class RawHTTPConnection {
    private var fd: Int32
    private var received: [UInt8] = []
    /// The server closed the connection (end of stream, or a reset).
    private(set) var closedByPeer = false

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameter receiveBuffer: the socket's receive buffer (`SO_RCVBUF`, set before it
    ///   connects, which also stops the kernel from growing it).
    init(port: Int, receiveBuffer: Int? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            throw Failure(description: "connect: errno \(error)")
        }
    }

    deinit { close() }

    func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: errno \(errno)") }
            bytes = bytes.dropFirst(count)
        }
    }

    /// Everything received until `marker` has arrived, the peer closed, or `timeout` passed.
    func read(until marker: String, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(marker), ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                received += buffer[..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                closedByPeer = true
                break
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Whether the server closes the connection within `timeout` (what it sends meanwhile is
    /// kept, as `read(until:)` keeps it).
    func closesWithin(_ timeout: Duration) async throws -> Bool {
        _ = try await read(until: "\u{0}never\u{0}", timeout: timeout)
        return closedByPeer
    }

    /// The status code of the first response (after `read(until:)` has it).
    func status() async throws -> Int? {
        let text = try await read(until: "\r\n")
        guard text.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }

    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// A request's text: the request line, `Host` for the port, `headers`, then the body.
    static func request(
        _ method: String,
        _ target: String,
        port: Int,
        headers: [(String, String)] = [],
        body: String = ""
    ) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + body
    }
}
