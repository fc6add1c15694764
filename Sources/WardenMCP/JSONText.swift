import MCP

/// JSON written by hand for the hot paths (a progress notification per output chunk), where
/// `JSONSerialization` cost more than the rest of the chunk's way to the client.
enum JSONText {
    /// A JSON-RPC id as JSON.
    static func id(_ id: ID) -> String {
        switch id {
        case .string(let value): return quoted(value)
        case .number(let value): return "\(value)"
        }
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped,
    /// everything else as UTF-8 (as `JSONSerialization` writes it, slashes unescaped).
    static func quoted(_ text: String) -> String {
        var utf8 = text.utf8
        // Most output needs no escaping: then the text is copied as it is.
        if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + text + "\"" }
        var bytes: [UInt8] = [0x22]
        bytes.reserveCapacity(utf8.count + 16)
        utf8 = text.utf8
        for byte in utf8 {
            switch byte {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, 0x6E]
            case 0x0D: bytes += [0x5C, 0x72]
            case 0x09: bytes += [0x5C, 0x74]
            case 0x08: bytes += [0x5C, 0x62]
            case 0x0C: bytes += [0x5C, 0x66]
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
        return String(decoding: bytes, as: UTF8.self)
    }
}
