import Testing

@testable import WardenEngine

@Suite struct OutputCaptureTests {
    @Test func keepsEverythingWithinTheLimit() {
        var capture = OutputCapture(limit: 10)
        capture.append(Array("hello".utf8))
        capture.append(Array("world".utf8))
        #expect(capture.text == "helloworld")
        #expect(capture.truncatedBytes == 0)
        #expect(capture.totalBytes == 10)
    }

    @Test func keepsHeadAndTailAndCountsTheCut() {
        var capture = OutputCapture(limit: 8)
        for chunk in ["abcdef", "ghijkl", "mnopqr", "stuvwxyz"] { capture.append(Array(chunk.utf8)) }
        #expect(capture.totalBytes == 26)
        #expect(capture.keptBytes == Array("abcdwxyz".utf8))
        #expect(capture.truncatedBytes == 18)
        #expect(capture.text == "abcd\n[… 18 bytes truncated …]\nwxyz")
    }

    @Test func byteAtATimeMatchesOneAppend() {
        let data = (0..<1000).map { UInt8($0 % 251) }
        var whole = OutputCapture(limit: 64)
        whole.append(data)
        var pieces = OutputCapture(limit: 64)
        for byte in data { pieces.append([byte]) }
        #expect(whole.keptBytes == pieces.keptBytes)
        #expect(whole.keptBytes == Array(data.prefix(32) + data.suffix(32)))
    }

    @Test func invalidUTF8IsReplacedNotDropped() {
        var capture = OutputCapture(limit: 16)
        capture.append([0x61, 0xff, 0x62])
        #expect(capture.text == "a\u{FFFD}b")
    }
}
