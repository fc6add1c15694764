public import Hummingbird
public import NIOCore

/// Hummingbird's basic context, plus the connection's channel: its event loop (see
/// ``EventLoopTaskExecutor``), and the channel itself, which an SSE response watches for its
/// client going away (``ClientCloseWatcher``) and closes when the client stops reading.
public struct WardenRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The loop of the connection the request came on.
    public let eventLoop: any EventLoop
    /// The connection the request came on.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
        self.channel = source.channel
    }
}
