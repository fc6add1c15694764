import Foundation
import MCP
import Testing

@testable import WardenMCP

/// The hand-written `tools/call` response must say exactly what the SDK's `JSONEncoder` says.
@Suite struct ToolResultJSONTests {
    private struct Response: Encodable {
        let jsonrpc = "2.0"
        let id: ID
        let result: CallTool.Result
    }

    private func parsed(_ text: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    private func expectSame(_ id: ID, _ result: CallTool.Result) throws {
        let written = try #require(ToolResultJSON.response(id: id, result: result))
        let encoded = try #require(
            String(data: try JSONEncoder.plain.encode(Response(id: id, result: result)), encoding: .utf8)
        )
        #expect(try parsed(written) == parsed(encoded), "\(written)\n\(encoded)")
    }

    @Test func aRunResultWithEveryKindOfContent() throws {
        let structured: Value = [
            "status": "failed", "exit_code": 3, "signal": nil, "stdout": "a \"quoted\"\n\u{1}line\\ é 🚀 /slash",
            "duration_ms": 12, "ratio": 2.5, "whole": 2.0, "huge": 1e20, "tiny": 1e-7, "flag": true,
            "files": [["path": "out.png", "change": "created", "size": 10], []], "empty": [:],
        ]
        let result = try CallTool.Result(
            content: [
                .text(text: "failed, exit code 3", annotations: nil, _meta: nil),
                .text(text: ToolResultJSON.json(structured) ?? "", annotations: nil, _meta: nil),
                .image(data: "iVBORw0KGgo=", mimeType: "image/png", annotations: nil, _meta: nil),
                .resourceLink(
                    uri: "file:///workspace/.warden/output/run-1.stdout.txt",
                    name: "run-1.stdout.txt",
                    description: "The whole stdout of the run",
                    mimeType: "text/plain"
                ),
                .resourceLink(uri: "file:///workspace/x", name: "x", title: "X"),
            ],
            structuredContent: structured,
            isError: true
        )
        try expectSame(.number(42), result)
        try expectSame(.string("call-\"7\""), result)
    }

    @Test func plainResultsWithAndWithoutIsError() throws {
        try expectSame(.number(1), CallTool.Result(content: [.text(text: "ok", annotations: nil, _meta: nil)]))
        try expectSame(.number(2), CallTool.Result(content: [], isError: false))
        try expectSame(
            .number(3),
            try CallTool.Result(content: [], structuredContent: .data(mimeType: "text/plain", Data("hi".utf8)))
        )
    }

    @Test func contentItDoesNotKnowGoesBackToTheEncoder() throws {
        let audio = CallTool.Result(content: [.audio(data: "AAAA", mimeType: "audio/wav", annotations: nil, _meta: nil)]
        )
        #expect(ToolResultJSON.response(id: .number(1), result: audio) == nil)
        let infinite = CallTool.Result(content: [], structuredContent: .double(.infinity))
        #expect(ToolResultJSON.response(id: .number(1), result: infinite) == nil)
    }
}
