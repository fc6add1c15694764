/// Which of the child's output streams a chunk came from.
public enum OutputStream: String, Sendable, Hashable {
    case stdout
    case stderr
}

/// Bytes the child wrote to one stream, as they arrived (coalesced, never split by line).
///
/// The bytes are arbitrary: they need not be valid UTF-8 and may cut a character in two.
public struct OutputChunk: Sendable, Hashable {
    public var stream: OutputStream
    public var bytes: [UInt8]

    public init(stream: OutputStream, bytes: [UInt8]) {
        self.stream = stream
        self.bytes = bytes
    }

    /// The bytes decoded as UTF-8, invalid sequences replaced with U+FFFD.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
