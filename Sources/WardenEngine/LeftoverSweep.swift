import Glibc

/// Kills what an earlier server of the same instance left running: processes under its
/// sandbox uids or in its cgroup groups. A server killed with SIGKILL cannot clean up; its
/// launchers end their sandboxes when they see it gone (`sandbox/launcher/watch.c`), and this
/// is the second line, run at start-up before any uid or cgroup leaf is handed out again, so a
/// new session never shares either with a live process.
///
/// Only this instance's ranges are swept: every server on a host takes its own instance
/// number (``ServerInstance``), with uids of its own (``SandboxConfiguration/identitiesPerInstance``)
/// and groups named `id-<uid>-<instance>`.
package enum LeftoverSweep {
    /// Rounds of scanning before giving up on processes that keep forking (each round kills
    /// every process it finds, so a fork bomb under the pids limit empties within a few).
    static let maxRounds = 50

    /// Kills (SIGKILL) every process whose real, effective or saved uid is in `uids`, and every
    /// process in one of `groups` (cgroup directories), until a scan finds none; zombies are
    /// left to their reaper. Returns how many processes were killed.
    @discardableResult
    package static func killProcesses(uids: Range<UInt32>, groups: [String] = []) -> Int {
        var killed = 0
        for _ in 0..<maxRounds {
            var found = Set(processes(uids: uids))
            for group in groups {
                found.formUnion(members(of: group).filter { status(of: $0).map { !$0.zombie } ?? false })
            }
            found.remove(getpid())
            if found.isEmpty { break }
            for pid in found where kill(pid, SIGKILL) == 0 { killed += 1 }
            usleep(2_000)
        }
        return killed
    }

    /// Live (not zombie) processes with a uid in `uids`.
    static func processes(uids: Range<UInt32>) -> [pid_t] {
        guard !uids.isEmpty else { return [] }
        var found: [pid_t] = []
        for name in directoryNames("/proc") {
            guard let pid = pid_t(name), let status = status(of: pid), !status.zombie else { continue }
            if status.uids.contains(where: uids.contains) { found.append(pid) }
        }
        return found
    }

    /// A process's real, effective and saved uids and whether it is a zombie (dead, awaiting
    /// its reaper: a kill cannot end it); `nil` when it is gone.
    static func status(of pid: pid_t) -> (uids: [UInt32], zombie: Bool)? {
        guard let text = readWholeFile("/proc/\(pid)/status", limit: 4096) else { return nil }
        var zombie = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("State:") {
                zombie = line.contains("Z (") || line.contains("X (")
            } else if line.hasPrefix("Uid:") {
                let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().prefix(3)
                return (fields.compactMap { UInt32($0) }, zombie)
            }
        }
        return nil
    }

    /// The processes in a cgroup directory and every group below it.
    static func members(of group: String) -> [pid_t] {
        var found =
            readWholeFile(group + "/cgroup.procs")?.split(separator: "\n").compactMap { pid_t($0) } ?? []
        for name in directoryNames(group) {
            var info = stat()
            let path = group + "/" + name
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            found += members(of: path)
        }
        return found
    }
}
