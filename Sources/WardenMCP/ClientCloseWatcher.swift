import NIOCore

/// Tells a response in progress that its client has gone: the connection's input closed (a
/// FIN) or the channel closed, whichever comes first.
///
/// The server allows half-closure (Hummingbird's default), so a client's FIN does not close
/// the channel, and an SSE response only writes: without this, a client that closed its
/// stream was noticed at the second keep-alive written after it (8.7 s with the 5 s
/// interval), and an HTTP+SSE session's runs went on meanwhile. The watcher sits first in the
/// pipeline, where the event arrives even while HTTP's pipelining handler holds it back
/// behind requests the client sent after the one in progress. It holds one callback at a
/// time (HTTP/1.1 has one response in progress per connection), so a connection that serves
/// many streams accumulates nothing.
final class ClientCloseWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private var gone = false
    private var onGone: (@Sendable () -> Void)?

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent { signal() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        signal()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        signal()
    }

    private func signal() {
        gone = true
        let callback = onGone
        onGone = nil
        callback?()
    }

    private func observe(_ callback: (@Sendable () -> Void)?) {
        if gone {
            callback?()
        } else {
            onGone = callback
        }
    }

    /// Calls `onGone` (once) when the client of `channel` goes away, or at once if it already
    /// has; `nil` stops watching. A response watches while it writes, and stops when it ends.
    static func watch(_ channel: any Channel, onGone: (@Sendable () -> Void)?) async {
        // Without a watcher (removed when the channel closed), the client has gone.
        let observed: Bool? = try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: ClientCloseWatcher.self).observe(onGone)
            return true
        }.get()
        if observed == nil { onGone?() }
    }

    /// Puts a watcher first in each new connection's pipeline, then removes itself (the
    /// server's own handlers go after HTTP's).
    final class Installer: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = Never

        func handlerAdded(context: ChannelHandlerContext) {
            try? context.pipeline.syncOperations.addHandler(ClientCloseWatcher(), position: .first)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
