import CWardenShims
import Glibc
import Synchronization

/// Finds the cgroup hierarchies a run can use and creates Warden's parent groups in them.
///
/// cgroup v1 `memory`, `pids` and `cpu` hierarchies and a v2 hierarchy with any of them each
/// get a `warden-runs` parent, under it one group
/// per sandbox identity and server instance (`id-<uid>-<instance>`, holding the memory limit)
/// and in that one leaf per concurrent run of the identity (`run-<lane>`), created on first use with their limits written once; a run only joins leaves.
///
/// The groups are kept, not removed, when the server stops: every removed memory cgroup lingers
/// in the kernel as a "dying" group while pages are charged to it, and a parent with many of
/// them made each run under it ~12 ms slower here (measured). Reusing a bounded set of groups
/// (one per identity) keeps that cost at zero. A hierarchy that cannot be written (a
/// container's read-only /sys/fs/cgroup) is simply not used, and `warden doctor` says so.
package struct CgroupSetup: Sendable {
    package var parents: [String] = []
    var memory = false
    var pids = false
    var cpu = false
    private let created = CreatedGroups()
    /// The server's instance number (see ``ServerInstance``), part of every leaf's name.
    var instance = 0

    private final class CreatedGroups: Sendable {
        let paths = Mutex<Set<String>>([])
        func withLock<R>(_ body: (inout Set<String>) -> R) -> R { paths.withLock { body(&$0) } }
    }

    /// The groups a run joins: in each hierarchy, the leaf `id-<identity>-<instance>/run-<lane>`,
    /// where `lane` tells apart the concurrent runs of one identity. The instance number keeps
    /// two servers on one host (or `warden doctor` beside a server) out of each other's groups.
    ///
    /// The memory limit sits on the identity's group, so a session's runs share it together
    /// with the workspace's tmpfs pages they wrote (which stay charged there, not to a slot
    /// another session reuses); `memoryBytes` is the whole budget. Each run still has a leaf
    /// of its own, so its pids limit and OOM count touch no other run.
    package func groups(for identity: UInt32, lane: Int, limits: SandboxLimits) throws(SandboxError) -> [String] {
        var leaves: [String] = []
        for parent in parents {
            let group = "\(parent)/id-\(identity)-\(instance)"
            let leaf = "\(group)/run-\(lane)"
            leaves.append(leaf)
            if created.withLock({ $0.contains(leaf) }) { continue }
            if !created.withLock({ $0.contains(group) }) {
                try Self.makeGroup(group)
                if access(group + "/memory.limit_in_bytes", F_OK) == 0 {
                    _ = writeSmallFile(group + "/memory.limit_in_bytes", "\(limits.memoryBytes)")
                    _ = writeSmallFile(group + "/memory.memsw.limit_in_bytes", "\(limits.memoryBytes)")
                } else if access(group + "/memory.max", F_OK) == 0 {
                    _ = writeSmallFile(group + "/memory.max", "\(limits.memoryBytes)")
                    _ = writeSmallFile(group + "/memory.swap.max", "0")
                }
                // Every identity weighs the same, however many processes its runs start.
                if access(group + "/cpu.weight", F_OK) == 0 {
                    _ = writeSmallFile(group + "/cpu.weight", "100")
                } else if access(group + "/cpu.shares", F_OK) == 0 {
                    _ = writeSmallFile(group + "/cpu.shares", "1024")
                }
                // cgroup v2: let the leaves use the controllers this group has.
                for controller in Self.controllers(of: group) where Self.used.contains(controller) {
                    _ = writeSmallFile(group + "/cgroup.subtree_control", "+" + controller)
                }
                created.withLock { _ = $0.insert(group) }
            }
            try Self.makeGroup(leaf)
            if access(leaf + "/pids.max", F_OK) == 0 { _ = writeSmallFile(leaf + "/pids.max", "\(limits.processes)") }
            Self.setCPUCeiling(leaf, cores: limits.cpuCores)
            created.withLock { _ = $0.insert(leaf) }
        }
        return leaves
    }

    /// The controllers Warden's groups use.
    static let used: Set<String> = ["memory", "pids", "cpu"]

    /// The CFS period of a CPU ceiling: 100 ms, the kernel's default.
    static let cpuPeriodMicroseconds = 100_000

    /// Writes (or lifts) a leaf's CPU ceiling: v2 `cpu.max`, v1 `cpu.cfs_quota_us`.
    private static func setCPUCeiling(_ leaf: String, cores: Double?) {
        let quota = cores.map { max(1000, Int($0 * Double(cpuPeriodMicroseconds))) }
        if access(leaf + "/cpu.max", F_OK) == 0 {
            _ = writeSmallFile(leaf + "/cpu.max", "\(quota.map(String.init) ?? "max") \(cpuPeriodMicroseconds)")
        } else if access(leaf + "/cpu.cfs_quota_us", F_OK) == 0 {
            _ = writeSmallFile(leaf + "/cpu.cfs_period_us", "\(cpuPeriodMicroseconds)")
            _ = writeSmallFile(leaf + "/cpu.cfs_quota_us", "\(quota ?? -1)")
        }
    }

    private static func makeGroup(_ path: String) throws(SandboxError) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw SandboxError(.setupFailed, "cannot create the cgroup \(path)", errno: errno)
        }
    }

    static func prepare(root: String, instance: Int) -> CgroupSetup {
        var setup = CgroupSetup()
        setup.instance = instance
        let v2Root = isCgroup2(root) ? root : (isCgroup2(root + "/unified") ? root + "/unified" : nil)
        // A v2 hierarchy without controllers (a hybrid host's "unified") would add nothing:
        // the kill is the PID namespace's.
        if let v2Root, !controllers(of: v2Root).filter({ used.contains($0) }).isEmpty,
            let parent = makeParent(in: v2Root)
        {
            enableControllers(v2Root, parent)
            setup.parents.append(parent)
            setup.memory =
                access(parent + "/cgroup.subtree_control", F_OK) == 0 && controllers(of: parent).contains("memory")
            setup.pids = controllers(of: parent).contains("pids")
            setup.cpu = controllers(of: parent).contains("cpu")
        }
        if !setup.memory, access(root + "/memory/memory.limit_in_bytes", F_OK) == 0,
            let parent = makeParent(in: root + "/memory")
        {
            setup.parents.append(parent)
            setup.memory = true
        }
        if !setup.pids, access(root + "/pids/cgroup.procs", F_OK) == 0, let parent = makeParent(in: root + "/pids") {
            setup.parents.append(parent)
            setup.pids = true
        }
        if !setup.cpu, access(root + "/cpu/cpu.shares", F_OK) == 0, let parent = makeParent(in: root + "/cpu") {
            setup.parents.append(parent)
            setup.cpu = true
        }
        // What an earlier server of this instance left in its groups dies before any group is
        // handed out again; then its v2 leaves can go.
        let groups = setup.parents.flatMap { parent in
            directoryNames(parent).filter { isInstanceGroup($0, instance) }.map { parent + "/" + $0 }
        }
        LeftoverSweep.killProcesses(uids: 0..<0, groups: groups)
        if let v2 = setup.parents.first(where: isCgroup2) { removeLeaves(in: v2, instance: instance) }
        return setup
    }

    /// Whether `name` is an identity group of server instance `instance` (`id-<uid>-<instance>`).
    static func isInstanceGroup(_ name: String, _ instance: Int) -> Bool {
        name.hasPrefix("id-") && name.hasSuffix("-\(instance)") && name.split(separator: "-").count == 3
    }

    /// Removes this instance's v2 leaves (empty: the instance number is ours alone). A child
    /// born by CLONE_INTO_CGROUP into a group whose kill count differs from the launcher's is
    /// SIGKILLed at once (kernel 6.18); a leaf an earlier version killed would fail every run.
    /// A leaf whose killed processes are still exiting is busy for a moment: retried for 1 s.
    private static func removeLeaves(in parent: String, instance: Int) {
        for group in directoryNames(parent) where isInstanceGroup(group, instance) {
            for leaf in directoryNames(parent + "/" + group) where leaf.hasPrefix("run-") {
                var attempts = 0
                while rmdir(parent + "/" + group + "/" + leaf) != 0, errno == EBUSY, attempts < 100 {
                    attempts += 1
                    usleep(10_000)
                }
            }
        }
    }

    private static func isCgroup2(_ path: String) -> Bool {
        CWardenShims_is_cgroup2(path) == 1
    }

    /// Creates (or reuses) the parent group and checks that groups can be made under it.
    private static func makeParent(in hierarchy: String) -> String? {
        let parent = hierarchy + "/warden-runs"
        guard mkdir(parent, 0o755) == 0 || errno == EEXIST else { return nil }
        // A probe group proves we may create run groups here.
        let probe = parent + "/probe-\(getpid())"
        guard mkdir(probe, 0o755) == 0 || errno == EEXIST else { return nil }
        rmdir(probe)
        return parent
    }

    private static func controllers(of group: String) -> [String] {
        guard let text = readWholeFile(group + "/cgroup.controllers") else { return [] }
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }

    private static func enableControllers(_ root: String, _ parent: String) {
        let available = controllers(of: root)
        for controller in ["memory", "pids", "cpu"] where available.contains(controller) {
            _ = writeSmallFile(root + "/cgroup.subtree_control", "+" + controller)
            _ = writeSmallFile(parent + "/cgroup.subtree_control", "+" + controller)
        }
    }
}

func writeSmallFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    return write(fd, bytes, bytes.count) == bytes.count
}
