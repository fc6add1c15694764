/// How `warden serve` listens and what it allows.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Bearer token required on every MCP request when set; required when `host` is not loopback.
    public var token: String?
    public var maxSessions = 10_000
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// Largest accepted request body.
    public var maxBodyBytes = 4 << 20
    /// JSON-RPC bodies nested deeper than this are refused (400, -32600). No MCP message needs
    /// more than a handful of levels (a tool's arguments sit at the third); the SDK's decoding
    /// of a message costs time that grows with its depth: a 566-byte `resources/list` nested
    /// 250 deep cost 90 ms of server CPU, one nested 31 deep 1.5 ms, a `ping` 1 ms (debug
    /// build, 2 cores; refused, the deep one costs 0.5 ms).
    public var maxMessageDepth = 32
    /// Messages in one JSON-RPC batch (protocol 2025-03-26 only; other sessions get none):
    /// more are refused (400, -32600). The SDK handles a batch's messages one after another,
    /// ~9 ms each (`tools/list`, debug build): a 33 KB batch of 600 cost 5.1 s of CPU, one of
    /// 32 0.28 s; 16 keeps a batch near a tenth of a second.
    public var maxBatchItems = 16
    /// Unwritten bytes of one SSE stream past which its droppable events (progress, log
    /// mirrors) are dropped for a client that is not reading.
    public var droppableBacklogBytes = 1 << 20
    /// Unwritten bytes of one SSE stream past which its client is given up on: the stream
    /// finishes and its connection closes (an HTTP+SSE session ends with it, its runs
    /// killed). Responses are never dropped, so without it a client that never reads could
    /// make the server hold every response it is sent.
    public var maxBacklogBytes = 8 << 20
    /// Extra `Host` header values accepted besides the loopback names with the bound port.
    public var allowedHosts: [String] = []
    /// Extra `Origin` values accepted besides http(s)://localhost and 127.0.0.1 with the port.
    public var allowedOrigins: [String] = []
    /// Comment lines on idle SSE streams, so proxies and clients keep them open; a write is
    /// also how a closed connection is noticed (an HTTP+SSE session ends with its stream).
    public var keepAliveInterval: Duration = .seconds(5)
    /// `read_file` refuses (`too_large`) a whole read of a larger file, or a longer range.
    public var readCapBytes = 256 << 10
    /// Images a run created that are attached to its result: how many, and how large each.
    public var maxImages = 4
    public var maxImageBytes = 192 << 10
    /// HTTP connections kept open at most; past it, the oldest idle or still-sending connection
    /// is closed to make room (see ``ConnectionTable``). Clamped to half the file descriptors
    /// the process may open.
    public var maxConnections = 4096
    /// How long a new connection may take to send its first request head.
    public var headerTimeout: Duration = .seconds(10)
    /// How long a request may take to arrive whole, from its head.
    public var requestTimeout: Duration = .seconds(30)
    /// How long a connection with nothing in flight stays open.
    public var idleConnectionTimeout: Duration = .seconds(60)
    /// Threads for blocking workspace work (file tools, a run's snapshots); each session uses
    /// one at a time (see ``WorkspaceWorkers``).
    public var workspaceThreads = 2

    public init() {}

    /// Whether `host` is a loopback address (binding beyond it requires a token).
    public var bindsLoopbackOnly: Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}
