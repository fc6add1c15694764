import Foundation
import MCP
import Testing

@testable import WardenMCP

/// The parser every JSON-RPC body goes through: what it accepts and refuses must match
/// `JSONSerialization` (which the server used before), and hostile input must fail cleanly.
@Suite struct JSONParserTests {
    private func parse(_ text: String) -> Value? { JSONParser.parse(Array(text.utf8)) }

    @Test func readsEveryKindOfValue() throws {
        let value = parse(
            #" { "s" : "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00" , "n": [0, -1, 2.5, -0.5e1, 1E2, 1.0, 12345678901234567],"#
                + #" "t": true, "f": false, "z": null, "o": {}, "a": [] } "#
        )
        let object = try #require(value.flatMap { if case .object(let o) = $0 { o } else { nil } })
        #expect(object["s"] == .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀"))
        #expect(
            object["n"]
                == .array([.int(0), .int(-1), .double(2.5), .int(-5), .int(100), .int(1), .int(12_345_678_901_234_567)])
        )
        #expect(object["t"] == .bool(true))
        #expect(object["f"] == .bool(false))
        #expect(object["z"] == .null)
        #expect(object["o"] == .object([:]))
        #expect(object["a"] == .array([]))
        #expect(parse(#"{"k":1,"k":2}"#) == .object(["k": .int(2)]))
        #expect(parse(" 7 ") == .int(7))
        #expect(parse(#""x""#) == .string("x"))
        #expect(parse("1e300") == .double(1e300))
    }

    @Test func refusesWhatIsNotJSON() {
        let bad = [
            "", " ", "{", "}", "[1,]", "[,1]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, "{'a':1}", "[1 2]",
            "01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "1e400", "tru", "nul", "True",
            #""abc"#, #""a\x""#, #""\u12""#, #""\u12G4""#, "\"tab\there\"", "\"nl\nhere\"",
            #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "{} {}", "[] x", "\u{feff}{}",
        ]
        for text in bad {
            #expect(parse(text) == nil, "\(text.debugDescription)")
            // The parser the server used before agrees that these are not JSON, but for trailing
            // commas (which it took) and a byte-order mark (RFC 8259 lets a parser skip one).
            if !["[1,]", #"{"a":1,}"#, "\u{feff}{}"].contains(text) {
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) == nil,
                    "\(text.debugDescription)"
                )
            }
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) == nil)
        #expect(JSONParser.parse([0x22, 0xC3, 0x22]) == nil)
        #expect(JSONParser.parse([0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]) == nil)  // an encoded surrogate
        #expect(JSONParser.parse([0x22, 0xC3, 0xA9, 0x22]) == .string("é"))
    }

    @Test func deepNestingIsRefusedWithoutRecursingIntoIt() {
        let fine =
            String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(parse(fine) != nil)
        let deep =
            String(repeating: "[", count: JSONParser.maxDepth + 1)
            + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(parse(deep) == nil)
        // A hostile body: a million openings, never closed, of arrays and objects.
        #expect(parse(String(repeating: "[", count: 1_000_000)) == nil)
        #expect(parse(String(repeating: #"{"a":"#, count: 200_000)) == nil)
    }

    @Test func aCallerMaySetALowerDepthLimitAndLearnsWhyAParseFailed() {
        let nested = { (depth: Int) in String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        #expect((try? JSONParser.parse(Array(nested(32).utf8), maxDepth: 32).get()) != nil)
        #expect(JSONParser.parse(Array(nested(33).utf8), maxDepth: 32) == .failure(.tooDeep))
        #expect(JSONParser.parse(Array("[1,".utf8), maxDepth: 32) == .failure(.invalid))
    }

    @Test func agreesWithJSONSerializationOnRealMessages() throws {
        let messages = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"roots":{"listChanged":true}},"clientInfo":{"name":"c","version":"1"}}}"#,
            #"[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"x","method":"ping"}]"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"print('\u00fcber')\n","env":{"A":"1"},"timeout_seconds":0.25}}}"#,
        ]
        for text in messages {
            let ours = try #require(parse(text))
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8))
            let reencoded = try JSONSerialization.data(withJSONObject: theirs, options: [.sortedKeys])
            let decoded = try JSONDecoder().decode(Value.self, from: reencoded)
            #expect(ours == decoded, "\(text)")
        }
    }
}
