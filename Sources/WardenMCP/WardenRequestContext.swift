public import Hummingbird
public import NIOCore

/// Hummingbird's basic context, plus the connection's event loop (see ``EventLoopTaskExecutor``).
public struct WardenRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The loop of the connection the request came on.
    public let eventLoop: any EventLoop

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
    }
}
