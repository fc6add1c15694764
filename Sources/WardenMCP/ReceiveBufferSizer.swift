import NIOCore

/// Starts each connection's receive buffer small. NIO keeps one pooled receive buffer per
/// connection, first sized 2 KiB, for as long as the connection is open; most requests here
/// are a few hundred bytes and an open SSE stream reads nothing more, so it starts at 512
/// bytes and grows as reads fill it. Added to each new connection, it sets the option and
/// removes itself.
final class ReceiveBufferSizer: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Never

    func handlerAdded(context: ChannelHandlerContext) {
        let allocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536)
        _ = context.channel.setOption(ChannelOptions.recvAllocator, value: allocator)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
