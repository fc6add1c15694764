import Foundation

/// One Server-Sent Event, encoded as the `text/event-stream` format requires.
struct SSEEvent: Sendable {
    var id: String?
    var event: String?
    var data: String

    /// The wire form: `id:`, `event:`, one `data:` line per line of data, then a blank line.
    var encoded: String {
        var text = ""
        if let id { text += "id: \(id)\n" }
        if let event { text += "event: \(event)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        return text + "\n"
    }

    /// A comment line that keeps an idle connection alive through proxies.
    static let keepAlive = ": keep-alive\n\n"
}
