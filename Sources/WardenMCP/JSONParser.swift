import MCP

/// A strict JSON (RFC 8259) parser into the SDK's `Value`, for every JSON-RPC message the
/// server reads.
///
/// `JSONSerialization` built Foundation objects that every `as?` cast of a field bridged
/// again: ~0.1 ms for a 400-byte `tools/call` here, on the path of every request. This
/// parser makes the `Value` the tools read in one pass. Its rules are JSONSerialization's,
/// but for exact integers: any value at the top level, integer literals that fit an `Int` and
/// other integral numbers below 9e15 as `.int` (so `1.0` is `1`), the last of duplicate keys
/// wins, strings must be valid UTF-8 without lone surrogates, and nesting deeper than
/// ``maxDepth`` is refused rather than recursed into.
struct JSONParser {
    /// Arrays and objects nested deeper than this are refused (the parser recurses); callers
    /// may set a lower limit (JSON-RPC bodies: ``ServerConfiguration/maxMessageDepth``).
    static let maxDepth = 256

    /// Why `bytes` were refused.
    enum Failure: Error, Equatable {
        /// Not exactly one JSON value.
        case invalid
        /// Arrays and objects nested deeper than the limit.
        case tooDeep
    }

    private let bytes: UnsafeRawBufferPointer
    private let depthLimit: Int
    private var index = 0
    private var depth = 0
    private var exceededDepth = false

    private init(_ bytes: UnsafeRawBufferPointer, depthLimit: Int) {
        self.bytes = bytes
        self.depthLimit = min(depthLimit, Self.maxDepth)
    }

    /// The value `bytes` hold, or why they are refused.
    static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) -> Result<Value, Failure> {
        var parser = JSONParser(bytes, depthLimit: maxDepth)
        guard let value = parser.value() else { return .failure(parser.exceededDepth ? .tooDeep : .invalid) }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { return .failure(.invalid) }
        return .success(value)
    }

    /// The value `bytes` hold, or why they are refused.
    static func parse(_ bytes: some Sequence<UInt8>, maxDepth: Int) -> Result<Value, Failure> {
        if let value = bytes.withContiguousStorageIfAvailable({ parse(UnsafeRawBufferPointer($0), maxDepth: maxDepth) })
        {
            return value
        }
        return Array(bytes).withUnsafeBytes { parse($0, maxDepth: maxDepth) }
    }

    /// The value `bytes` hold, or `nil` when they are not exactly one JSON value (nested at
    /// most ``maxDepth`` deep).
    static func parse(_ bytes: some Sequence<UInt8>) -> Value? {
        try? parse(bytes, maxDepth: maxDepth).get()
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func value() -> Value? {
        skipWhitespace()
        guard let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(Value.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString, _ value: Value) -> Value? {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return nil }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
        index += count
        return value
    }

    private mutating func object() -> Value? {
        guard depth < depthLimit else {
            exceededDepth = true
            return nil
        }
        depth += 1
        defer { depth -= 1 }
        index += 1
        var fields: [String: Value] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let value = value() else { return nil }
            fields[key] = value
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(fields)
            default: return nil
            }
        }
    }

    private mutating func array() -> Value? {
        guard depth < depthLimit else {
            exceededDepth = true
            return nil
        }
        depth += 1
        defer { depth -= 1 }
        index += 1
        var items: [Value] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            guard let value = value() else { return nil }
            items.append(value)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default: return nil
            }
        }
    }

    /// A string from its opening quote; escapes decoded, UTF-8 checked.
    private mutating func string() -> String? {
        index += 1
        let start = index
        // The common case: no escapes, so the bytes are the string.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { return nil }
            index += 1
        }
        guard let stop = current else { return nil }
        if stop == UInt8(ascii: "\"") {
            index += 1
            return String(validating: bytes[start..<index - 1], as: UTF8.self)
        }
        var text = Array(bytes[start..<index])
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = current else { return nil }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    text.append(contentsOf: UTF8.encode(scalar)!)
                default: return nil
                }
            case 0..<0x20: return nil
            default: text.append(byte)
            }
        }
        return nil
    }

    /// The scalar of a `\uXXXX` escape (after its `u`), joining a surrogate pair.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let unit = hex4() else { return nil }
        switch unit {
        case 0xD800...0xDBFF:
            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { return nil }
            index += 2
            guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00...0xDFFF: return nil
        default: return Unicode.Scalar(unit)
        }
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var unit: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt32(digit)
            index += 1
        }
        return unit
    }

    private mutating func number() -> Value? {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { return nil }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        var integral = true
        if current == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard let digit = current, isDigit(digit) else { return nil }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let digit = current, isDigit(digit) else { return nil }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let value = Int(text) { return .int(value) }
        guard let double = Double(text), double.isFinite else { return nil }
        // As JSONSerialization's numbers read: integral values (exactly held) are integers.
        if double.rounded() == double, abs(double) < 9e15 { return .int(Int(double)) }
        return .double(double)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { index += 1 }
    }
}
