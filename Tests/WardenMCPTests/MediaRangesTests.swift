import Testing

@testable import WardenMCP

/// The `Accept` and `Content-Type` checks of `/mcp` (406 and 415 when they fail).
@Suite struct MediaRangesTests {
    @Test func acceptListsRangesWithParametersWildcardsAndCase() {
        let sse = "text/event-stream"
        #expect(MediaRanges.accept("application/json, text/event-stream", admits: sse))
        #expect(MediaRanges.accept("Application/JSON;q=0.9 ,\tText/Event-Stream ; q=1", admits: sse))
        #expect(MediaRanges.accept("*/*", admits: sse))
        #expect(MediaRanges.accept("text/*", admits: sse))
        #expect(MediaRanges.accept("application/json, text/event-stream", admits: "application/json"))
        #expect(!MediaRanges.accept("application/json", admits: sse))
        #expect(!MediaRanges.accept("", admits: sse))
        #expect(!MediaRanges.accept("text/event-streams", admits: sse))
        #expect(!MediaRanges.accept("application/*", admits: sse))
        // q=0 is "not acceptable".
        #expect(!MediaRanges.accept("text/event-stream;q=0", admits: sse))
        #expect(!MediaRanges.accept("text/event-stream; q=0.000, application/json", admits: sse))
        #expect(MediaRanges.accept("text/event-stream;q=0.1", admits: sse))
    }

    @Test func contentTypeIsTheMediaTypeBeforeParameters() {
        #expect(MediaRanges.contentType("application/json", is: "application/json"))
        #expect(MediaRanges.contentType("Application/Json; charset=utf-8", is: "application/json"))
        #expect(MediaRanges.contentType(" application/json ", is: "application/json"))
        #expect(!MediaRanges.contentType("application/jsonx", is: "application/json"))
        #expect(!MediaRanges.contentType("text/plain", is: "application/json"))
        #expect(!MediaRanges.contentType("", is: "application/json"))
    }
}
