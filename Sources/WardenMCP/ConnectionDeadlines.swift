import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Per connection: how long a client may take to send a request, and to come back with the
/// next one, and the connection's place in the ``ConnectionTable``.
///
/// A connection that has not sent a whole request holds a file descriptor and a task for
/// nothing (100 half-sent requests were all still open after 70 s). So a new connection must
/// send its first request head within `headerTimeout`, a request must arrive whole within
/// `requestTimeout` of its head, and a connection with nothing in flight is closed after
/// `idleTimeout`. A response under way (an SSE stream of any length) has no deadline.
final class ConnectionDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Timeouts: Sendable {
        var header: Duration
        var request: Duration
        var idle: Duration
    }

    private let timeouts: Timeouts
    private let table: ConnectionTable
    /// Requests read whose responses have not ended.
    private var inFlight = 0
    /// A request head was read and its end not yet.
    private var reading = false
    private var servedAny = false
    private var timer: Scheduled<Void>?
    private var registered = false

    init(timeouts: Timeouts, table: ConnectionTable) {
        self.timeouts = timeouts
        self.table = table
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if registered { table.close(ObjectIdentifier(self)) }
        registered = false
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if registered { table.close(ObjectIdentifier(self)) }
        registered = false
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inFlight += 1
            reading = true
            rearm(context)
        case .body: break
        case .end:
            reading = false
            rearm(context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            servedAny = true
            rearm(context)
        }
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        for channel in table.open(ObjectIdentifier(self), context.channel) { channel.close(promise: nil) }
        rearm(context)
    }

    /// Sets the deadline the connection's state calls for (none while a response is under way)
    /// and tells the table whether the connection may be shed.
    private func rearm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        let limit: Duration?
        if reading {
            limit = timeouts.request
        } else if inFlight > 0 {
            limit = nil
        } else {
            limit = servedAny ? timeouts.idle : timeouts.header
        }
        if registered { table.update(ObjectIdentifier(self), sheddable: limit != nil) }
        guard let limit else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(limit.nanoseconds))) {
            channel.close(promise: nil)
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
