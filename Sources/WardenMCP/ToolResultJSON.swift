import Foundation
import MCP

/// A `tools/call` response written by hand. The SDK's types go through `JSONEncoder`, which
/// took 0.1–0.5 ms per `run_code` result here (the structured result is encoded twice: as
/// `structuredContent` and as its text copy); this writes the same JSON, keys sorted, in tens
/// of microseconds. Content it does not know (embedded resources, audio, annotations) goes
/// back to `JSONEncoder`.
enum ToolResultJSON {
    /// The whole JSON-RPC response, or `nil` when some part needs `JSONEncoder`.
    static func response(id: ID, result: CallTool.Result) -> String? {
        guard result._meta == nil else { return nil }
        var text = #"{"id":"# + JSONText.id(id) + #","jsonrpc":"2.0","result":{"content":["#
        for (index, content) in result.content.enumerated() {
            if index > 0 { text += "," }
            guard append(content, to: &text) else { return nil }
        }
        text += "]"
        if let isError = result.isError { text += #","isError":\#(isError)"# }
        if let structured = result.structuredContent {
            text += #","structuredContent":"#
            guard append(structured, to: &text) else { return nil }
        }
        return text + "}}"
    }

    /// `value` as JSON with sorted keys, as `JSONEncoder` with `.sortedKeys` writes it; `nil`
    /// for a number JSON cannot carry.
    static func json(_ value: Value) -> String? {
        var text = ""
        return append(value, to: &text) ? text : nil
    }

    private static func append(_ value: Value, to text: inout String) -> Bool {
        switch value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .int(let number): text += "\(number)"
        case .double(let number):
            guard number.isFinite else { return false }
            // Integral doubles print as JSONEncoder prints them ("2", not "2.0").
            if number == number.rounded(), abs(number) < 1e15 {
                text += "\(Int64(number))"
            } else {
                text += "\(number)"
            }
        case .string(let string): text += JSONText.quoted(string)
        case .data(let mimeType, let data): text += JSONText.quoted(data.dataURLEncoded(mimeType: mimeType))
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                guard append(item, to: &text) else { return false }
            }
            text += "]"
        case .object(let fields):
            text += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                text += JSONText.quoted(key) + ":"
                guard append(fields[key]!, to: &text) else { return false }
            }
            text += "}"
        }
        return true
    }

    private static func append(_ content: Tool.Content, to text: inout String) -> Bool {
        switch content {
        case .text(let body, nil, nil):
            text += #"{"text":"# + JSONText.quoted(body) + #","type":"text"}"#
        case .image(let data, let mimeType, nil, nil):
            text += #"{"data":"# + JSONText.quoted(data) + #","mimeType":"# + JSONText.quoted(mimeType)
            text += #","type":"image"}"#
        case .resourceLink(let uri, let name, let title, let description, let mimeType, nil):
            text += "{"
            if let description { text += #""description":"# + JSONText.quoted(description) + "," }
            if let mimeType { text += #""mimeType":"# + JSONText.quoted(mimeType) + "," }
            text += #""name":"# + JSONText.quoted(name) + ","
            if let title { text += #""title":"# + JSONText.quoted(title) + "," }
            text += #""type":"resource_link","uri":"# + JSONText.quoted(uri) + "}"
        default:
            return false
        }
        return true
    }
}

extension JSONEncoder {
    /// What the hand-written JSON falls back to, for the SDK's types. Keys are not sorted:
    /// `.sortedKeys` compares them through ICU, whose tables (3-4 MiB) then become resident.
    static var plain: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
