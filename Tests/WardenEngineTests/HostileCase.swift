import Glibc
import Testing

@testable import WardenEngine

/// One file of sandbox/hostile: the payload and the outcome its header demands.
///
/// Header lines (`# key: value`, or `// key: value` in JavaScript): `hostile` (what it tries),
/// `language`, `timeout` (seconds), `expect-status` (statuses separated by `|`), `expect-stdout`
/// (repeatable substrings) and `expect-signal`. Any `ESCAPE` in stdout fails the case.
struct HostileCase: Sendable, CustomTestStringConvertible {
    var file: String
    var summary = ""
    var language = Language.python
    var timeout = 5
    var statuses: [String] = []
    var stdoutNeedles: [String] = []
    var signal: Int?
    var code = ""

    var testDescription: String { file }

    static let directory = "\(TestSandbox.repositoryRoot)/sandbox/hostile"

    static let all: [HostileCase] = {
        var names: [String] = []
        if let handle = opendir(directory) {
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if !name.hasPrefix(".") { names.append(name) }
            }
            closedir(handle)
        }
        return names.sorted().map { HostileCase(file: $0) }
    }()

    init(file: String) {
        self.file = file
        code = readWholeFile("\(Self.directory)/\(file)") ?? ""
        for line in code.split(separator: "\n").prefix(20) {
            var text = Substring(line)
            if text.hasPrefix("#") {
                text = text.dropFirst()
            } else if text.hasPrefix("//") {
                text = text.dropFirst(2)
            } else {
                continue
            }
            guard let colon = text.firstIndex(of: ":") else { continue }
            let key = text[..<colon].trimmingWhitespace()
            let value = String(text[text.index(after: colon)...].trimmingWhitespace())
            switch key {
            case "hostile": summary = value
            case "language": language = Language(rawValue: value) ?? .python
            case "timeout": timeout = Int(value) ?? 5
            case "expect-status": statuses = value.split(separator: "|").map { String($0.trimmingWhitespace()) }
            case "expect-stdout": stdoutNeedles.append(value)
            case "expect-signal": signal = Int(value)
            default: continue
            }
        }
    }
}
