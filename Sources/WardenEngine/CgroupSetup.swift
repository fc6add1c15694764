import CWardenShims
import Glibc

/// Finds the cgroup hierarchies a run can use and creates Warden's parent groups in them.
///
/// cgroup v1 `memory` and `pids` hierarchies and a v2 hierarchy (with or without controllers;
/// its `cgroup.kill` alone is worth having) each get a `warden` parent; the launcher makes a
/// `run-<pid>` group under each. A hierarchy that cannot be written (a container's read-only
/// /sys/fs/cgroup) is simply not used, and `warden doctor` says so.
struct CgroupSetup: Sendable {
    var parents: [String] = []
    var memory = false
    var pids = false
    var kill = false

    static func prepare(root: String) -> CgroupSetup {
        var setup = CgroupSetup()
        let v2Root = isCgroup2(root) ? root : (isCgroup2(root + "/unified") ? root + "/unified" : nil)
        if let v2Root, let parent = makeParent(in: v2Root) {
            enableControllers(v2Root, parent)
            setup.parents.append(parent)
            setup.kill = access(parent + "/cgroup.kill", F_OK) == 0
            setup.memory = access(parent + "/cgroup.subtree_control", F_OK) == 0 && controllers(of: parent).contains("memory")
            setup.pids = controllers(of: parent).contains("pids")
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
        return setup
    }

    private static func isCgroup2(_ path: String) -> Bool {
        CWardenShims_is_cgroup2(path) == 1
    }

    /// Creates (or reuses) `warden` and removes empty `run-*` groups left by a crash.
    private static func makeParent(in hierarchy: String) -> String? {
        let parent = hierarchy + "/warden"
        guard mkdir(parent, 0o755) == 0 || errno == EEXIST else { return nil }
        // A probe group proves we may create run groups here.
        let probe = parent + "/probe-\(getpid())"
        guard mkdir(probe, 0o755) == 0 || errno == EEXIST else { return nil }
        rmdir(probe)
        if let directory = opendir(parent) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                // Only groups whose launcher is gone: another Warden may be setting one up now.
                if name.hasPrefix("run-"), let pid = Int32(name.dropFirst(4)), Glibc.kill(pid, 0) != 0 && errno == ESRCH {
                    rmdir(parent + "/" + name)
                }
            }
            closedir(directory)
        }
        return parent
    }

    private static func controllers(of group: String) -> [String] {
        guard let text = readSmallFile(group + "/cgroup.controllers") else { return [] }
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }

    private static func enableControllers(_ root: String, _ parent: String) {
        let available = controllers(of: root)
        for controller in ["memory", "pids"] where available.contains(controller) {
            _ = writeSmallFile(root + "/cgroup.subtree_control", "+" + controller)
            _ = writeSmallFile(parent + "/cgroup.subtree_control", "+" + controller)
        }
    }
}

func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 16384)
    let count = read(fd, &buffer, buffer.count)
    guard count >= 0 else { return nil }
    return String(decoding: buffer[..<count], as: UTF8.self)
}

func writeSmallFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    return write(fd, bytes, bytes.count) == bytes.count
}
