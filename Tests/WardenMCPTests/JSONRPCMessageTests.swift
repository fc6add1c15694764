import MCP
import Testing

@testable import WardenMCP

/// Every JSON-RPC 2.0 message is a request, a notification or a response, and nothing else
/// passes: what passed as a request while it also carried `result` was never answered.
@Suite struct JSONRPCMessageTests {
    private func kind(_ json: String) throws -> JSONRPCMessage.Kind? {
        JSONRPCMessage(try #require(JSONParser.parse(Array(json.utf8))))?.kind
    }

    @Test func validShapesAreClassified() throws {
        #expect(try kind(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#) == .request(id: "n:1"))
        #expect(try kind(#"{"jsonrpc":"2.0","id":"a","method":"x","params":[1]}"#) == .request(id: "s:a"))
        #expect(try kind(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == .notification)
        #expect(try kind(#"{"jsonrpc":"2.0","id":1,"result":null}"#) == .response(id: "n:1"))
        #expect(try kind(#"{"jsonrpc":"2.0","id":"b","error":{"code":-1,"message":"m"}}"#) == .response(id: "s:b"))
    }

    @Test func everyOtherShapeIsRefused() throws {
        for json in [
            #"{"jsonrpc":"2.0","id":4,"method":"resources/list","params":{},"result":[]}"#,
            #"{"jsonrpc":"2.0","method":"notifications/x","error":{"code":1,"message":"m"}}"#,
            #"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}}"#,
            #"{"jsonrpc":"2.0","result":{}}"#,
            #"{"jsonrpc":"2.0","id":null,"result":{}}"#,
            #"{"jsonrpc":"2.0","id":1.5,"result":{}}"#,
            #"{"jsonrpc":"2.0","id":1,"error":{"code":"1","message":"m"}}"#,
            #"{"jsonrpc":"2.0","id":1,"error":{"code":1}}"#,
            #"{"jsonrpc":"2.0","id":1,"result":{},"params":{}}"#,
            #"{"jsonrpc":"2.0","id":1}"#,
            #"{"jsonrpc":"2.0","id":{},"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":false,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":1,"method":""}"#,
            #"{"jsonrpc":"2.0","id":1,"method":["ping"]}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}"#,
            #"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
            #"[]"#,
        ] {
            #expect(try kind(json) == nil, "\(json)")
        }
    }
}
