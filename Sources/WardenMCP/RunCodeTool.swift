import Foundation
import MCP
import WardenEngine

/// The `run_code` tool: its schemas, argument checks, live progress and result.
struct RunCodeTool: Sendable {
    static let name = "run_code"
    /// Result streams are capped so one SSE event stays far below the 1 MiB the Python client accepts.
    static let resultBytesPerStream = 64 << 10
    /// A progress notification carries at most this much output.
    static let progressChunkBytes = 16 << 10

    let supervisor: Supervisor
    let languages: [Language]

    var tool: Tool {
        let stringSchema: Value = ["type": "string"]
        return Tool(
            name: Self.name,
            description: """
                Run code in a fresh sandbox (no network, read-only system, private /workspace and /tmp) \
                and return its exit status, stdout and stderr. Output streams live as progress \
                notifications when the request carries a progressToken.
                """,
            inputSchema: [
                "type": "object",
                "additionalProperties": false,
                "required": ["code"],
                "properties": [
                    "code": [
                        "type": "string", "description": "The program text (at most 1 MiB).", "maxLength": 1_048_576,
                    ],
                    "language": [
                        "type": "string", "enum": .array(languages.map { .string($0.rawValue) }),
                        "default": "python", "description": "Interpreter to run the code with.",
                    ],
                    "stdin": ["type": "string", "description": "Text given to the program on stdin."],
                    "timeout_seconds": [
                        "type": "number", "exclusiveMinimum": 0, "default": 30,
                        "description": "Wall-clock limit; clamped to the server's maximum.",
                    ],
                    "env": [
                        "type": "object", "additionalProperties": stringSchema,
                        "description": "Extra environment variables (names: letters, digits, _).",
                    ],
                ],
            ],
            annotations: .init(
                title: "Run code in a sandbox",
                readOnlyHint: false,
                destructiveHint: true,
                idempotentHint: false,
                openWorldHint: false
            ),
            outputSchema: [
                "type": "object",
                "required": [
                    "status", "exit_code", "signal", "stdout", "stderr", "stdout_truncated", "stderr_truncated",
                    "duration_ms", "cpu_ms", "max_rss_kb", "files", "files_truncated", "stdout_file", "stderr_file",
                ],
                "properties": [
                    "status": [
                        "type": "string", "enum": .array(RunStatus.allCases.map { .string($0.rawValue) }),
                    ],
                    "exit_code": ["type": ["integer", "null"]],
                    "signal": ["type": ["integer", "null"]],
                    "stdout": ["type": "string"],
                    "stderr": ["type": "string"],
                    "stdout_truncated": ["type": "integer", "description": "Bytes left out of stdout (0: none)."],
                    "stderr_truncated": ["type": "integer", "description": "Bytes left out of stderr (0: none)."],
                    "duration_ms": ["type": "integer"],
                    "cpu_ms": ["type": "integer"],
                    "max_rss_kb": ["type": "integer"],
                    "files": [
                        "type": "array",
                        "description": "Workspace entries the run created, modified or deleted.",
                        "items": [
                            "type": "object",
                            "required": ["path", "change", "type", "size"],
                            "properties": [
                                "path": ["type": "string"],
                                "change": ["type": "string", "enum": ["created", "modified", "deleted"]],
                                "type": ["type": "string"],
                                "size": ["type": "integer"],
                            ],
                        ],
                    ],
                    "files_truncated": ["type": "integer", "description": "Changed entries left out of files."],
                    "files_incomplete": [
                        "type": "boolean",
                        "description":
                            "The workspace was too large or deep to compare whole within the server's bounds: files may miss changes.",
                    ],
                    "stdout_file": [
                        "type": ["string", "null"],
                        "description":
                            "Workspace file with the whole stdout, when it was longer than the result shows.",
                    ],
                    "stderr_file": ["type": ["string", "null"]],
                ],
            ]
        )
    }

    /// Turns the tool's arguments into a run request, or says what to fix.
    func request(from arguments: [String: Value]?) -> Result<RunRequest, ArgumentError> {
        let arguments = arguments ?? [:]
        let known: Set<String> = ["code", "language", "stdin", "timeout_seconds", "env"]
        if let unknown = arguments.keys.sorted().first(where: { !known.contains($0) }) {
            return .failure(
                ArgumentError("unknown argument '\(unknown)'; accepted: code, language, stdin, timeout_seconds, env")
            )
        }
        guard case .string(let code)? = arguments["code"] else {
            return .failure(ArgumentError("'code' is required and must be a string"))
        }
        guard code.utf8.count <= 1 << 20 else { return .failure(ArgumentError("'code' is larger than 1 MiB")) }
        var language = Language.python
        if let value = arguments["language"] {
            guard case .string(let name) = value, let parsed = Language(rawValue: name), languages.contains(parsed)
            else {
                return .failure(
                    ArgumentError("'language' must be one of: \(languages.map(\.rawValue).joined(separator: ", "))")
                )
            }
            language = parsed
        }
        var stdin: [UInt8]?
        if let value = arguments["stdin"] {
            guard case .string(let text) = value else { return .failure(ArgumentError("'stdin' must be a string")) }
            guard text.utf8.count <= 16 << 20 else { return .failure(ArgumentError("'stdin' is larger than 16 MiB")) }
            stdin = Array(text.utf8)
        }
        var timeout: Duration?
        if let value = arguments["timeout_seconds"] {
            let seconds: Double
            switch value {
            case .int(let number): seconds = Double(number)
            case .double(let number): seconds = number
            default: return .failure(ArgumentError("'timeout_seconds' must be a number"))
            }
            guard seconds > 0, seconds.isFinite else {
                return .failure(ArgumentError("'timeout_seconds' must be a positive number"))
            }
            timeout = .milliseconds(Int64(min(seconds, 86_400) * 1000))
        }
        var environment: [String: String] = [:]
        if let value = arguments["env"] {
            guard case .object(let object) = value else {
                return .failure(ArgumentError("'env' must be an object of strings"))
            }
            for (name, entry) in object {
                guard case .string(let text) = entry else {
                    return .failure(ArgumentError("'env.\(name)' must be a string"))
                }
                environment[name] = text
            }
        }
        return .success(
            RunRequest(language: language, code: code, stdin: stdin, timeout: timeout, environment: environment)
        )
    }

    struct ArgumentError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// The tool result for a finished run.
    static func result(_ run: RunResult, artifacts: RunArtifacts = RunArtifacts()) -> CallTool.Result {
        let stdout = capped(run.stdout)
        let stderr = capped(run.stderr)
        let structured: [String: Value] = [
            "status": .string(run.status.rawValue),
            "exit_code": run.exitCode.map { .int($0) } ?? .null,
            "signal": run.signal.map { .int($0) } ?? .null,
            "stdout": .string(stdout.text),
            "stderr": .string(stderr.text),
            "stdout_truncated": .int(stdout.truncated),
            "stderr_truncated": .int(stderr.truncated),
            "duration_ms": .int(Int(run.duration.milliseconds)),
            "cpu_ms": .int(Int(run.cpuTime.milliseconds)),
            "max_rss_kb": .int(run.maxRSSKiB),
            "files": artifacts.filesValue,
            "files_truncated": .int(artifacts.omitted),
            "files_incomplete": .bool(artifacts.incomplete),
            "stdout_file": artifacts.savedOutput["stdout"].map { .string($0.description) } ?? .null,
            "stderr_file": artifacts.savedOutput["stderr"].map { .string($0.description) } ?? .null,
        ]
        var summary = "\(run.status.rawValue)"
        if let code = run.exitCode { summary += ", exit code \(code)" }
        if let signal = run.signal { summary += ", killed by signal \(signal)" }
        summary += " in \(run.duration.milliseconds) ms"
        if let message = run.message { summary += ": \(message)" }
        if !artifacts.changes.isEmpty {
            summary += "; \(artifacts.changes.count + artifacts.omitted) workspace entries changed"
        }
        if artifacts.incomplete {
            summary += "; the workspace was too large to compare whole, so files may miss changes"
        }
        for (stream, failure) in artifacts.saveFailures.sorted(by: { $0.key < $1.key }) {
            summary += "; \(stream): \(failure)"
        }
        let json = ToolResultJSON.json(.object(structured)) ?? "{}"
        var content: [Tool.Content] = [
            .text(text: summary, annotations: nil, _meta: nil), .text(text: json, annotations: nil, _meta: nil),
        ]
        for image in artifacts.images {
            content.append(.image(data: image.base64, mimeType: image.mimeType, annotations: nil, _meta: nil))
        }
        for (stream, path) in artifacts.savedOutput.sorted(by: { $0.key < $1.key }) {
            content.append(
                .resourceLink(
                    uri: WorkspaceResources.uri(for: path),
                    name: path.name,
                    description: "The whole \(stream) of the run",
                    mimeType: "text/plain"
                )
            )
        }
        return CallTool.Result(
            content: content,
            structuredContent: .object(structured),
            isError: run.status != .completed
        )
    }

    /// An `isError` result for arguments that cannot run, saying what to fix.
    static func invalid(_ message: String) -> CallTool.Result {
        CallTool.Result(
            content: [.text(text: "invalid arguments: \(message)", annotations: nil, _meta: nil)],
            isError: true
        )
    }

    /// Head and tail of a captured stream within the result cap, the cut marked and counted.
    ///
    /// The cap counts bytes as JSON will carry them (a control character becomes `\u00XX`, six
    /// bytes), so output full of escapes cannot push one result event past what clients accept.
    static func capped(_ capture: OutputCapture) -> (text: String, truncated: Int) {
        // Measured on the text as it will be sent (invalid bytes already U+FFFD), so the cost
        // of each byte is exact.
        let kept = Array(String(decoding: capture.keptBytes, as: UTF8.self).utf8)
        let budget = resultBytesPerStream
        guard kept.reduce(0, { $0 + jsonCost($1) }) > budget else { return (capture.text, capture.truncatedBytes) }
        var head = 0
        var spent = 0
        while head < kept.count, spent + jsonCost(kept[head]) <= budget / 2 {
            spent += jsonCost(kept[head])
            head += 1
        }
        var tail = kept.count
        spent = 0
        while tail > head, spent + jsonCost(kept[tail - 1]) <= budget / 2 {
            spent += jsonCost(kept[tail - 1])
            tail -= 1
        }
        // Never cut inside a UTF-8 character.
        while head > 0, head < kept.count, kept[head] & 0xC0 == 0x80 { head -= 1 }
        while tail < kept.count, kept[tail] & 0xC0 == 0x80 { tail += 1 }
        let truncated = max(0, capture.totalBytes - head - (kept.count - tail))
        let text =
            String(decoding: kept[..<head], as: UTF8.self) + "\n[… \(truncated) bytes truncated …]\n"
            + String(decoding: kept[tail...], as: UTF8.self)
        return (text, truncated)
    }

    /// Bytes one byte of (valid UTF-8) text takes in a JSON string: six for a control
    /// character, two for a quote or backslash, one otherwise.
    private static func jsonCost(_ byte: UInt8) -> Int {
        byte < 0x20 ? 6 : (byte == 0x22 || byte == 0x5C ? 2 : 1)
    }

    /// Splits output into pieces of at most `progressChunkBytes`, never inside a UTF-8 character.
    static func pieces(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            var end = min(bytes.count, start + progressChunkBytes)
            if end < bytes.count {
                var back = end
                while back > start + progressChunkBytes - 4, bytes[back] & 0xC0 == 0x80 { back -= 1 }
                if back > start { end = back }
            }
            result.append(bytes[start..<end])
            start = end
        }
        return result
    }
}
