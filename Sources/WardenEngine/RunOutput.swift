/// The live output of one run: stdout and stderr chunks in the order the child wrote them.
///
/// The sequence ends when the run ends. It is valid only inside the closure passed to
/// ``Supervisor/execute(_:output:)``; chunks not consumed by then are dropped (the result still
/// holds the captured output).
public struct RunOutput: AsyncSequence, Sendable {
    public typealias Element = OutputChunk
    let stream: AsyncStream<OutputChunk>

    public func makeAsyncIterator() -> AsyncStream<OutputChunk>.Iterator {
        stream.makeAsyncIterator()
    }
}
