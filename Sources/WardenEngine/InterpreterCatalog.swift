import Glibc

/// The interpreters this host has, discovered once at start-up.
///
/// `python3` on `PATH` may be a shim (pyenv's costs ~80 ms per start), so the catalog asks the
/// interpreter for `sys.executable` and resolves it to the real binary, which is what runs.
public struct InterpreterCatalog: Sendable {
    public var interpreters: [Language: Interpreter]

    public init(interpreters: [Language: Interpreter]) {
        self.interpreters = interpreters
    }

    /// The languages available, in a stable order.
    public var languages: [Language] { Language.allCases.filter { interpreters[$0] != nil } }

    /// Looks each language's command up on `searchPath` (colon-separated).
    public static func discover(searchPath: String) -> InterpreterCatalog {
        var found: [Language: Interpreter] = [:]
        for language in Language.allCases {
            guard let command = lookUp(language.command, in: searchPath) else { continue }
            if let interpreter = probe(language, command: command) { found[language] = interpreter }
        }
        return InterpreterCatalog(interpreters: found)
    }

    static func lookUp(_ command: String, in searchPath: String) -> String? {
        for directory in searchPath.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/\(command)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func probe(_ language: Language, command: String) -> Interpreter? {
        switch language {
        case .python:
            let script =
                "import sys, platform; print(sys.executable); print(sys.base_prefix); print(platform.python_version())"
            guard let (status, output) = HostCommand.run(command, ["-I", "-c", script]), status == 0 else { return nil }
            let lines = output.split(separator: "\n").map(String.init)
            guard lines.count >= 3, let path = realPath(lines[0]) else { return nil }
            let prefix = realPath(lines[1]) ?? lines[1]
            return Interpreter(
                language: language,
                path: path,
                version: lines[2],
                readOnlyPaths: prefix.hasPrefix("/usr") ? [] : [prefix]
            )
        case .node:
            guard let path = realPath(command), let (status, output) = HostCommand.run(path, ["--version"]),
                status == 0
            else { return nil }
            let prefix = parentPrefix(of: path)
            return Interpreter(
                language: language,
                path: path,
                version: String(output.trimmingWhitespace().dropFirst()),
                readOnlyPaths: prefix.map { [$0] } ?? []
            )
        case .bash, .sh:
            guard let path = realPath(command) else { return nil }
            var version = ""
            if language == .bash, let (_, output) = HostCommand.run(path, ["--version"]) {
                version = output.split(separator: "\n").first.map(String.init) ?? ""
            }
            let prefix = parentPrefix(of: path)
            return Interpreter(
                language: language,
                path: path,
                version: version,
                readOnlyPaths: prefix.map { [$0] } ?? []
            )
        }
    }

    /// For a binary outside /usr (e.g. /opt/node/bin/node), the prefix to bind (/opt/node).
    private static func parentPrefix(of path: String) -> String? {
        guard !path.hasPrefix("/usr/") else { return nil }
        let components = path.split(separator: "/")
        guard components.count >= 3 else { return nil }
        return "/" + components.dropLast(2).joined(separator: "/")
    }
}
