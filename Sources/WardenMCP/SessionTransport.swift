import Foundation
import Logging
import MCP

/// Our MCP transport for one session, for either HTTP transport.
///
/// The SDK's own HTTP server transport sends every notification to the standalone GET stream
/// and keeps all events until the session ends (docs/ARCHITECTURE.md, decision 2). This one routes each
/// outgoing message to where the client waits for it: a response to the POST stream that
/// carried its request, a progress notification to the stream of the request that carried
/// its `progressToken`, anything else to the standalone GET stream. In legacy (2024-11-05)
/// mode everything goes to the one SSE stream. A stream finishes when its last response is
/// sent, and its replay buffer goes with it.
actor SessionTransport: Transport, HTTPContextProviding {
    enum Mode: Sendable {
        case streamable
        case legacy
    }

    let logger: Logger
    let mode: Mode
    /// The backlog limits of each of its streams.
    let limits: EventStream.BacklogLimits
    private let incoming: AsyncThrowingStream<Data, any Error>
    private let incomingContinuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var streams: [Int: EventStream] = [:]
    private var requestStreams: [String: EventStream] = [:]
    private var pending: [Int: Set<String>] = [:]
    private var tokenStreams: [String: EventStream] = [:]
    private var standalone: EventStream?
    private var nextStreamNumber = 1
    private(set) var closed = false

    init(mode: Mode, limits: EventStream.BacklogLimits = .init(), logger: Logger) {
        self.mode = mode
        self.limits = limits
        self.logger = logger
        (incoming, incomingContinuation) = AsyncThrowingStream.makeStream(of: Data.self)
    }

    func connect() async throws {}

    func disconnect() async {
        close()
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { incoming }

    /// Routes one message the SDK (or a tool) sends.
    func send(_ data: Data) async throws {
        guard let text = String(data: data, encoding: .utf8) else { return }
        if case .legacy = mode {
            standalone?.send(text, event: "message")
            return
        }
        guard let object = JSONParser.parse(data) else { return }
        if case .array(let batch) = object {
            // The SDK answers a batch with one batch of responses: one event, on the stream of
            // the POST that carried the batch, which then finishes.
            let ids = batch.compactMap { item -> String? in
                guard case .response(let id)? = JSONRPCMessage(item)?.kind else { return nil }
                return id
            }
            respond(text, to: ids)
            return
        }
        guard let message = JSONRPCMessage(object) else { return }
        switch message.kind {
        case .response(let id):
            respond(text, to: [id])
        case .notification:
            // Progress and log mirrors may be dropped for a client that stopped reading.
            let droppable = message.method == "notifications/progress" || message.method == "notifications/message"
            if let token = message.progressToken, let stream = tokenStreams[token] {
                stream.send(text, droppable: droppable)
            } else {
                standalone?.send(text, droppable: droppable)
            }
        case .request:
            standalone?.send(text)
        }
    }

    /// The one route of every response: to the stream of the POST that carried its request
    /// (in legacy mode, the session's one stream), which finishes with its last response.
    /// With `nil`, the request's stream ends without one (a cancelled call).
    func respond(_ text: String?, to requestKey: String) {
        respond(text, to: [requestKey])
    }

    /// Sends `text`, the response to the requests `requestKeys` (a batch's responses come as
    /// one), on the stream of the first of them.
    private func respond(_ text: String?, to requestKeys: [String]) {
        if case .legacy = mode {
            if let text { standalone?.send(text, event: "message") }
            return
        }
        guard let first = requestKeys.first, let stream = requestStreams[first] else { return }
        if let text { stream.send(text) }
        for key in requestKeys where requestStreams[key] === stream {
            requestStreams[key] = nil
            pending[stream.number]?.remove(key)
        }
        if pending[stream.number]?.isEmpty == true { finish(stream) }
    }

    /// Sends a progress or log notification on the stream of a request still in flight; it is
    /// dropped while that stream's client is not reading (see ``EventStream/BacklogLimits``).
    func send(_ data: Data, relatedTo requestKey: String) {
        guard let text = String(data: data, encoding: .utf8) else { return }
        if case .legacy = mode {
            standalone?.send(text, event: "message", droppable: true)
        } else if let stream = requestStreams[requestKey] {
            stream.send(text, droppable: true)
        }
    }

    func httpRequestContext(for id: ID) async -> HTTPRequest? {
        HTTPRequest(method: "POST", headers: ["X-Warden-Request-Key": Self.key(id)])
    }

    static func key(_ id: ID) -> String {
        switch id {
        case .string(let value): return "s:" + value
        case .number(let value): return "n:\(value)"
        }
    }

    // MARK: HTTP side

    /// Hands client messages to the SDK.
    func deliver(_ data: Data) {
        incomingContinuation.yield(data)
    }

    /// A new stream for a POST that carries these requests (id key, progress token key).
    /// `.closed` once the session has closed (its streams would never finish), `.inUse` when
    /// a request reuses the id of one still in flight (its stream would take the other's answer).
    func openRequestStream(for requests: [(id: String, token: String?)]) -> RequestStream {
        guard !closed else { return .closed }
        if let taken = requests.first(where: { requestStreams[$0.id] != nil }) { return .inUse(taken.id) }
        let stream = makeStream()
        pending[stream.number] = Set(requests.map(\.id))
        for request in requests {
            requestStreams[request.id] = stream
            if let token = request.token { tokenStreams[token] = stream }
        }
        return .opened(stream)
    }

    enum RequestStream {
        case opened(EventStream)
        case closed
        case inUse(String)
    }

    /// The standalone GET stream (or, in legacy mode, the session's one stream); `nil` when one
    /// is already open or the session has closed.
    func openStandaloneStream() -> EventStream? {
        guard !closed else { return nil }
        if let standalone, !standalone.isFinished { return nil }
        let stream = makeStream()
        standalone = stream
        return stream
    }

    /// The stream an event id belongs to, if it is still live (for `Last-Event-ID`).
    func stream(forEventID eventID: String) -> (EventStream, Int)? {
        let parts = eventID.split(separator: "-")
        guard parts.count == 2, let number = Int(parts[0]), let sequence = Int(parts[1]),
            let stream = streams[number], !stream.isFinished
        else { return nil }
        return (stream, sequence)
    }

    /// A comment on the standalone (or legacy) stream, so idle connections stay open.
    func keepAlive() {
        standalone?.sendRaw(SSEEvent.keepAlive)
    }

    /// Ends everything: streams finish, the SDK's receive loop ends.
    func close() {
        guard !closed else { return }
        closed = true
        for stream in streams.values { stream.finish() }
        streams = [:]
        requestStreams = [:]
        tokenStreams = [:]
        pending = [:]
        standalone = nil
        incomingContinuation.finish()
    }

    private func makeStream() -> EventStream {
        let stream = EventStream(number: nextStreamNumber, resumable: mode == .streamable, limits: limits)
        nextStreamNumber += 1
        streams[stream.number] = stream
        return stream
    }

    private func finish(_ stream: EventStream) {
        stream.finish()
        streams[stream.number] = nil
        pending[stream.number] = nil
        tokenStreams = tokenStreams.filter { $0.value !== stream }
    }
}
