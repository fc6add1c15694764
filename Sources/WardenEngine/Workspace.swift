import Glibc
import Synchronization

/// One session's private directory: a quota-bounded tmpfs on the host, bound read-write at
/// `/workspace` in each of the session's runs, which all run as the workspace's own host uid.
///
/// File tools never use the host path: they resolve every path from the workspace's directory
/// fd (see ``WorkspaceFiles``), so nothing a run plants there can lead them outside.
public final class Workspace: Sendable {
    /// Where the tmpfs is mounted on the host (handed to the launcher, never shown to clients).
    public let path: String
    /// The host uid and gid the session's runs (and the files the tools create) use.
    public let identity: UInt32
    public let quota: WorkspaceQuota
    let index: Int
    private let directory: Mutex<Int32>

    init(path: String, identity: UInt32, quota: WorkspaceQuota, index: Int, directory: Int32) {
        self.path = path
        self.identity = identity
        self.quota = quota
        self.index = index
        self.directory = Mutex(directory)
    }

    /// The file operations of this workspace.
    public var files: WorkspaceFiles { WorkspaceFiles(workspace: self) }

    /// Runs `body` with a private duplicate of the workspace's directory fd, so closing the
    /// workspace while a tool runs can never leave the tool holding a reused fd number.
    func withDirectory<R>(_ body: (Int32) throws(FileError) -> R) throws(FileError) -> R {
        let fd = directory.withLock { $0 >= 0 ? fcntl($0, F_DUPFD_CLOEXEC, 0) : -1 }
        guard fd >= 0 else { throw FileError(.notFound, "the workspace is closed") }
        defer { Glibc.close(fd) }
        return try body(fd)
    }

    /// Whether the workspace is still in use (not yet closed for deletion).
    var isOpen: Bool { directory.withLock { $0 >= 0 } }

    /// Closes the directory fd; later file operations fail with `not_found`.
    func close() {
        directory.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }
}
