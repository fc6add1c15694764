import Foundation
import Testing

@testable import WardenMCP

/// The hand-written JSON of the hot paths must read back as exactly the text it carries.
@Suite struct JSONTextTests {
    @Test(arguments: [
        "", "plain text", "quote \" and backslash \\", "line\nfeed\r\ttab", "\u{0}\u{1}\u{8}\u{c}\u{1b}\u{1f}",
        "slash / stays", "unicode é 日本 🚀", "\u{7f} del and \u{2028} separators \u{2029}", "\u{FFFD} replaced",
    ])
    func quotedTextReadsBackUnchanged(_ text: String) throws {
        let json = JSONText.quoted(text)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        #expect(parsed as? String == text)
        // Control characters never appear raw: a JSON parser would reject them.
        #expect(!json.utf8.contains(where: { $0 < 0x20 }))
    }

    @Test func cleanTextIsCopiedAsItIs() {
        #expect(JSONText.quoted("tick 1") == "\"tick 1\"")
        #expect(JSONText.quoted("a\"b") == #""a\"b""#)
        #expect(JSONText.quoted("\u{1}") == #""\u0001""#)
    }
}
