import Foundation
import NIOCore
import Synchronization

/// One server-sent event stream: the body of a POST answered with SSE, the standalone GET
/// stream, or the legacy HTTP+SSE stream.
///
/// Events are numbered `<stream>-<n>` (unique per session). The last events are kept in a
/// bounded buffer so a client that reconnects with `Last-Event-ID` gets what it missed; the
/// buffer goes when the stream finishes. Events not yet written to the connection are counted
/// (its backlog): past ``BacklogLimits/droppable``, droppable events (progress, log mirrors)
/// are dropped, so a client that stops reading cannot make the server hold a run's whole
/// output; past ``BacklogLimits/hard`` (responses are never dropped, so they could pile up
/// without end), the stream finishes and its connection is given up (see ``attach(after:onOverflow:)``).
final class EventStream: Sendable {
    let number: Int
    private struct State {
        var continuation: AsyncStream<Chunk>.Continuation?
        var sequence = 0
        var replay: [(Int, String)] = []
        var replayBytes = 0
        var finished = false
        /// Bytes handed to the current connection and not yet written.
        var backlog = 0
        /// Messages (events that are never dropped) among them.
        var unwrittenMessages = 0
        /// Which connection is current: each `attach` starts a new one.
        var connection = 0
        /// What the current connection does when the backlog passes the hard limit.
        var onOverflow: (@Sendable (_ missedMessages: Int) -> Void)?
    }

    /// How much unwritten output a stream may hold (``ServerConfiguration`` documents each).
    struct BacklogLimits: Sendable {
        var droppable = 1 << 20
        var hard = 8 << 20
    }

    /// One piece of the stream for the connection to write.
    struct Chunk: Sendable {
        let buffer: ByteBuffer
        /// An event that is never dropped (a response, a request): counted as missed when
        /// the connection is given up before writing it.
        let isMessage: Bool
    }

    /// One HTTP response reading this stream.
    struct Connection: Sendable {
        let chunks: AsyncStream<Chunk>
        let number: Int

        /// The bytes to write, in order.
        var buffers: AsyncMapSequence<AsyncStream<Chunk>, ByteBuffer> { chunks.map(\.buffer) }
    }
    private let state = Mutex(State())
    /// At most this many bytes of past events are kept for replay (none when 0).
    private let replayLimit: Int
    let limits: BacklogLimits
    /// The replay limit of a resumable stream.
    static let resumableReplayLimit = 256 << 10

    /// - Parameter resumable: whether a client may resume it with `Last-Event-ID` (a
    ///   Streamable HTTP stream); an HTTP+SSE stream cannot be resumed, so it keeps no replay.
    init(number: Int, resumable: Bool = true, limits: BacklogLimits = BacklogLimits()) {
        self.number = number
        self.replayLimit = resumable ? Self.resumableReplayLimit : 0
        self.limits = limits
    }

    /// A new connection for an HTTP response (the previous one ends); it replays the events
    /// after `lastSequence` first.
    /// - Parameter onOverflow: called (once, outside any lock) when the backlog passes the
    ///   hard limit, with the number of messages this connection will never write; the
    ///   stream has finished by then, and the caller closes the connection, which frees what
    ///   its writer held.
    func attach(
        after lastSequence: Int? = nil,
        onOverflow: (@Sendable (_ missedMessages: Int) -> Void)? = nil
    ) -> Connection {
        let (stream, continuation) = AsyncStream.makeStream(of: Chunk.self, bufferingPolicy: .unbounded)
        let (finished, number) = state.withLock { state -> (Bool, Int) in
            state.continuation?.finish()
            state.continuation = continuation
            state.connection += 1
            state.backlog = 0
            state.unwrittenMessages = 0
            state.onOverflow = onOverflow
            if let lastSequence {
                for (sequence, text) in state.replay where sequence > lastSequence {
                    continuation.yield(Chunk(buffer: ByteBuffer(string: text), isMessage: false))
                    state.backlog += text.utf8.count
                }
            }
            return (state.finished, state.connection)
        }
        if finished { continuation.finish() }
        return Connection(chunks: stream, number: number)
    }

    /// Ends `connection` (its client has gone) without finishing the stream: a Streamable HTTP
    /// client may resume it. Events sent meanwhile are kept only for replay.
    func detach(_ connection: Int) {
        let continuation = state.withLock { state -> AsyncStream<Chunk>.Continuation? in
            guard state.connection == connection else { return nil }
            defer {
                state.continuation = nil
                state.onOverflow = nil
                state.backlog = 0
                state.unwrittenMessages = 0
            }
            return state.continuation
        }
        continuation?.finish()
    }

    /// Sends a comment that makes the client's SSE parser start (and proxies flush).
    func prime() {
        sendRaw(SSEEvent(id: "\(number)-0", data: "").encoded)
    }

    /// Sends one event; returns false when the stream has finished or the event was dropped.
    /// - Parameter droppable: the event may be dropped while the client is not reading.
    @discardableResult
    func send(_ data: String, event: String? = nil, droppable: Bool = false) -> Bool {
        var overflow: (@Sendable (Int) -> Void, Int, AsyncStream<Chunk>.Continuation?)?
        let sent = state.withLock { state -> Bool in
            guard !state.finished else { return false }
            if droppable && state.backlog > limits.droppable { return false }
            state.sequence += 1
            let text = SSEEvent(id: "\(number)-\(state.sequence)", event: event, data: data).encoded
            if !droppable, state.continuation != nil, state.backlog + text.utf8.count > limits.hard {
                // The client has not read the last `hard` bytes: give it up rather than hold more.
                overflow = (state.onOverflow ?? { _ in }, state.unwrittenMessages + 1, state.continuation)
                state.finished = true
                state.continuation = nil
                state.onOverflow = nil
                state.replay = []
                state.replayBytes = 0
                return false
            }
            if replayLimit > 0 {
                state.replay.append((state.sequence, text))
                state.replayBytes += text.utf8.count
                while state.replayBytes > replayLimit, !state.replay.isEmpty {
                    state.replayBytes -= state.replay.removeFirst().1.utf8.count
                }
            }
            guard let continuation = state.continuation else { return true }
            state.backlog += text.utf8.count
            if !droppable { state.unwrittenMessages += 1 }
            continuation.yield(Chunk(buffer: ByteBuffer(string: text), isMessage: !droppable))
            return true
        }
        if let (onOverflow, missed, continuation) = overflow {
            continuation?.finish()
            onOverflow(missed)
        }
        return sent
    }

    /// `connection` wrote `chunk` (a replaced connection no longer counts).
    func written(_ chunk: Chunk, by connection: Int) {
        state.withLock { state in
            guard state.connection == connection else { return }
            state.backlog = max(0, state.backlog - chunk.buffer.readableBytes)
            if chunk.isMessage { state.unwrittenMessages = max(0, state.unwrittenMessages - 1) }
        }
    }

    /// Bytes handed to the current connection and not yet written (for tests and reports).
    var backlog: Int { state.withLock { $0.backlog } }

    /// Sends raw text without an event id (keep-alive comments).
    func sendRaw(_ text: String) {
        state.withLock { state in
            guard let continuation = state.continuation else { return }
            state.backlog += text.utf8.count
            continuation.yield(Chunk(buffer: ByteBuffer(string: text), isMessage: false))
        }
    }

    /// Ends the stream and frees its replay buffer; with `connection`, only while that
    /// connection is still the current one (a resumed stream outlives the connection it replaced).
    func finish(ifCurrent connection: Int? = nil) {
        let continuation = state.withLock { state -> AsyncStream<Chunk>.Continuation? in
            if let connection, connection != state.connection { return nil }
            state.finished = true
            state.replay = []
            state.replayBytes = 0
            state.onOverflow = nil
            return state.continuation
        }
        continuation?.finish()
    }

    var isFinished: Bool { state.withLock { $0.finished } }
}
