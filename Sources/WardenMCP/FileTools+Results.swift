import Foundation
import Glibc
import MCP
import WardenEngine

/// How the file tools' results are shaped: entries, dates, and the success and coded-failure
/// results (a one-line summary, then the structured JSON as text, as the spec asks).
extension FileTools {
    static func value(_ entry: FileEntry) -> Value {
        var object: [String: Value] = [
            "path": .string(entry.path.description), "name": .string(entry.path.name),
            "type": .string(entry.type.rawValue), "size": .int(entry.size),
            "modified": .string(isoDate(entry.modified)),
        ]
        if let target = entry.target { object["target"] = .string(target) }
        return .object(object)
    }

    /// `2026-11-25T06:22:29.123Z`: formatted by hand, since a listing formats thousands. A run
    /// can set any mtime (even INT64_MAX): it is clamped to years 0001–9999, never trusted.
    static func isoDate(_ seconds: Double) -> String {
        let clamped = seconds.isFinite ? min(max(seconds, -62_135_596_800), 253_402_300_799) : 0
        let whole = clamped.rounded(.down)
        var time = time_t(whole)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return "1970-01-01T00:00:00.000Z" }
        let millis = min(999, max(0, Int((clamped - whole) * 1000)))
        func padded(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return
            "\(padded(Int(parts.tm_year) + 1900, 4))-\(padded(Int(parts.tm_mon) + 1, 2))-\(padded(Int(parts.tm_mday), 2))T"
            + "\(padded(Int(parts.tm_hour), 2)):\(padded(Int(parts.tm_min), 2)):\(padded(Int(parts.tm_sec), 2)).\(padded(millis, 3))Z"
    }

    static func json(_ value: Value) -> String {
        ToolResultJSON.json(value) ?? "{}"
    }

    static func success(_ summary: String, _ structured: Value) -> CallTool.Result {
        CallTool.Result(
            content: [
                .text(text: summary, annotations: nil, _meta: nil),
                .text(text: json(structured), annotations: nil, _meta: nil),
            ],
            structuredContent: Optional(structured),
            isError: false
        )
    }

    /// An `isError` result whose text starts with the stable code, e.g. `not_found: …`.
    static func failure(_ code: String, _ message: String) -> CallTool.Result {
        CallTool.Result(
            content: [.text(text: "\(code): \(message)", annotations: nil, _meta: nil)],
            structuredContent: ["error": .string(code), "message": .string(message)],
            isError: true
        )
    }
}
