import Foundation
import NIOCore
import Synchronization

/// One server-sent event stream: the body of a POST answered with SSE, the standalone GET
/// stream, or the legacy HTTP+SSE stream.
///
/// Events are numbered `<stream>-<n>` (unique per session). The last events are kept in a
/// bounded buffer so a client that reconnects with `Last-Event-ID` gets what it missed; the
/// buffer goes when the stream finishes. Events not yet written to the connection are counted:
/// past ``backlogLimit``, droppable events (progress, log mirrors) are dropped, so a client
/// that stops reading cannot make the server hold a run's whole output (responses still go).
final class EventStream: Sendable {
    let number: Int
    private struct State {
        var continuation: AsyncStream<ByteBuffer>.Continuation?
        var sequence = 0
        var replay: [(Int, String)] = []
        var replayBytes = 0
        var finished = false
        /// Bytes handed to the current connection and not yet written.
        var backlog = 0
        /// Which connection is current: each `attach` starts a new one.
        var connection = 0
    }

    /// One HTTP response reading this stream.
    struct Connection: Sendable {
        let buffers: AsyncStream<ByteBuffer>
        let number: Int
    }
    private let state = Mutex(State())
    /// At most this many bytes of past events are kept for replay (none when 0).
    private let replayLimit: Int
    /// The replay limit of a resumable stream.
    static let resumableReplayLimit = 256 << 10
    /// Unwritten bytes past which droppable events are dropped.
    static let backlogLimit = 1 << 20

    /// - Parameter resumable: whether a client may resume it with `Last-Event-ID` (a
    ///   Streamable HTTP stream); an HTTP+SSE stream cannot be resumed, so it keeps no replay.
    init(number: Int, resumable: Bool = true) {
        self.number = number
        self.replayLimit = resumable ? Self.resumableReplayLimit : 0
    }

    /// A new connection for an HTTP response (the previous one ends); it replays the events
    /// after `lastSequence` first.
    func attach(after lastSequence: Int? = nil) -> Connection {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .unbounded)
        let (finished, number) = state.withLock { state -> (Bool, Int) in
            state.continuation?.finish()
            state.continuation = continuation
            state.connection += 1
            state.backlog = 0
            if let lastSequence {
                for (sequence, text) in state.replay where sequence > lastSequence {
                    continuation.yield(ByteBuffer(string: text))
                    state.backlog += text.utf8.count
                }
            }
            return (state.finished, state.connection)
        }
        if finished { continuation.finish() }
        return Connection(buffers: stream, number: number)
    }

    /// Sends a comment that makes the client's SSE parser start (and proxies flush).
    func prime() {
        sendRaw(SSEEvent(id: "\(number)-0", data: "").encoded)
    }

    /// Sends one event; returns false when the stream has finished or the event was dropped.
    /// - Parameter droppable: the event may be dropped while the client is not reading.
    @discardableResult
    func send(_ data: String, event: String? = nil, droppable: Bool = false) -> Bool {
        state.withLock { state in
            guard !state.finished else { return false }
            if droppable && state.backlog > Self.backlogLimit { return false }
            state.sequence += 1
            let text = SSEEvent(id: "\(number)-\(state.sequence)", event: event, data: data).encoded
            if replayLimit > 0 {
                state.replay.append((state.sequence, text))
                state.replayBytes += text.utf8.count
                while state.replayBytes > replayLimit, !state.replay.isEmpty {
                    state.replayBytes -= state.replay.removeFirst().1.utf8.count
                }
            }
            state.backlog += text.utf8.count
            state.continuation?.yield(ByteBuffer(string: text))
            return true
        }
    }

    /// `connection` wrote `count` bytes of this stream (a replaced connection no longer counts).
    func written(_ count: Int, by connection: Int) {
        state.withLock { state in
            if state.connection == connection { state.backlog = max(0, state.backlog - count) }
        }
    }

    /// Sends raw text without an event id (keep-alive comments).
    func sendRaw(_ text: String) {
        state.withLock { state in
            state.backlog += text.utf8.count
            _ = state.continuation?.yield(ByteBuffer(string: text))
        }
    }

    /// Ends the stream and frees its replay buffer; with `connection`, only while that
    /// connection is still the current one (a resumed stream outlives the connection it replaced).
    func finish(ifCurrent connection: Int? = nil) {
        let continuation = state.withLock { state -> AsyncStream<ByteBuffer>.Continuation? in
            if let connection, connection != state.connection { return nil }
            state.finished = true
            state.replay = []
            state.replayBytes = 0
            return state.continuation
        }
        continuation?.finish()
    }

    var isFinished: Bool { state.withLock { $0.finished } }
}
