import CWardenShims
import Glibc
import Synchronization

/// Creates and deletes session workspaces under one root directory.
///
/// Each workspace is a tmpfs mounted at `<root>/<random name>` with the quota as its `size=`
/// and `nr_inodes=` and its root owned by a host uid of its own, taken from a range that does
/// not overlap the run slots' uids. Mounting needs CAP_SYS_ADMIN (root on the host, or
/// `--cap-add SYS_ADMIN` in a container). Deleting is a lazy unmount: the kernel frees the
/// files at once, even while a stale fd still points into them.
public final class WorkspaceStore: Sendable {
    public let root: String
    public let quota: WorkspaceQuota
    let firstIdentity: UInt32
    public let capacity: Int
    /// The most the quotas of the workspaces in use may add up to.
    public let budget: Int
    private let used = Mutex<Set<Int>>([])
    /// The marker file, locked for the store's life: two servers never share a root.
    private let lock: Int32

    /// Marks a directory as a workspace root, so a mistyped root is never cleared.
    static let marker = ".warden-workspaces"

    /// Prepares `root` (mode 0700, marked) and removes the workspaces a previous server left in
    /// it. An existing root must be a directory of this user that is empty or marked.
    public init(
        root: String,
        quota: WorkspaceQuota,
        firstIdentity: UInt32,
        capacity: Int,
        budget: Int = .max
    ) throws(SandboxError) {
        self.root = root
        self.quota = quota
        self.firstIdentity = firstIdentity
        self.capacity = capacity
        self.budget = budget
        guard (1...(1 << 40)).contains(quota.bytes), (1...10_000_000).contains(quota.entries),
            (1...1_000_000).contains(capacity), firstIdentity > 0,
            UInt64(firstIdentity) + UInt64(capacity) <= UInt64(UInt32.max)
        else {
            throw SandboxError(
                .invalidRequest,
                "workspace quotas and capacity must be positive (at most 1 TiB, 10 million entries, a million workspaces)"
            )
        }
        var info = stat()
        if lstat(root, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else {
                throw SandboxError(.setupFailed, "the workspace root \(root) is not a directory owned by this user")
            }
            let names = directoryNames(root)
            guard names.isEmpty || names.contains(Self.marker) else {
                throw SandboxError(
                    .setupFailed,
                    "the workspace root \(root) is not empty and not a Warden workspace root (no \(Self.marker))"
                )
            }
        } else if mkdir(root, 0o700) != 0 {
            throw SandboxError(.setupFailed, "cannot create the workspace root \(root)", errno: errno)
        }
        chmod(root, 0o700)
        let lock = open("\(root)/\(Self.marker)", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            throw SandboxError(.setupFailed, "cannot mark the workspace root \(root)", errno: errno)
        }
        // The lock goes with the store that holds it, which can outlive its server's instance
        // number by a moment (a host cleaned up while a task still holds its store, in one
        // process): a holder is waited for, 2 s at most, before the root counts as taken.
        var attempts = 0
        while flock(lock, LOCK_EX | LOCK_NB) != 0 {
            attempts += 1
            guard errno == EWOULDBLOCK || errno == EINTR, attempts < 200 else {
                close(lock)
                throw SandboxError(.setupFailed, "the workspace root \(root) is in use by another running server")
            }
            usleep(10_000)
        }
        self.lock = lock
        removeAll()  // what a previous server with this root left behind
    }

    deinit {
        close(lock)
    }

    /// The store for `host`'s configuration, with room for `capacity` workspaces. The default
    /// root belongs to the server's instance number, so a restart clears what a crash left.
    public convenience init(host: SandboxHost, capacity: Int) throws(SandboxError) {
        let configuration = host.configuration
        let instance = host.instance
        let slots = configuration.workspaceIdentityBase - configuration.identityBase
        guard UInt64(slots) + UInt64(capacity) <= SandboxConfiguration.identitiesPerInstance else {
            throw SandboxError(
                .invalidRequest,
                "run slots and workspaces together must fit in \(SandboxConfiguration.identitiesPerInstance) uids"
            )
        }
        let root =
            configuration.workspaceRoot
            ?? (instance.directory == "/tmp"
                ? configuration.runtimeDirectory + "/workspaces"
                : "\(instance.directory)/\(instance.number).workspaces")
        // What an earlier server of this instance left running under the workspace uids, which
        // new sessions will take again (the uid block is this instance's alone).
        if instance.isExclusive {
            let first = configuration.workspaceIdentityBase
            LeftoverSweep.killProcesses(uids: first..<(first + UInt32(capacity)))
        }
        try self.init(
            root: root,
            quota: configuration.workspaceQuota,
            firstIdentity: configuration.workspaceIdentityBase,
            capacity: capacity,
            budget: configuration.resolvedWorkspaceBudget
        )
    }

    /// Deletes every workspace (at server shutdown).
    public func removeAll() {
        for name in directoryNames(root) where Self.isWorkspaceName(name) { Self.destroy("\(root)/\(name)") }
        used.withLock { $0.removeAll() }
    }

    /// A new, empty workspace.
    /// - Throws: ``SandboxError`` with `busy` when every workspace identity is taken, `quota`
    ///   when its quota would take the workspaces' quotas past the memory ``budget``, or
    ///   `setupFailed` when the tmpfs cannot be mounted (no CAP_SYS_ADMIN).
    public func create() throws(SandboxError) -> Workspace {
        let (capacity, fitting) = (capacity, budget / max(1, quota.bytes))
        let taken = used.withLock { used -> Result<Int, SandboxError> in
            guard used.count < fitting else {
                return .failure(
                    SandboxError(
                        .quota,
                        "\(used.count) workspaces of \(quota.bytes >> 20) MiB already take the \(budget >> 20) MiB this server may give workspaces (they live in memory); try again later"
                    )
                )
            }
            guard let free = (0..<capacity).first(where: { !used.contains($0) }) else {
                return .failure(SandboxError(.busy, "all \(capacity) workspaces are in use"))
            }
            used.insert(free)
            return .success(free)
        }
        let index: Int
        switch taken {
        case .success(let free): index = free
        case .failure(let error): throw error
        }
        let identity = firstIdentity + UInt32(index)
        var generator = SystemRandomNumberGenerator()
        let path = "\(root)/\(String(generator.next() as UInt64, radix: 16))"
        do throws(SandboxError) {
            guard mkdir(path, 0o700) == 0 else {
                throw SandboxError(.setupFailed, "cannot create the workspace \(path)", errno: errno)
            }
            // One more inode than the quota: the tmpfs root itself takes one.
            guard
                CWardenShims_mount_tmpfs(path, UInt64(quota.bytes), UInt64(quota.entries + 1), identity, identity) == 0
            else {
                let error = errno
                rmdir(path)
                throw SandboxError(
                    .setupFailed,
                    "cannot mount the workspace tmpfs (it needs CAP_SYS_ADMIN; see `warden doctor`)",
                    errno: error
                )
            }
            let fd = open(path, CWARDEN_O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else {
                let error = errno
                Self.destroy(path)
                throw SandboxError(.setupFailed, "cannot open the workspace \(path)", errno: error)
            }
            return Workspace(path: path, identity: identity, quota: quota, index: index, directory: fd)
        } catch {
            _ = used.withLock { $0.remove(index) }
            throw error
        }
    }

    /// Deletes a workspace and everything in it, and frees its identity.
    public func remove(_ workspace: Workspace) {
        remove(workspace, identityFree: true)
    }

    /// Deletes a workspace and everything in it, and frees its identity unless a process may
    /// still run under it (`identityFree` false): such a uid is never handed out again by this
    /// store, so no new workspace shares it with a live process.
    public func remove(_ workspace: Workspace, identityFree: Bool) {
        workspace.close()
        Self.destroy(workspace.path)
        if identityFree { _ = used.withLock { $0.remove(workspace.index) } }
    }

    /// The number of workspaces in use.
    public var count: Int { used.withLock { $0.count } }

    /// Unmounts (every layer) and removes one workspace's mount point. Only `rmdir`: once
    /// unmounted it is an empty directory, and nothing else is ever deleted here.
    private static func destroy(_ path: String) {
        var layers = 0
        while layers < 64, CWardenShims_unmount(path) == 0 { layers += 1 }
        rmdir(path)
    }

    /// Workspace directories are named by 1 to 16 lowercase hex digits.
    static func isWorkspaceName(_ name: String) -> Bool {
        (1...16).contains(name.utf8.count) && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// The names in a directory, without `.` and `..`.
func directoryNames(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    return entryNames(directory)
}

/// The names left in an open directory stream, without `.` and `..`.
func entryNames(_ directory: OpaquePointer) -> [String] {
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) {
            String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
