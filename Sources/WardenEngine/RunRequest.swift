/// What to run: the code, its language, and the limits it runs under.
public struct RunRequest: Sendable {
    /// Where the run's `/workspace` comes from.
    public enum WorkspaceSource: Sendable {
        /// A fresh tmpfs, sized by ``SandboxLimits/workspaceBytes``, gone when the run ends.
        case ephemeral
        /// A session's persistent workspace; the run takes the workspace's host uid.
        case session(WardenEngine.Workspace)
    }

    public var language: Language
    public var code: String
    public var stdin: [UInt8]?
    /// Wall-clock limit; `nil` means the configured default. Clamped to the configured maximum.
    public var timeout: Duration?
    /// Extra environment variables. Names must match `[A-Za-z_][A-Za-z0-9_]*`.
    public var environment: [String: String]
    public var workspace: WorkspaceSource
    /// Whom the run counts against for the supervisor's fair shares besides its session's
    /// workspace (which every run in it counts against): a principal, say. Each owner holds
    /// at most ``SandboxConfiguration/runShare`` running and ``SandboxConfiguration/queueShare``
    /// queued runs.
    public var owners: [String] = []

    public init(
        language: Language,
        code: String,
        stdin: [UInt8]? = nil,
        timeout: Duration? = nil,
        environment: [String: String] = [:],
        workspace: WorkspaceSource = .ephemeral
    ) {
        self.language = language
        self.code = code
        self.stdin = stdin
        self.timeout = timeout
        self.environment = environment
        self.workspace = workspace
    }
}
