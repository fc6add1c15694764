import Glibc
public import Logging

/// Everything the engine prepares once at start-up: the compiled seccomp policy, the
/// interpreters, the cgroup parents, the read-only system paths, and what the host supports.
public struct SandboxHost: Sendable {
    public let configuration: SandboxConfiguration
    public let catalog: InterpreterCatalog
    public let layers: HostLayers
    /// The compiled filters the launcher loads on every run.
    let filterPath: String
    package let cgroups: CgroupSetup
    package let instance: ServerInstance
    /// Held while this host uses its runtime directory (see ``sweepStaleRuntimeDirectories()``).
    private let owner: FileLock?
    private static let ownerLock = "owner.lock"
    /// Read-only binds shared by every run (system directories and interpreter prefixes).
    let systemPaths: [String]

    /// Prepares the host for sandboxing.
    /// - Throws: ``SandboxError`` when the policy is invalid or the runtime directory cannot be
    ///   made. A missing kernel layer is not thrown here: it is reported in ``layers``, and
    ///   ``Supervisor`` refuses to run code while a required one is missing.
    public static func prepare(
        _ configuration: SandboxConfiguration,
        logger: Logger
    ) throws(SandboxError) -> SandboxHost {
        var configuration = configuration
        // A child that closes its stdin early must cost an EPIPE, not the server.
        signal(SIGPIPE, SIG_IGN)
        let policyText: String
        guard let text = readWholeFile(configuration.policyPath) else {
            throw SandboxError(.policy, "cannot read the seccomp policy at \(configuration.policyPath)", errno: errno)
        }
        policyText = text
        let policy = try SeccompPolicy(parsing: policyText)
        let (filters, unknown) = try policy.compile()
        if !unknown.isEmpty {
            logger.debug(
                "Syscalls unknown to libseccomp were left to the default",
                metadata: [
                    "warden.seccomp.unknown": "\(unknown.joined(separator: ","))"
                ]
            )
        }
        if configuration.runtimeDirectory.hasPrefix(SandboxConfiguration.defaultRuntimePrefix) {
            sweepStaleRuntimeDirectories()
        }
        try makeDirectory(configuration.runtimeDirectory, mode: 0o711)
        let owner = FileLock.acquire(configuration.runtimeDirectory + "/" + Self.ownerLock)
        try makeDirectory(configuration.runtimeDirectory + "/runs", mode: 0o711)
        mountRunsFileSystem(configuration)
        let filterPath = configuration.runtimeDirectory + "/seccomp.bpf"
        guard writeWholeFile(filterPath, filters, mode: 0o600) else {
            throw SandboxError(.policy, "cannot write \(filterPath)", errno: errno)
        }
        let catalog = InterpreterCatalog.discover(searchPath: configuration.searchPath)
        let instance = ServerInstance.claim()
        // Each server on the host has uids of its own, so the sweep below, which kills what an
        // earlier server of this instance left, never touches another live server's sandboxes.
        configuration.identityBase += UInt32(instance.number % 4096) * SandboxConfiguration.identitiesPerInstance
        let killed =
            instance.isExclusive
            ? LeftoverSweep.killProcesses(uids: configuration.identityBase..<configuration.workspaceIdentityBase) : 0
        let cgroups =
            configuration.useCgroups
            ? CgroupSetup.prepare(root: configuration.cgroupRoot, instance: instance.number) : CgroupSetup()
        var paths: [String] = [
            "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache",
            "/etc/ssl", "/etc/localtime", "/etc/alternatives", "/etc/ca-certificates",
        ]
        .filter { access($0, F_OK) == 0 }
        for interpreter in catalog.interpreters.values {
            for path in interpreter.readOnlyPaths where !paths.contains(path) { paths.append(path) }
        }
        let layers = HostLayers.probe(cgroups: cgroups, cpuCores: configuration.limits.cpuCores)
        if killed > 0 {
            logger.info("Killed processes an earlier server left", metadata: ["warden.processes": "\(killed)"])
        }
        return SandboxHost(
            configuration: configuration,
            catalog: catalog,
            layers: layers,
            filterPath: filterPath,
            cgroups: cgroups,
            instance: instance,
            owner: owner,
            systemPaths: paths
        )
    }

    /// Removes default runtime directories (`/tmp/warden-<pid>-<n>`) whose process is gone: a
    /// server or test killed with SIGKILL never ran ``cleanUp()``, and its compiled policy and
    /// run files would otherwise stay for good. Only directories this user owns are touched.
    /// Puts the run directories on a tmpfs of their own, sized for every run and standby at
    /// once: creating a run's script there costs microseconds, where the runtime directory's
    /// file system (ext4 here) took ~0.1 ms of each run's start. Without the privilege to
    /// mount, they stay where they are.
    private static func mountRunsFileSystem(_ configuration: SandboxConfiguration) {
        let directories = 2 * configuration.maxConcurrentRuns + configuration.standbySandboxes
        let bytes = max(16 << 20, directories * configuration.maxCodeBytes + (1 << 20))
        let options = "size=\(bytes),nr_inodes=\(4 * directories + 1024),mode=0711"
        let flags = UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _ = mount("tmpfs", configuration.runtimeDirectory + "/runs", "tmpfs", flags, options)
    }

    /// Detaches a runtime directory's run tmpfs (see ``mountRunsFileSystem(_:)``), then
    /// removes the directory.
    private static func removeRuntimeDirectory(_ path: String) {
        umount2(path + "/runs", Int32(MNT_DETACH))
        removeTree(path)
    }

    private static func sweepStaleRuntimeDirectories() {
        let prefix = SandboxConfiguration.defaultRuntimePrefix
        let slash = prefix.lastIndex(of: "/")!
        let parent = String(prefix[..<slash])
        let stem = String(prefix[prefix.index(after: slash)...])
        for name in directoryNames(parent) where name.hasPrefix(stem) {
            let parts = name.dropFirst(stem.count).split(separator: "-")
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil else { continue }
            let path = parent + "/" + name
            // A live host holds its directory's lock, whatever PID namespace it runs in; a
            // directory from before the lock existed is judged by its pid.
            if access(path + "/" + ownerLock, F_OK) == 0 {
                guard !FileLock.isHeld(path + "/" + ownerLock) else { continue }
            } else {
                guard pid != getpid(), Glibc.kill(pid, 0) != 0, errno == ESRCH else { continue }
            }
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else { continue }
            removeRuntimeDirectory(path)
        }
    }

    /// Removes the runtime directory (compiled policy, leftover run files) and gives up the
    /// server's instance number.
    public func cleanUp() {
        instance.release()
        Self.removeRuntimeDirectory(configuration.runtimeDirectory)
        owner?.release()
    }
}

private func makeDirectory(_ path: String, mode: mode_t) throws(SandboxError) {
    guard mkdir(path, mode) == 0 || errno == EEXIST else {
        throw SandboxError(.spawnFailed, "cannot create \(path)", errno: errno)
    }
    chmod(path, mode)
}

func readWholeFile(_ path: String, limit: Int = 4 << 20) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while data.count < limit {
        let count = read(fd, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count < 0 { return nil }
        if count == 0 { break }
        data += buffer[..<count]
    }
    return String(decoding: data, as: UTF8.self)
}

func writeWholeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var offset = 0
    while offset < bytes.count {
        let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return false }
        offset += count
    }
    fchmod(fd, mode)
    return true
}

/// Deletes a directory tree without following symlinks or crossing into another file system
/// (a workspace still mounted under it is left alone): every step is relative to a directory
/// fd opened with `O_NOFOLLOW`. Only used on Warden's own runtime files.
func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    guard info.st_mode & S_IFMT == S_IFDIR else {
        unlink(path)
        return
    }
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return }
    removeContents(of: fd, device: info.st_dev, depth: 0)
    close(fd)
    rmdir(path)
}

private func removeContents(of directory: Int32, device: dev_t, depth: Int) {
    let copy = fcntl(directory, F_DUPFD_CLOEXEC, 0)
    guard depth < 64, copy >= 0, let stream = fdopendir(copy) else {
        if copy >= 0 { close(copy) }
        return
    }
    defer { closedir(stream) }
    for name in entryNames(stream) {
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
        if info.st_mode & S_IFMT == S_IFDIR {
            guard info.st_dev == device else { continue }
            let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { continue }
            var opened = stat()
            if fstat(child, &opened) == 0, opened.st_dev == device {
                removeContents(of: child, device: device, depth: depth + 1)
            }
            close(child)
            unlinkat(directory, name, AT_REMOVEDIR)
        } else {
            unlinkat(directory, name, 0)
        }
    }
}
