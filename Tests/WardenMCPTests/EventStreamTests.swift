import NIOCore
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
}
