import CWardenShims
import Glibc

/// The byte-level steps of the writing tools: directories made for the workspace's owner,
/// whole-file replacement through a temporary file, appends cut back on failure, and search.
extension WorkspaceFiles {
    /// Opens (creating as needed, owned by the workspace's identity) the directory `path`.
    func makeDirectories(_ base: Int32, _ path: WorkspacePath) throws(FileError) -> Int32 {
        let existing = CWardenShims_openat_beneath(base, path.relative, CWARDEN_O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0)
        if existing >= 0 { return existing }
        guard errno == ENOENT else { return try open(base, path, CWARDEN_O_PATH | O_DIRECTORY) }
        var current = try open(base, WorkspacePath(components: []), CWARDEN_O_PATH | O_DIRECTORY)
        var prefix = WorkspacePath(components: [])
        for name in path.components {
            prefix = prefix.appending(name)
            if mkdirat(current, name, 0o755) == 0 {
                let created = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if created >= 0 {
                    fchown(created, workspace.identity, workspace.identity)
                    close(created)
                }
            } else if errno != EEXIST {
                let error = errno
                close(current)
                throw FileError.from(errno: error, path: "\(prefix)")
            }
            close(current)
            current = try open(base, prefix, CWARDEN_O_PATH | O_DIRECTORY)
        }
        return current
    }

    /// Writes `bytes` to a new temporary file in `parent` and renames it over `path`.
    func replace(
        _ parent: Int32,
        _ path: WorkspacePath,
        _ bytes: [UInt8],
        permissions: mode_t,
        noReplace: Bool
    ) throws(FileError) -> FileEntry {
        var generator = SystemRandomNumberGenerator()
        let temporary = ".warden-write-\(String(generator.next() as UInt64, radix: 16))"
        let fd = openat(parent, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError.from(errno: errno, path: "\(path)") }
        var status = stat()
        let error: FileError? = {
            if let failure = writeAll(fd, bytes, path: path) { return failure }
            guard fchown(fd, workspace.identity, workspace.identity) == 0, fchmod(fd, permissions) == 0,
                fstat(fd, &status) == 0
            else { return FileError.from(errno: errno, path: "\(path)") }
            return nil
        }()
        close(fd)
        if error == nil, CWardenShims_renameat2(parent, temporary, parent, path.name, noReplace ? 1 : 0) == 0 {
            return FileEntry(path: path, status: status)
        }
        let failure =
            error
            ?? {
                switch errno {
                case EEXIST: return FileError(.exists, "\(path) already exists")
                case EISDIR, ENOTEMPTY: return FileError(.isDirectory, "\(path) is a directory")
                default: return FileError.from(errno: errno, path: "\(path)")
                }
            }()
        unlinkat(parent, temporary, 0)
        throw failure
    }

    /// Appends to an existing regular file; a failed write is cut back off.
    func append(_ parent: Int32, _ path: WorkspacePath, _ bytes: [UInt8]) throws(FileError) -> FileEntry {
        let fd = openat(parent, path.name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.from(errno: errno, path: "\(path)") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw FileError.from(errno: errno, path: "\(path)") }
        try requireRegular(status, path)
        if let failure = writeAll(fd, bytes, path: path) {
            ftruncate(fd, status.st_size)
            throw failure
        }
        fstat(fd, &status)
        return FileEntry(path: path, status: status)
    }

    func writeAll(_ fd: Int32, _ bytes: [UInt8], path: WorkspacePath) -> FileError? {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return FileError.from(errno: count == 0 ? ENOSPC : errno, path: "\(path)") }
            offset += count
        }
        return nil
    }

    func readAll(_ fd: Int32, cap: Int, path: WorkspacePath) throws(FileError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw FileError.from(errno: errno, path: "\(path)") }
            if count == 0 { return result }
            result += buffer[..<count]
            guard result.count <= cap else { throw FileError(.tooLarge, "\(path) grew beyond \(cap) bytes") }
        }
    }

    /// Byte offsets of the non-overlapping occurrences of `needle` (exact bytes, no Unicode
    /// equivalence: an edit must change exactly what was asked), found with glibc's `memmem`
    /// (two-way search, linear), so a long needle cannot make an edit quadratic.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return [] }
        var result: [Int] = []
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                var start = 0
                while start <= hay.count - pin.count,
                    let found = CWardenShims_memmem(
                        hay.baseAddress! + start,
                        hay.count - start,
                        pin.baseAddress!,
                        pin.count
                    )
                {
                    let offset = hay.baseAddress!.distance(to: found)
                    result.append(offset)
                    start = offset + pin.count
                }
            }
        }
        return result
    }
}
