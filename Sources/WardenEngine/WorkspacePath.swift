/// A path inside a workspace, checked and normalised without touching the file system.
///
/// Accepted: relative paths and absolute ones under `/workspace`, as the sandbox sees them.
/// `..` is resolved lexically and may not climb above the workspace; the kernel still checks
/// every symlink on the way (``WorkspaceFiles`` resolves with RESOLVE_BENEATH).
public struct WorkspacePath: Sendable, Hashable, CustomStringConvertible {
    /// The components below the workspace root; empty for the root itself.
    public let components: [String]
    /// Whether the text ended with `/` (it names a directory).
    public let namesDirectory: Bool

    public static let mountPoint = "/workspace"
    static let maxBytes = 4096
    static let maxComponentBytes = 255

    public init(components: [String]) {
        self.components = components
        self.namesDirectory = false
    }

    public init(_ text: String) throws(FileError) {
        guard !text.isEmpty else { throw FileError(.invalidPath, "the path is empty") }
        guard !text.utf8.contains(0) else { throw FileError(.invalidPath, "the path contains a NUL byte") }
        guard text.utf8.count <= Self.maxBytes else {
            throw FileError(.invalidPath, "the path is longer than \(Self.maxBytes) bytes")
        }
        var relative = Substring(text)
        if relative.hasPrefix("/") {
            guard relative == Self.mountPoint || relative.hasPrefix(Self.mountPoint + "/") else {
                throw FileError(.outsideWorkspace, "\(text) is outside /workspace; use a relative path")
            }
            relative = relative.dropFirst(Self.mountPoint.count)
        }
        var components: [String] = []
        for part in relative.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard components.popLast() != nil else {
                    throw FileError(.outsideWorkspace, "\(text) climbs out of the workspace")
                }
            default:
                guard part.utf8.count <= Self.maxComponentBytes else {
                    throw FileError(.invalidPath, "a name in \(text) is longer than \(Self.maxComponentBytes) bytes")
                }
                components.append(String(part))
            }
        }
        self.components = components
        self.namesDirectory = text.hasSuffix("/")
    }

    /// Two paths are equal when they name the same entry (a trailing `/` aside).
    public static func == (lhs: WorkspacePath, rhs: WorkspacePath) -> Bool { lhs.components == rhs.components }
    public func hash(into hasher: inout Hasher) { hasher.combine(components) }

    /// Whether `other` is this path or lies below it.
    public func contains(_ other: WorkspacePath) -> Bool {
        other.components.count >= components.count && Array(other.components.prefix(components.count)) == components
    }

    public var isRoot: Bool { components.isEmpty }
    /// The path relative to the workspace root (`.` for the root).
    public var relative: String { isRoot ? "." : components.joined(separator: "/") }
    /// The path as the sandbox sees it.
    public var description: String { isRoot ? Self.mountPoint : Self.mountPoint + "/" + relative }
    public var name: String { components.last ?? "." }
    public var parent: WorkspacePath { WorkspacePath(components: Array(components.dropLast())) }
    public func appending(_ name: String) -> WorkspacePath { WorkspacePath(components: components + [name]) }
}
