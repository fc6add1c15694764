import Foundation
import MCP
import WardenEngine

/// The session workspace's regular files as MCP resources (`file:///workspace/<path>`), for
/// clients that browse resources rather than call the file tools.
struct WorkspaceResources {
    let workspace: Workspace
    let files: FileTools
    static let prefix = "file:///workspace/"
    static let pageSize = 500

    static func uri(for path: WorkspacePath) -> String {
        prefix
            + path.components.map {
                $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? $0
            }
            .joined(separator: "/")
    }

    /// One page of files, sorted by path; the cursor is the index of the next one.
    func list(cursor: String?) throws -> ListResources.Result {
        let start =
            try cursor.map { text -> Int in
                guard let index = Int(text), index >= 0 else { throw MCPError.invalidParams("invalid cursor") }
                return index
            } ?? 0
        let entries = try workspace.files.list(
            WorkspacePath(components: []),
            recursive: true,
            limit: workspace.quota.entries + 16
        )
        .entries.filter { $0.type == .file }
        // A page ends at pageSize entries or at about 600 KiB of JSON, whichever comes first.
        var budget = 600 << 10
        var resources: [Resource] = []
        for entry in entries.dropFirst(start).prefix(Self.pageSize) {
            let uri = Self.uri(for: entry.path)
            budget -= MediaType.jsonLength(entry.path.relative.utf8) + uri.utf8.count + 80
            guard budget >= 0 || resources.isEmpty else { break }
            resources.append(Resource(name: entry.path.relative, uri: uri, mimeType: nil, size: entry.size))
        }
        let next = start + resources.count < entries.count ? String(start + resources.count) : nil
        return ListResources.Result(resources: resources, nextCursor: next)
    }

    func read(uri: String) throws -> ReadResource.Result {
        guard uri.hasPrefix(Self.prefix), let decoded = String(uri.dropFirst(Self.prefix.count)).removingPercentEncoding
        else {
            throw MCPError.invalidParams("not a workspace resource: expected \(Self.prefix)<path>")
        }
        do {
            let path = try WorkspacePath(decoded)
            let (bytes, _) = try workspace.files.read(path, cap: files.readCapBytes)
            let text = MediaType.isText(bytes)
            let mime = MediaType.guess(name: path.name, bytes: bytes, isText: text)
            let content: Resource.Content =
                text
                ? .text(String(decoding: bytes, as: UTF8.self), uri: uri, mimeType: mime)
                : .binary(Data(bytes), uri: uri, mimeType: mime)
            return ReadResource.Result(contents: [content])
        } catch  where error.code == .notFound {
            throw MCPError.serverError(code: -32002, message: "Resource not found: \(uri)")
        } catch {
            throw MCPError.invalidParams("\(error.code.rawValue): \(error.message)")
        }
    }
}
