import Glibc

/// This server's number among the Warden servers running on the host, held by an exclusive
/// `flock` on `/run/warden-instances/<n>.lock` (or under /tmp without /run) until
/// ``release()`` or the process's exit. Concurrent servers never share a run's cgroup leaf or
/// a workspace root, and a restarted server takes the same number, so it reuses the leaves
/// (no new cgroups, no dying ones) and clears the workspaces a crash left behind.
package final class ServerInstance: Sendable {
    package let number: Int
    /// Where the lock files live; `<directory>/<number>.workspaces` is the default workspace root.
    package let directory: String
    private let lock: FileLock?

    private init(number: Int, directory: String, lock: FileLock?) {
        self.number = number
        self.directory = directory
        self.lock = lock
    }

    /// The lowest number no running server holds.
    package static func claim() -> ServerInstance {
        let directory = access("/run", W_OK) == 0 ? "/run/warden-instances" : "/tmp/warden-instances-\(geteuid())"
        var info = stat()
        if mkdir(directory, 0o700) == 0 || errno == EEXIST, lstat(directory, &info) == 0,
            info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid()
        {
            for number in 0..<4096 {
                if let lock = FileLock.acquire("\(directory)/\(number).lock") {
                    return ServerInstance(number: number, directory: directory, lock: lock)
                }
            }
        }
        // No usable lock directory: the pid is unique among running servers too.
        return ServerInstance(number: Int(getpid()), directory: "/tmp", lock: nil)
    }

    /// Whether the number is this server's alone (held by its lock). Without a usable lock
    /// directory the number is the pid, which another server's may equal modulo the uid
    /// blocks, so nothing is swept then.
    package var isExclusive: Bool { lock != nil }

    /// Lets another server (or the next host in this process) take this number.
    package func release() {
        lock?.release()
    }
}
