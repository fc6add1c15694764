import Foundation
import MCP
import Testing

@testable import WardenMCP

/// The `tools/call` requests the session runs without the SDK must read exactly as the SDK
/// would read them: the same id, name, arguments (types included) and progress token.
@Suite struct ToolCallRequestTests {
    private func message(_ json: String) throws -> JSONRPCMessage? {
        JSONRPCMessage(try #require(JSONParser.parse(Array(json.utf8))))
    }

    @Test func convertsIdArgumentsAndProgressTokenAsTheSDKDecodesThem() throws {
        let json = """
            {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"run_code","arguments":\
            {"code":"print(1)","timeout_seconds":2.5,"n":3,"whole":4.0,"flag":true,"none":null,\
            "env":{"A":"b"},"list":[1,"x",false],"url":"data:text/plain;base64,aGk="},\
            "_meta":{"progressToken":"tok","other":1}}}
            """
        let sdk = try JSONDecoder().decode(CallTool.Parameters.self, from: try parameters(of: json))
        let call = try #require(try message(json)?.toolCall)
        #expect(call.id == .number(7))
        #expect(call.params.name == sdk.name)
        #expect(call.params._meta?.progressToken == .string("tok"))
        #expect(call.params._meta?["other"] == .int(1))
        let arguments = try #require(call.params.arguments)
        #expect(arguments["code"] == .string("print(1)"))
        #expect(arguments["timeout_seconds"] == .double(2.5))
        #expect(arguments["n"] == .int(3))
        #expect(arguments["whole"] == sdk.arguments?["whole"])
        #expect(arguments["flag"] == .bool(true))
        #expect(arguments["none"] == .null)
        #expect(arguments["env"] == .object(["A": .string("b")]))
        #expect(arguments["list"] == .array([.int(1), .string("x"), .bool(false)]))
        // The SDK turns a data: URL string into bytes; code and stdin must stay text here.
        #expect(arguments["url"] == .string("data:text/plain;base64,aGk="))
    }

    @Test func integerTokensAndStringIdsSurvive() throws {
        let json = """
            {"jsonrpc":"2.0","id":"a-1","method":"tools/call","params":{"name":"list_files","_meta":{"progressToken":42}}}
            """
        let call = try #require(try message(json)?.toolCall)
        #expect(call.id == .string("a-1"))
        #expect(call.params.arguments == nil)
        #expect(call.params._meta?.progressToken == .integer(42))
    }

    @Test func largeIntegerIdsAndTokensStayExact() throws {
        let json = """
            {"jsonrpc":"2.0","id":9007199254740993,"method":"tools/call",\
            "params":{"name":"run_code","_meta":{"progressToken":9223372036854775807}}}
            """
        let parsed = try #require(try message(json))
        #expect(parsed.id == .number(9_007_199_254_740_993))
        #expect(parsed.progressToken == "n:9223372036854775807")
    }

    @Test func shapesTheSDKWouldRefuseAreLeftToIt() throws {
        for params in [#"{}"#, #"{"name":5}"#, #"{"name":"x","arguments":[1]}"#, #"{"name":"x","_meta":"t"}"#] {
            let json = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"# + params + "}"
            #expect(try message(json)?.toolCall == nil, "\(params)")
        }
        // Not a tools/call, or a notification: nothing to run directly.
        #expect(try message(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"name":"x"}}"#)?.toolCall == nil)
        #expect(try message(#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}"#)?.toolCall == nil)
    }

    private func parameters(of json: String) throws -> Data {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return try JSONSerialization.data(withJSONObject: object?["params"] ?? [:])
    }
}
