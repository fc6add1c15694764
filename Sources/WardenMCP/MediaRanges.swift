/// `Accept` and `Content-Type` values, read as RFC 9110 says: comma-separated media ranges,
/// parameters after `;`, case-insensitive names, `q=0` meaning "not acceptable".
///
/// On bytes and without Foundation: `String.contains` and `lowercased()` from Foundation
/// bridged through `NSString` and cost ~20 µs on every POST.
enum MediaRanges {
    /// Whether an `Accept` value admits `type` (`"text/event-stream"`), itself or by a wildcard.
    static func accept(_ header: String, admits type: String) -> Bool {
        let wanted = Array(type.utf8)
        let slash = wanted.firstIndex(of: UInt8(ascii: "/")) ?? wanted.count
        let wildcard = wanted[..<slash] + Array("/*".utf8)
        for element in header.utf8.split(separator: UInt8(ascii: ",")) {
            var parts = element.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)[...]
            let range = trimmed(parts.removeFirst())
            guard
                equalsIgnoringCase(range, wanted) || equalsIgnoringCase(range, wildcard)
                    || equalsIgnoringCase(range, Array("*/*".utf8))
            else { continue }
            let refused = parts.contains { parameter in
                let pair = trimmed(parameter).split(separator: UInt8(ascii: "="), maxSplits: 1)
                guard pair.count == 2, equalsIgnoringCase(trimmed(pair[0]), Array("q".utf8)) else { return false }
                return trimmed(pair[1]).allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }
            }
            if !refused { return true }
        }
        return false
    }

    /// Whether a `Content-Type` value is `type` (parameters such as `charset` allowed).
    static func contentType(_ header: String, is type: String) -> Bool {
        let mediaType = header.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).first ?? []
        return equalsIgnoringCase(trimmed(mediaType), Array(type.utf8))
    }

    private static func trimmed(_ bytes: some Collection<UInt8>) -> ArraySlice<UInt8> {
        let array = Array(bytes)[...]
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = array.firstIndex(where: { !isSpace($0) }),
            let last = array.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return array[first...last]
    }

    private static func equalsIgnoringCase(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { lower($0) == lower($1) }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
