/// Keeps the head and the tail of a stream within a byte limit and counts what it left out.
///
/// A flood keeps its first and last `limit / 2` bytes: the start shows what the program was
/// doing, the end shows how it finished.
public struct OutputCapture: Sendable {
    public let limit: Int
    public private(set) var totalBytes = 0
    private var head: [UInt8] = []
    private var tail: [UInt8] = []
    private var tailStart = 0

    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Bytes seen but not kept.
    public var truncatedBytes: Int { totalBytes - head.count - tail.count }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        totalBytes += bytes.count
        let headLimit = limit - limit / 2
        var rest = bytes[...]
        if head.count < headLimit {
            let taken = rest.prefix(headLimit - head.count)
            head += taken
            rest = rest.dropFirst(taken.count)
        }
        if !rest.isEmpty { pushTail(rest) }
    }

    private mutating func pushTail(_ bytes: some Collection<UInt8>) {
        let capacity = limit / 2
        guard capacity > 0 else { return }
        for byte in bytes.suffix(capacity) {
            if tail.count < capacity {
                tail.append(byte)
            } else {
                tail[tailStart] = byte
                tailStart = (tailStart + 1) % capacity
            }
        }
    }

    /// The kept bytes, head then tail, with no marker.
    public var keptBytes: [UInt8] { head + Array(tail[tailStart...]) + Array(tail[..<tailStart]) }

    /// The kept text; when bytes were left out, a marker saying how many sits where they were.
    public var text: String {
        let headText = String(decoding: head, as: UTF8.self)
        guard truncatedBytes > 0 else { return String(decoding: keptBytes, as: UTF8.self) }
        let tailText = String(decoding: Array(tail[tailStart...]) + Array(tail[..<tailStart]), as: UTF8.self)
        return headText + "\n[… \(truncatedBytes) bytes truncated …]\n" + tailText
    }
}
