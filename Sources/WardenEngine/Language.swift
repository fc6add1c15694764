/// A language Warden can run, when its interpreter is installed on the host.
public enum Language: String, Sendable, Hashable, CaseIterable, Codable {
    case python
    case bash
    case sh
    case node

    /// The executable looked up on `PATH` for this language.
    var command: String {
        switch self {
        case .python: return "python3"
        case .bash: return "bash"
        case .sh: return "sh"
        case .node: return "node"
        }
    }

    /// The name of the script file the code is written to inside the sandbox.
    var scriptName: String {
        switch self {
        case .python: return "main.py"
        case .bash, .sh: return "main.sh"
        case .node: return "main.js"
        }
    }

    /// Arguments placed between the interpreter and the script.
    var interpreterArguments: [String] {
        switch self {
        case .python: return ["-u"]  // unbuffered: output streams as it is written
        case .bash, .sh, .node: return []
        }
    }
}

/// An interpreter found on this host: its real binary (never a shim) and what to bind for it.
public struct Interpreter: Sendable, Hashable {
    public var language: Language
    /// The resolved path of the real binary.
    public var path: String
    public var version: String
    /// Host directories the sandbox needs read-only for this interpreter (outside /usr).
    public var readOnlyPaths: [String]

    public init(language: Language, path: String, version: String, readOnlyPaths: [String] = []) {
        self.language = language
        self.path = path
        self.version = version
        self.readOnlyPaths = readOnlyPaths
    }
}
