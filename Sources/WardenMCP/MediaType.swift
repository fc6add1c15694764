/// Media types for workspace files, from their name and first bytes.
enum MediaType {
    /// The image type when the bytes really are a PNG, JPEG, GIF or SVG image.
    static func image(name: String, bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if name.lowercased().hasSuffix(".svg"), let text = String(validating: bytes.prefix(4096), as: UTF8.self),
            text.contains("<svg")
        {
            return "image/svg+xml"
        }
        return nil
    }

    /// Whether a name looks like an image worth attaching to a run's result.
    static func looksLikeImage(_ name: String) -> Bool {
        let lower = name.lowercased()
        return [".png", ".jpg", ".jpeg", ".gif", ".svg"].contains { lower.hasSuffix($0) }
    }

    /// A media type for any file: an image type, a text type by extension, or octet-stream.
    static func guess(name: String, bytes: [UInt8], isText: Bool) -> String {
        if let image = image(name: name, bytes: bytes) { return image }
        guard isText else { return "application/octet-stream" }
        let lower = name.lowercased()
        let known: [(String, String)] = [
            (".py", "text/x-python"), (".js", "text/javascript"), (".json", "application/json"), (".csv", "text/csv"),
            (".html", "text/html"), (".md", "text/markdown"), (".sh", "text/x-shellscript"),
            (".xml", "application/xml"),
        ]
        return known.first { lower.hasSuffix($0.0) }?.1 ?? "text/plain"
    }

    /// Valid UTF-8 without control characters other than tab, newline, carriage return and
    /// form feed: text a client shows as text, and whose JSON form stays near its byte size.
    static func isText(_ bytes: [UInt8]) -> Bool {
        guard String(validating: bytes, as: UTF8.self) != nil else { return false }
        return !bytes.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x0C || $0 == 0x7F }
    }

    /// The bytes `text` takes inside a JSON string (control characters become `\u00XX`).
    static func jsonLength<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Int {
        bytes.reduce(0) { total, byte in
            total + (byte < 0x20 ? 6 : (byte == 0x22 || byte == 0x5C ? 2 : 1))
        }
    }

    /// What a string sent both in `structuredContent` and in the JSON text block costs in one
    /// result: once escaped, then escaped again inside the text (at most twice as long).
    static func resultCost(_ text: String) -> Int { 3 * jsonLength(text.utf8) }
}
