import Foundation
import Glibc
import MCP
import WardenEngine

/// The workspace file tools: `write_file`, `read_file`, `list_files`, `edit_file`,
/// `delete_file` and `move_file`. Each validates its arguments, calls ``WorkspaceFiles`` and
/// shapes the result; a failure is an `isError` result whose text starts with its code.
struct FileTools: Sendable {
    /// A read without a range of a larger file is refused as `too_large`, as is a longer range.
    var readCapBytes = 256 << 10
    /// Largest file `edit_file` rewrites.
    var editCapBytes = 4 << 20
    /// Largest `content` `write_file` accepts (the request body limit bounds it anyway).
    var writeCapBytes = 16 << 20
    var defaultListEntries = 1000
    var maxListEntries = 10_000
    /// A listing stops (truncated) once its entries would take about this much of the reply
    /// (counted as JSON carries them, twice), so one reply stays far below 1 MiB.
    var listBudgetBytes = 600 << 10

    static let names: Set<String> = ["write_file", "read_file", "list_files", "edit_file", "delete_file", "move_file"]

    var tools: [Tool] {
        let path: Value = ["type": "string", "description": "Relative to /workspace, or absolute under /workspace."]
        let entry: Value = [
            "type": "object",
            "required": ["path", "name", "type", "size", "modified"],
            "properties": [
                "path": ["type": "string"],
                "name": ["type": "string", "description": "The last component of path."],
                "type": ["type": "string", "enum": .array(FileType.allCases.map { .string($0.rawValue) })],
                "size": ["type": "integer"],
                "modified": ["type": "string", "description": "ISO 8601, UTC."],
                "target": ["type": "string", "description": "Where a symlink points (never followed)."],
            ],
        ]
        func object(_ required: [String], _ properties: [String: Value]) -> Value {
            [
                "type": "object", "additionalProperties": false, "required": .array(required.map { .string($0) }),
                "properties": .object(properties),
            ]
        }
        func annotations(_ title: String, readOnly: Bool, destructive: Bool, idempotent: Bool) -> Tool.Annotations {
            .init(
                title: title,
                readOnlyHint: readOnly,
                destructiveHint: destructive,
                idempotentHint: idempotent,
                openWorldHint: false
            )
        }
        return [
            Tool(
                name: "write_file",
                description: """
                    Write a file in the session's /workspace (kept across calls, seen by run_code). Creates parent \
                    directories; replaces atomically; never follows a symlink.
                    """,
                inputSchema: object(
                    ["path", "content"],
                    [
                        "path": path,
                        "content": ["type": "string", "description": "Text, or base64 when encoding is base64."],
                        "encoding": ["type": "string", "enum": ["utf-8", "base64"], "default": "utf-8"],
                        "mode": [
                            "type": "string", "enum": ["overwrite", "append", "create"], "default": "overwrite",
                            "description": "create fails when the file exists.",
                        ],
                    ]
                ),
                annotations: annotations(
                    "Write a workspace file",
                    readOnly: false,
                    destructive: true,
                    idempotent: false
                ),
                outputSchema: entry
            ),
            Tool(
                name: "read_file",
                description: """
                    Read a workspace file: text as text, images as image content, other bytes as base64. Files over \
                    \(readCapBytes / 1024) KiB must be read in ranges (offset, length).
                    """,
                inputSchema: object(
                    ["path"],
                    [
                        "path": path,
                        "offset": ["type": "integer", "minimum": 0, "default": 0],
                        "length": ["type": "integer", "minimum": 0, "maximum": .int(readCapBytes)],
                        "encoding": ["type": "string", "enum": ["auto", "utf-8", "base64"], "default": "auto"],
                    ]
                ),
                annotations: annotations("Read a workspace file", readOnly: true, destructive: false, idempotent: true),
                outputSchema: [
                    "type": "object",
                    "required": ["path", "size", "offset", "length", "encoding", "mime_type"],
                    "properties": [
                        "path": ["type": "string"],
                        "size": ["type": "integer", "description": "The whole file's size."],
                        "offset": ["type": "integer"], "length": ["type": "integer", "description": "Bytes returned."],
                        "encoding": ["type": "string", "enum": ["utf-8", "base64"]], "mime_type": ["type": "string"],
                    ],
                ]
            ),
            Tool(
                name: "list_files",
                description:
                    "List a workspace directory: names, types, sizes, modification times. Symlinks are shown, never followed.",
                inputSchema: object(
                    [],
                    [
                        "path": [
                            "type": "string", "default": ".", "description": "Directory to list (default: /workspace).",
                        ],
                        "recursive": ["type": "boolean", "default": false],
                        "max_entries": [
                            "type": "integer", "minimum": 1, "maximum": .int(maxListEntries),
                            "default": .int(defaultListEntries),
                        ],
                    ]
                ),
                annotations: annotations("List workspace files", readOnly: true, destructive: false, idempotent: true),
                outputSchema: [
                    "type": "object",
                    "required": ["path", "entries", "truncated"],
                    "properties": [
                        "path": ["type": "string"], "entries": ["type": "array", "items": entry],
                        "truncated": ["type": "boolean"],
                    ],
                ]
            ),
            Tool(
                name: "edit_file",
                description: """
                    Replace exact text in a UTF-8 workspace file: old_text must occur exactly once, or set replace_all. \
                    No match or several matches are errors that say so.
                    """,
                inputSchema: object(
                    ["path", "old_text", "new_text"],
                    [
                        "path": path, "old_text": ["type": "string", "minLength": 1], "new_text": ["type": "string"],
                        "replace_all": ["type": "boolean", "default": false],
                    ]
                ),
                annotations: annotations(
                    "Edit a workspace file",
                    readOnly: false,
                    destructive: true,
                    idempotent: false
                ),
                outputSchema: [
                    "type": "object", "required": ["path", "replacements", "size"],
                    "properties": [
                        "path": ["type": "string"], "replacements": ["type": "integer"], "size": ["type": "integer"],
                    ],
                ]
            ),
            Tool(
                name: "delete_file",
                description:
                    "Delete a workspace file, symlink (not its target) or directory (recursive for a non-empty one).",
                inputSchema: object(["path"], ["path": path, "recursive": ["type": "boolean", "default": false]]),
                annotations: annotations(
                    "Delete a workspace file",
                    readOnly: false,
                    destructive: true,
                    idempotent: true
                ),
                outputSchema: [
                    "type": "object", "required": ["path", "type"],
                    "properties": ["path": ["type": "string"], "type": ["type": "string"]],
                ]
            ),
            Tool(
                name: "move_file",
                description:
                    "Move or rename a workspace entry. Fails when the destination exists; creates its parent directories.",
                inputSchema: object(["source", "destination"], ["source": path, "destination": path]),
                annotations: annotations(
                    "Move a workspace file",
                    readOnly: false,
                    destructive: false,
                    idempotent: false
                ),
                outputSchema: [
                    "type": "object", "required": ["source", "destination"],
                    "properties": ["source": ["type": "string"], "destination": ["type": "string"]],
                ]
            ),
        ]
    }

    /// Runs one file tool on `workspace`.
    func call(_ name: String, _ arguments: [String: Value]?, in workspace: Workspace) -> CallTool.Result {
        do {
            switch name {
            case "write_file": return try write(arguments, workspace.files)
            case "read_file": return try read(arguments, workspace.files)
            case "list_files": return try list(arguments, workspace.files)
            case "edit_file": return try edit(arguments, workspace.files)
            case "delete_file": return try delete(arguments, workspace.files)
            default: return try move(arguments, workspace.files)
            }
        } catch let error as FileError {
            return Self.failure(error.code.rawValue, error.message)
        } catch let error as ToolArguments.Invalid {
            return Self.failure("invalid_arguments", error.message)
        } catch {
            return Self.failure("io_error", "\(error)")
        }
    }

    private func write(_ values: [String: Value]?, _ files: WorkspaceFiles) throws -> CallTool.Result {
        let arguments = try ToolArguments(values, accepted: ["path", "content", "encoding", "mode"])
        let path = try WorkspacePath(try arguments.requiredString("path"))
        let content = try arguments.requiredString("content")
        let encoding = try arguments.string("encoding") ?? "utf-8"
        let mode = try arguments.choice("mode", default: WorkspaceFiles.WriteMode.overwrite)
        let bytes: [UInt8]
        switch encoding {
        case "utf-8": bytes = Array(content.utf8)
        case "base64":
            // Strict: line breaks and spaces are allowed, any other stray character is an error
            // (a lenient decoder would silently write less than was sent).
            let compact = content.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact) else {
                throw FileError(.invalidEncoding, "content is not valid base64 (standard alphabet, = padding)")
            }
            bytes = Array(data)
        default: throw ToolArguments.Invalid("'encoding' must be utf-8 or base64")
        }
        guard bytes.count <= writeCapBytes else {
            throw FileError(.tooLarge, "content is \(bytes.count) bytes; write_file accepts at most \(writeCapBytes)")
        }
        let entry = try files.write(path, bytes, mode: mode)
        return Self.success("wrote \(bytes.count) bytes to \(path) (\(mode.rawValue))", Self.value(entry))
    }

    private func read(_ values: [String: Value]?, _ files: WorkspaceFiles) throws -> CallTool.Result {
        let arguments = try ToolArguments(values, accepted: ["path", "offset", "length", "encoding"])
        let path = try WorkspacePath(try arguments.requiredString("path"))
        let offset = try arguments.integer("offset", in: 0...Int(Int64.max / 2)) ?? 0
        let length = try arguments.integer("length", in: 0...Int(Int64.max / 2))
        let encoding = try arguments.string("encoding") ?? "auto"
        guard ["auto", "utf-8", "base64"].contains(encoding) else {
            throw ToolArguments.Invalid("'encoding' must be auto, utf-8 or base64")
        }
        let (bytes, size) = try files.read(path, offset: offset, length: length, cap: readCapBytes)
        let text =
            encoding != "base64"
            && (encoding == "utf-8" ? String(validating: bytes, as: UTF8.self) != nil : MediaType.isText(bytes))
        if encoding == "utf-8" && !text {
            throw FileError(.invalidEncoding, "\(path) (this range) is not valid UTF-8; read it with encoding base64")
        }
        if text, MediaType.jsonLength(bytes) > 2 * readCapBytes {
            throw FileError(
                .tooLarge,
                "this range of \(path) is mostly control characters; read a shorter range or use base64"
            )
        }
        let image =
            encoding == "auto" && !text && offset == 0 && bytes.count == size
            ? MediaType.image(name: path.name, bytes: bytes) : nil
        let mime = MediaType.guess(name: path.name, bytes: bytes, isText: text)
        let metadata: [String: Value] = [
            "path": .string(path.description), "size": .int(size), "offset": .int(min(offset, size)),
            "length": .int(bytes.count),
            "encoding": .string(text ? "utf-8" : "base64"), "mime_type": .string(mime),
        ]
        let data: Tool.Content
        if text {
            data = .text(text: String(decoding: bytes, as: UTF8.self), annotations: nil, _meta: nil)
        } else if let image {
            data = .image(data: Data(bytes).base64EncodedString(), mimeType: image, annotations: nil, _meta: nil)
        } else {
            data = .text(text: Data(bytes).base64EncodedString(), annotations: nil, _meta: nil)
        }
        // The bytes go out once (not again inside structuredContent): one reply stays < 1 MiB.
        return CallTool.Result(
            content: [data, .text(text: Self.json(.object(metadata)), annotations: nil, _meta: nil)],
            structuredContent: Value?.some(.object(metadata)),
            isError: false
        )
    }

    private func list(_ values: [String: Value]?, _ files: WorkspaceFiles) throws -> CallTool.Result {
        let arguments = try ToolArguments(values, accepted: ["path", "recursive", "offset", "max_entries"])
        let path = try WorkspacePath(try arguments.string("path") ?? ".")
        let recursive = try arguments.bool("recursive") ?? false
        let offset = try arguments.integer("offset", in: 0...Int(Int32.max)) ?? 0
        let limit = try arguments.integer("max_entries", in: 1...maxListEntries) ?? defaultListEntries
        // The whole listing is bounded by the workspace's entry quota; pages are cut from it.
        let (all, cut) = try files.list(path, recursive: recursive, limit: files.entryLimit)
        var page: [FileEntry] = []
        var budget = listBudgetBytes
        for entry in all.dropFirst(offset).prefix(limit) {
            budget -=
                MediaType.resultCost(entry.path.description) + MediaType.resultCost(entry.path.name)
                + MediaType.resultCost(entry.target ?? "") + 300
            guard budget >= 0 else { break }
            page.append(entry)
        }
        let next = min(offset, all.count) + page.count
        let more = next < all.count
        var structured: [String: Value] = [
            "path": .string(path.description), "entries": .array(page.map(Self.value)), "truncated": .bool(more || cut),
        ]
        if more { structured["next_offset"] = .int(next) }
        var summary = "\(page.count) of \(all.count) entries in \(path)" + (more ? " (more: pass offset \(next))" : "")
        if cut { summary += "; the walk stopped at 256 levels or 16 MiB of paths, so deeper entries are not listed" }
        return Self.success(summary, .object(structured))
    }

    private func edit(_ values: [String: Value]?, _ files: WorkspaceFiles) throws -> CallTool.Result {
        let arguments = try ToolArguments(values, accepted: ["path", "old_text", "new_text", "replace_all"])
        let path = try WorkspacePath(try arguments.requiredString("path"))
        let old = try arguments.requiredString("old_text")
        let new = try arguments.requiredString("new_text")
        let all = try arguments.bool("replace_all") ?? false
        let count = try files.edit(path, old: old, new: new, all: all, cap: editCapBytes)
        let entry = try files.entry(path)
        return Self.success(
            "replaced \(count) occurrence\(count == 1 ? "" : "s") in \(path)",
            ["path": .string(path.description), "replacements": .int(count), "size": .int(entry.size)]
        )
    }

    private func delete(_ values: [String: Value]?, _ files: WorkspaceFiles) throws -> CallTool.Result {
        let arguments = try ToolArguments(values, accepted: ["path", "recursive"])
        let path = try WorkspacePath(try arguments.requiredString("path"))
        let recursive = try arguments.bool("recursive") ?? false
        let type = try files.entry(path).type
        try files.delete(path, recursive: recursive)
        return Self.success("deleted \(path)", ["path": .string(path.description), "type": .string(type.rawValue)])
    }

    private func move(_ values: [String: Value]?, _ files: WorkspaceFiles) throws -> CallTool.Result {
        let arguments = try ToolArguments(values, accepted: ["source", "destination"])
        let source = try WorkspacePath(try arguments.requiredString("source"))
        let destination = try WorkspacePath(try arguments.requiredString("destination"))
        try files.move(source, to: destination)
        return Self.success(
            "moved \(source) to \(destination)",
            ["source": .string(source.description), "destination": .string(destination.description)]
        )
    }
}
