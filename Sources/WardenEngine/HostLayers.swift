import CWardenShims
import Glibc

/// The isolation layers this host provides, as `warden doctor` and `/healthz` report them.
public struct HostLayers: Sendable {
    /// One isolation layer.
    public struct Layer: Sendable, Hashable {
        public var name: String
        public var available: Bool
        /// Without a required layer Warden refuses to run code.
        public var required: Bool
        public var detail: String
    }

    public var layers: [Layer]

    /// The required layers this host lacks.
    public var missingRequired: [Layer] { layers.filter { $0.required && !$0.available } }

    /// The Landlock ABI (0: none).
    public var landlockABI: Int

    static func probe(cgroups: CgroupSetup, cpuCores: Double? = nil) -> HostLayers {
        var layers: [Layer] = []
        let actions = readWholeFile("/proc/sys/kernel/seccomp/actions_avail") ?? ""
        let seccomp = actions.contains("kill_process") && actions.contains("errno")
        layers.append(
            Layer(
                name: "seccomp",
                available: seccomp,
                required: true,
                detail: seccomp ? "filter mode, kill_process and errno actions" : "no seccomp filters"
            )
        )
        let noNewPrivs = CWardenShims_no_new_privs() >= 0
        layers.append(Layer(name: "no_new_privs", available: noNewPrivs, required: true, detail: "PR_SET_NO_NEW_PRIVS"))
        layers.append(
            Layer(
                name: "rlimits",
                available: true,
                required: true,
                detail: "address space, cpu, processes, files, file size, core"
            )
        )
        let userLimit = Int(readWholeFile("/proc/sys/user/max_user_namespaces")?.trimmingWhitespace() ?? "") ?? 0
        layers.append(
            Layer(
                name: "user_namespace",
                available: userLimit > 0,
                required: true,
                detail: "max_user_namespaces=\(userLimit)"
            )
        )
        for (name, file) in [
            ("pid_namespace", "pid"), ("mount_namespace", "mnt"), ("network_namespace", "net"),
            ("ipc_namespace", "ipc"), ("uts_namespace", "uts"), ("cgroup_namespace", "cgroup"),
        ] {
            let available = access("/proc/self/ns/\(file)", F_OK) == 0
            layers.append(Layer(name: name, available: available, required: true, detail: "/proc/self/ns/\(file)"))
        }
        let abi = Int(CWardenShims_landlock_abi())
        layers.append(
            Layer(
                name: "landlock",
                available: abi > 0,
                required: false,
                detail: abi > 0 ? "ABI \(abi)" : "not in this kernel"
            )
        )
        layers.append(
            Layer(
                name: "cgroup_memory",
                available: cgroups.memory,
                required: false,
                detail: cgroups.memory ? "memory limit per run, OOM reported as memory_limit" : "RLIMIT_AS only"
            )
        )
        layers.append(
            Layer(
                name: "cgroup_pids",
                available: cgroups.pids,
                required: false,
                detail: cgroups.pids ? "pids.max per run" : "RLIMIT_NPROC only"
            )
        )
        layers.append(
            Layer(
                name: "cgroup_cpu",
                available: cgroups.cpu,
                required: false,
                detail: cgroups.cpu
                    ? "equal CPU weight per workspace identity"
                        + (cpuCores.map { ", at most \($0) cores per run" } ?? ", no per-run ceiling")
                    : "no CPU weights: a run's processes compete with everyone's"
            )
        )
        return HostLayers(layers: layers, landlockABI: abi)
    }
}
