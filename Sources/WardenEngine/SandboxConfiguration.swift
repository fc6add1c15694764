import Glibc

/// How the engine sandboxes runs: where its parts are, how many runs at once, which limits.
public struct SandboxConfiguration: Sendable {
    /// The static `warden-launch` binary.
    public var launcherPath: String
    /// The seccomp policy text file (`sandbox/seccomp.policy`).
    public var policyPath: String
    /// A private directory for the compiled policy and per-run script files.
    public var runtimeDirectory: String
    /// Colon-separated directories searched for interpreters.
    public var searchPath: String
    /// Runs executing at once; default twice the cores.
    public var maxConcurrentRuns: Int
    /// Runs waiting for a slot; beyond this a run is refused as busy.
    public var maxQueuedRuns: Int = 64
    /// Running runs one owner (a session's workspace, a principal) may hold: default half the
    /// slots, rounded up, so one owner that saturates its share leaves the rest to others.
    public var runShare: Int?
    var resolvedRunShare: Int { runShare ?? max(1, (maxConcurrentRuns + 1) / 2) }
    /// Queued runs one owner may hold: default half the queue (see ``AdmissionStateMachine``,
    /// which serves the queue round-robin across owners).
    public var queueShare: Int?
    var resolvedQueueShare: Int { queueShare ?? maxQueuedRuns / 2 }
    public var defaultTimeout: Duration = .seconds(30)
    public var maxTimeout: Duration = .seconds(300)
    /// Bytes of each stream kept in a result (head and tail).
    public var captureBytesPerStream: Int = 1 << 20
    /// Total output past which the run is killed with `output_limit`.
    public var outputHardLimitBytes: Int = 16 << 20
    /// Largest accepted code size.
    public var maxCodeBytes: Int = 1 << 20
    public var limits = SandboxLimits()
    /// First host uid/gid for sandboxes; slot `n` runs as `identityBase + n`. Never 0. The
    /// server with instance number `i` on the host (see ``SandboxHost``) adds
    /// `i` × ``identitiesPerInstance``: its slots and workspaces must fit in that many.
    public var identityBase: UInt32 = 200_000
    /// The uids each server instance on a host has for its slots and workspaces.
    public static let identitiesPerInstance: UInt32 = 1 << 16
    /// Session workspace `k` (and every run in it) uses `workspaceIdentityBase + k`, past the slots.
    public var workspaceIdentityBase: UInt32 { identityBase + UInt32(maxConcurrentRuns) }
    /// Where session workspaces are mounted; default `<runtimeDirectory>/workspaces`.
    public var workspaceRoot: String?
    public var workspaceQuota = WorkspaceQuota()
    /// The most memory the workspaces' quotas may add up to (a workspace is a tmpfs, so its
    /// files live in memory); a new workspace past it is refused (`quota`). `nil`: half the
    /// host's physical memory.
    public var workspaceBudgetBytes: Int?
    var resolvedWorkspaceBudget: Int {
        workspaceBudgetBytes ?? Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE))) / 2
    }
    /// Sandboxes kept built ahead of their run (see ``Supervisor``): at most one per identity
    /// (session or slot), this many in all, each dropped after ``standbyIdleTime`` unused.
    /// 0 builds every sandbox when its run arrives (`warden run`, which runs once).
    public var standbySandboxes = 16
    public var standbyIdleTime: Duration = .seconds(120)
    /// A standby built after a Python run starts Python in it (see ``WarmStart``), so the next
    /// Python run skips the interpreter's start-up too.
    public var warmStandbys = true
    /// How long past a run's timeout its launcher kills the sandbox on its own, should the
    /// server not have (hung, or gone: a launcher also kills its sandbox when the server dies).
    static let launcherDeadlineGrace: Duration = .seconds(5)
    /// Use cgroups (memory, pids) where the host provides them.
    public var useCgroups = true
    /// The default runtime directory is this plus `<pid>-<random>`.
    static let defaultRuntimePrefix = "/tmp/warden-"

    /// Root of the cgroup file systems.
    public var cgroupRoot = "/sys/fs/cgroup"

    public init(
        launcherPath: String? = nil,
        policyPath: String? = nil,
        runtimeDirectory: String? = nil,
        searchPath: String? = nil
    ) {
        self.launcherPath = launcherPath ?? Self.defaultLauncherPath()
        self.policyPath = policyPath ?? Self.defaultPolicyPath()
        self.runtimeDirectory =
            runtimeDirectory ?? "\(Self.defaultRuntimePrefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        self.searchPath = searchPath ?? (getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin")
        self.maxConcurrentRuns = max(1, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The directory of the running executable (the build folder in development and tests).
    static func executableDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "." }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }

    /// `warden-launch` beside the executable; `$WARDEN_LAUNCHER` overrides it.
    static func defaultLauncherPath() -> String {
        if let path = getenv("WARDEN_LAUNCHER") { return String(cString: path) }
        return executableDirectory() + "/warden-launch"
    }

    /// `$WARDEN_POLICY`, else `../share/warden/seccomp.policy` beside the executable (an
    /// installed layout), else the source tree's `sandbox/seccomp.policy`.
    static func defaultPolicyPath() -> String {
        if let path = getenv("WARDEN_POLICY") { return String(cString: path) }
        let installed = executableDirectory() + "/../share/warden/seccomp.policy"
        if access(installed, R_OK) == 0 { return installed }
        let source = "\(#filePath)"
        guard let range = source.firstRange(of: "/Sources/") else { return "sandbox/seccomp.policy" }
        return source[..<range.lowerBound] + "/sandbox/seccomp.policy"
    }
}
