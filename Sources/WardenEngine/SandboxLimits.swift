/// Per-run resource limits, enforced by the launcher (rlimits, tmpfs sizes) and cgroups.
public struct SandboxLimits: Sendable, Hashable {
    /// Memory cgroup limit (where a memory cgroup is available).
    public var memoryBytes: Int = 512 << 20
    /// RLIMIT_AS per process: the backstop where no memory cgroup exists. Node reserves a lot of
    /// address space up front, so this is well above `memoryBytes`.
    public var addressSpaceBytes: Int = 8 << 30
    /// The most CPU one run may use, in cores (cgroup `cpu.max`, v1 CFS quota), where the host
    /// has the cpu controller; `nil` for no ceiling. Whatever it is, every identity (a session's
    /// workspace, a one-off slot) has the same CPU weight, so a run's process count buys it no
    /// larger share of a busy host.
    public var cpuCores: Double?
    /// RLIMIT_NPROC for the run's host uid, and the pids cgroup limit.
    public var processes: Int = 128
    /// RLIMIT_NOFILE.
    public var openFiles: Int = 256
    /// RLIMIT_FSIZE: the largest file a run can write.
    public var fileSizeBytes: Int = 64 << 20
    /// /tmp (and /dev/shm) tmpfs size and inode count.
    public var tmpBytes: Int = 64 << 20
    public var tmpInodes: Int = 4096
    /// The ephemeral /workspace tmpfs size and inode count.
    public var workspaceBytes: Int = 64 << 20
    public var workspaceInodes: Int = 4096

    public init() {}
}
