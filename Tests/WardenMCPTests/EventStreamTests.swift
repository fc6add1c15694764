import NIOCore
import Synchronization
import Testing

@testable import WardenMCP

/// What a reconnecting client gets back: a Streamable HTTP stream replays what it missed; an
/// HTTP+SSE stream, which the protocol never resumes, keeps nothing to replay.
@Suite struct EventStreamTests {
    private func replayed(resumable: Bool) async -> [String] {
        let stream = EventStream(number: 3, resumable: resumable)
        _ = stream.attach()
        stream.send("one")
        stream.send("two")
        let resumed = stream.attach(after: 1)
        stream.finish()
        var texts: [String] = []
        for await buffer in resumed.buffers { texts.append(String(buffer: buffer)) }
        return texts
    }

    @Test func aResumableStreamReplaysWhatCameAfterTheLastEventID() async {
        #expect(await replayed(resumable: true) == ["id: 3-2\ndata: two\n\n"])
    }

    @Test func anHTTPPlusSSEStreamKeepsNoReplay() async {
        #expect(await replayed(resumable: false).isEmpty)
    }

    /// A connection that never writes: droppable events stop at the soft bound, and the first
    /// message past the hard bound finishes the stream, reports what was never written, and
    /// leaves nothing more held.
    @Test func aStreamPastItsHardBacklogIsGivenUp() {
        let stream = EventStream(number: 1, limits: .init(droppable: 1000, hard: 5000))
        let missed = Mutex<[Int]>([])
        let connection = stream.attach { count in missed.withLock { $0.append(count) } }
        let kilobyte = String(repeating: "x", count: 1000)  // 1016 bytes as an event
        #expect(stream.send(kilobyte, droppable: true))
        #expect(!stream.send(kilobyte, droppable: true))  // past the soft bound
        var sent = 0
        while stream.send(kilobyte) { sent += 1 }
        #expect(sent == 3)
        #expect(stream.isFinished)
        #expect(missed.withLock { $0 } == [4])  // three sent and unwritten, and the one refused
        #expect(stream.backlog <= 5000)
        #expect(!stream.send(kilobyte))
        #expect(missed.withLock { $0 }.count == 1)
        #expect(connection.number == 1)
    }

    /// Written bytes leave the backlog: a client that keeps up is never given up.
    @Test func aClientThatReadsIsNeverGivenUp() async {
        let stream = EventStream(number: 1, limits: .init(droppable: 1000, hard: 5000))
        let connection = stream.attach { _ in Issue.record("given up") }
        var iterator = connection.chunks.makeAsyncIterator()
        for _ in 0..<100 {
            #expect(stream.send(String(repeating: "y", count: 1000)))
            if let chunk = await iterator.next() { stream.written(chunk, by: connection.number) }
        }
        #expect(stream.backlog == 0)
    }
}
