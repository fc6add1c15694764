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
