import CWardenShims
import Glibc

/// The file operations the MCP file tools expose, on one workspace.
///
/// Sandboxed code owns the workspace and is hostile: it plants symlinks, FIFOs and sockets, and
/// can rename a directory into a symlink while a tool walks it. So every path is resolved from
/// the workspace's directory fd with `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`, the
/// last component is examined with `fstatat(AT_SYMLINK_NOFOLLOW)` and acted on relative to
/// its parent's fd, and recursive walks descend with `O_NOFOLLOW`: no race and no link can make
/// a tool touch anything outside. Symlinks that stay inside are followed for reading; a named
/// symlink that leads outside is refused by every tool (`outside_workspace`), and writes never
/// go through a symlink.
public struct WorkspaceFiles: Sendable {
    public enum WriteMode: String, Sendable, CaseIterable {
        case overwrite, append, create
    }

    let workspace: Workspace

    /// More entries than the workspace can hold: a listing this long is the whole tree.
    public var entryLimit: Int { workspace.quota.entries + 16 }

    // MARK: Reading

    /// Reads `length` bytes at `offset` (default: to the end) of a regular file.
    /// - Throws: `too_large` when the range is longer than `cap` (the message gives the size).
    public func read(
        _ path: WorkspacePath,
        offset: Int = 0,
        length: Int? = nil,
        cap: Int
    ) throws(FileError) -> (
        bytes: [UInt8], size: Int
    ) {
        try workspace.withDirectory { base throws(FileError) in
            // O_NONBLOCK: opening a FIFO must not wait for a writer.
            let fd = try open(base, path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
            defer { close(fd) }
            var status = stat()
            guard fstat(fd, &status) == 0 else { throw FileError.from(errno: errno, path: "\(path)") }
            try requireRegular(status, path)
            guard !path.namesDirectory else { throw FileError(.invalidPath, "\(path)/ ends with / but is a file") }
            let size = Int(status.st_size)
            let start = min(max(0, offset), size)
            let wanted = length.map { min($0, size - start) } ?? (size - start)
            guard (length ?? wanted) <= cap else {
                throw FileError(
                    .tooLarge,
                    "\(path) is \(size) bytes; read at most \(cap) bytes per call with offset and length"
                )
            }
            var bytes = [UInt8](repeating: 0, count: wanted)
            var done = 0
            while done < wanted {
                let count = bytes.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress! + done, wanted - done, off_t(start + done))
                }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw FileError.from(errno: errno, path: "\(path)") }
                if count == 0 { break }
                done += count
            }
            return (Array(bytes.prefix(done)), size)
        }
    }

    /// The entry at `path` (not following a final symlink).
    public func entry(_ path: WorkspacePath) throws(FileError) -> FileEntry {
        try workspace.withDirectory { base throws(FileError) in
            if path.isRoot {
                var status = stat()
                guard fstat(base, &status) == 0 else { throw FileError.from(errno: errno, path: "\(path)") }
                return FileEntry(path: path, status: status)
            }
            let parent = try open(base, path.parent, CWARDEN_O_PATH | O_DIRECTORY)
            defer { close(parent) }
            let status = try lstat(parent, path)
            return FileEntry(path: path, status: status, target: linkTarget(parent, path, status))
        }
    }

    /// The entries of a directory (or the one entry of a file), sorted by path, at most `limit`.
    public func list(
        _ path: WorkspacePath,
        recursive: Bool,
        limit: Int
    ) throws(FileError) -> (
        entries: [FileEntry], truncated: Bool
    ) {
        try workspace.withDirectory { base throws(FileError) in
            let fd = try open(base, path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
            var status = stat()
            guard fstat(fd, &status) == 0 else {
                close(fd)
                throw FileError.from(errno: errno, path: "\(path)")
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                close(fd)
                return ([FileEntry(path: path, status: status)], false)
            }
            defer { close(fd) }
            var entries: [FileEntry] = []
            let truncated = Self.walk(fd, path, recursive: recursive, limit: limit) { entries.append($0) }
            return (entries.sorted { $0.path.relative < $1.path.relative }, truncated)
        }
    }

    // MARK: Writing

    /// Writes a file atomically (a temporary file renamed into place), creating parent
    /// directories. `append` extends the file in place and cuts it back if the write fails.
    @discardableResult
    public func write(_ path: WorkspacePath, _ bytes: [UInt8], mode: WriteMode) throws(FileError) -> FileEntry {
        guard !path.isRoot else { throw FileError(.isDirectory, "/workspace is a directory") }
        guard !path.namesDirectory else { throw FileError(.invalidPath, "\(path)/ ends with /: name a file to write") }
        return try workspace.withDirectory { base throws(FileError) in
            let parent = try makeDirectories(base, path.parent)
            defer { close(parent) }
            var existing: stat?
            do throws(FileError) { existing = try lstat(parent, path) } catch  where error.code == .notFound {}
            if let existing {
                try refuseLink(base, path, existing)
                guard existing.st_mode & S_IFMT != S_IFDIR else {
                    throw FileError(.isDirectory, "\(path) is a directory")
                }
                guard mode != .create else { throw FileError(.exists, "\(path) already exists") }
                try requireRegular(existing, path)
            }
            if mode == .append, existing != nil {
                return try append(parent, path, bytes)
            }
            let permissions = existing.map { $0.st_mode & 0o777 } ?? 0o644
            return try replace(parent, path, bytes, permissions: permissions, noReplace: mode == .create)
        }
    }

    /// Replaces `old` by `new` once (or everywhere with `all`); returns how many were replaced.
    /// - Throws: `no_match` or `ambiguous_match` (with the count) when the match is not unique.
    public func edit(_ path: WorkspacePath, old: String, new: String, all: Bool, cap: Int) throws(FileError) -> Int {
        guard !old.isEmpty else { throw FileError(.noMatch, "old_text is empty; it must match text in the file") }
        guard !path.namesDirectory else { throw FileError(.invalidPath, "\(path)/ ends with /: name a file to edit") }
        return try workspace.withDirectory { base throws(FileError) in
            guard !path.isRoot else { throw FileError(.isDirectory, "/workspace is a directory") }
            let parent = try open(base, path.parent, CWARDEN_O_PATH | O_DIRECTORY)
            defer { close(parent) }
            let existing = try lstat(parent, path)
            try refuseLink(base, path, existing)
            guard existing.st_mode & S_IFMT != S_IFDIR else { throw FileError(.isDirectory, "\(path) is a directory") }
            try requireRegular(existing, path)
            guard Int(existing.st_size) <= cap else {
                throw FileError(.tooLarge, "\(path) is \(existing.st_size) bytes; edit_file handles at most \(cap)")
            }
            let fd = openat(parent, path.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { throw FileError.from(errno: errno, path: "\(path)") }
            defer { close(fd) }
            var opened = stat()
            guard fstat(fd, &opened) == 0 else { throw FileError.from(errno: errno, path: "\(path)") }
            try requireRegular(opened, path)
            let content = try readAll(fd, cap: cap, path: path)
            guard String(validating: content, as: UTF8.self) != nil else {
                throw FileError(.invalidEncoding, "\(path) is not UTF-8 text; rewrite it with write_file")
            }
            let needle = Array(old.utf8)
            let matches = Self.occurrences(of: needle, in: content)
            guard !matches.isEmpty else { throw FileError(.noMatch, "old_text does not occur in \(path)") }
            guard matches.count == 1 || all else {
                throw FileError(
                    .ambiguousMatch,
                    "old_text occurs \(matches.count) times in \(path); add context to make it unique or set replace_all"
                )
            }
            let replacement = Array(new.utf8)
            let (growth, overflow) = (replacement.count - needle.count).multipliedReportingOverflow(by: matches.count)
            guard !overflow, content.count + growth <= cap else {
                throw FileError(.tooLarge, "the edited \(path) would be larger than \(cap) bytes")
            }
            var result: [UInt8] = []
            result.reserveCapacity(content.count)
            var cursor = 0
            for match in matches {
                result += content[cursor..<match]
                result += replacement
                cursor = match + needle.count
            }
            result += content[cursor...]
            _ = try replace(parent, path, result, permissions: existing.st_mode & 0o777, noReplace: false)
            return matches.count
        }
    }

    /// Deletes a file, a symlink (never its target) or a directory (`recursive` when not empty).
    public func delete(_ path: WorkspacePath, recursive: Bool) throws(FileError) {
        guard !path.isRoot else { throw FileError(.invalidPath, "the workspace root cannot be deleted") }
        try workspace.withDirectory { base throws(FileError) in
            let (parent, existing) = try named(base, path)
            defer { close(parent) }
            if existing.st_mode & S_IFMT == S_IFDIR {
                if recursive {
                    let fd = openat(parent, path.name, CWARDEN_O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard fd >= 0 else { throw FileError.from(errno: errno, path: "\(path)") }
                    Self.removeContents(fd, budget: 8 * workspace.quota.entries + 64)
                    close(fd)
                }
                guard unlinkat(parent, path.name, AT_REMOVEDIR) == 0 else {
                    if (errno == ENOTEMPTY || errno == EEXIST) && recursive {
                        throw FileError(
                            .isDirectory,
                            "\(path) could not be emptied: something keeps writing into it, or it goes more than \(Self.maxWalkDepth) levels deep (remove that with rm -rf from run_code)"
                        )
                    }
                    if errno == ENOTEMPTY || errno == EEXIST {
                        throw FileError(.isDirectory, "\(path) is a non-empty directory; set recursive to delete it")
                    }
                    throw FileError.from(errno: errno, path: "\(path)")
                }
            } else {
                guard unlinkat(parent, path.name, 0) == 0 else { throw FileError.from(errno: errno, path: "\(path)") }
            }
        }
    }

    /// Moves or renames an entry; the destination must not exist. Parent directories of the
    /// destination are created.
    public func move(_ source: WorkspacePath, to destination: WorkspacePath) throws(FileError) {
        guard !source.isRoot, !destination.isRoot else {
            throw FileError(.invalidPath, "the workspace root cannot be moved or replaced")
        }
        guard !source.contains(destination) else {
            throw FileError(.invalidPath, "\(source) cannot be moved into itself")
        }
        try workspace.withDirectory { base throws(FileError) in
            let (from, _) = try named(base, source)
            defer { close(from) }
            let to = try makeDirectories(base, destination.parent)
            defer { close(to) }
            guard CWardenShims_renameat2(from, source.name, to, destination.name, 1) == 0 else {
                switch errno {
                case EEXIST, ENOTEMPTY: throw FileError(.exists, "\(destination) already exists")
                case EINVAL: throw FileError(.invalidPath, "\(source) cannot be moved into itself")
                default: throw FileError.from(errno: errno, path: "\(destination)")
                }
            }
        }
    }

    // MARK: Snapshots

    /// Every entry in the workspace by relative path (at most `limit`), for run artifacts.
    public func snapshot(limit: Int) -> [String: FileEntry] {
        var result: [String: FileEntry] = [:]
        _ = try? workspace.withDirectory { base throws(FileError) in
            _ = Self.walk(base, WorkspacePath(components: []), recursive: true, limit: limit) {
                result[$0.path.relative] = $0
            }
        }
        return result
    }

    // MARK: Helpers

    /// Opens `path` beneath the workspace, following only symlinks that stay inside.
    private func open(_ base: Int32, _ path: WorkspacePath, _ flags: Int32) throws(FileError) -> Int32 {
        let fd = CWardenShims_openat_beneath(base, path.relative, flags | O_CLOEXEC, 0, 0)
        guard fd >= 0 else {
            if errno == ELOOP { throw FileError(.invalidPath, "\(path) has a symlink loop") }
            if errno == ENOTDIR { throw FileError(.notFound, "a parent of \(path) is not a directory") }
            throw FileError.from(errno: errno, path: "\(path)")
        }
        return fd
    }

    /// The parent's fd (the caller closes it) and the status of an existing entry that a tool
    /// acts on itself (delete, move): not a link that leads outside, a directory if the path
    /// ends with `/`.
    private func named(_ base: Int32, _ path: WorkspacePath) throws(FileError) -> (Int32, stat) {
        let parent = try open(base, path.parent, CWARDEN_O_PATH | O_DIRECTORY)
        do throws(FileError) {
            let existing = try lstat(parent, path)
            try refuseLink(base, path, existing)
            if path.namesDirectory, existing.st_mode & S_IFMT != S_IFDIR {
                throw FileError(.invalidPath, "\(path)/ ends with / but is not a directory")
            }
            return (parent, existing)
        } catch {
            close(parent)
            throw error
        }
    }

    /// The status of the last component of `path`, not following it.
    private func lstat(_ parent: Int32, _ path: WorkspacePath) throws(FileError) -> stat {
        var status = stat()
        guard fstatat(parent, path.name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw FileError.from(errno: errno, path: "\(path)")
        }
        return status
    }

    /// Refuses a named symlink whose target leaves the workspace (or cannot be resolved safely).
    private func refuseLink(_ base: Int32, _ path: WorkspacePath, _ status: stat) throws(FileError) {
        guard status.st_mode & S_IFMT == S_IFLNK else { return }
        let fd = CWardenShims_openat_beneath(base, path.relative, CWARDEN_O_PATH | O_CLOEXEC, 0, 0)
        if fd >= 0 {
            close(fd)
            return
        }
        switch errno {
        case ENOENT: return  // dangling inside the workspace
        case EXDEV: throw FileError(.outsideWorkspace, "\(path) is a symlink that leads outside the workspace")
        default: throw FileError(.invalidPath, "\(path) is a symlink that cannot be resolved inside the workspace")
        }
    }

    private func requireRegular(_ status: stat, _ path: WorkspacePath) throws(FileError) {
        switch status.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw FileError(.isDirectory, "\(path) is a directory")
        case S_IFLNK: throw FileError(.notARegularFile, "\(path) is a symlink; write the file it points to instead")
        default:
            throw FileError(
                .notARegularFile,
                "\(path) is a \(FileType(mode: status.st_mode).rawValue), not a regular file"
            )
        }
    }

    private func linkTarget(_ parent: Int32, _ path: WorkspacePath, _ status: stat) -> String? {
        guard status.st_mode & S_IFMT == S_IFLNK else { return nil }
        return Self.readLink(parent, Array(path.name.utf8CString))
    }

    /// Opens (creating as needed, owned by the workspace's identity) the directory `path`.
    private func makeDirectories(_ base: Int32, _ path: WorkspacePath) throws(FileError) -> Int32 {
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
    private func replace(
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
    private func append(_ parent: Int32, _ path: WorkspacePath, _ bytes: [UInt8]) throws(FileError) -> FileEntry {
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

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: WorkspacePath) -> FileError? {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return FileError.from(errno: count == 0 ? ENOSPC : errno, path: "\(path)") }
            offset += count
        }
        return nil
    }

    private func readAll(_ fd: Int32, cap: Int, path: WorkspacePath) throws(FileError) -> [UInt8] {
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

    static func readLink(_ parent: Int32, _ name: [CChar]) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlinkat(parent, name, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Opens `components` (raw names) below the directory `root`, never following a symlink
    /// (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), in steps of at most ~3000 bytes so a tree deeper
    /// than PATH_MAX is still reachable; at most two fds are open at a time. -1 on failure.
    static func open(below root: Int32, _ components: ArraySlice<[UInt8]>, _ flags: Int32) -> Int32 {
        func step(_ directory: Int32, _ parts: ArraySlice<[UInt8]>, _ flags: Int32) -> Int32 {
            let bytes = parts.isEmpty ? [UInt8(ascii: ".")] : Array(parts.joined(separator: [UInt8(ascii: "/")]))
            return CWardenShims_openat_beneath(
                directory,
                bytes.map { CChar(bitPattern: $0) } + [0],
                flags | O_CLOEXEC,
                0,
                1
            )
        }
        var current = root
        var start = components.startIndex
        repeat {
            var end = start
            var length = 0
            while end < components.endIndex, end == start || length + components[end].count + 1 <= 3000 {
                length += components[end].count + 1
                end += 1
            }
            let last = end == components.endIndex
            let next = step(current, components[start..<end], last ? flags : CWARDEN_O_PATH | O_DIRECTORY)
            if current != root { close(current) }
            guard next >= 0 else { return -1 }
            current = next
            start = end
        } while start < components.endIndex
        return current
    }

    /// How deep walks go, and how many bytes of paths they collect: a run can build a chain of
    /// thousands of directories, and reopening each level from the root costs its depth, so
    /// walks stop there (reported as truncated) instead of spending seconds and megabytes.
    static let maxWalkDepth = 256
    static let maxWalkPathBytes = 16 << 20

    /// Visits the entries under the directory `root` (kept open), breadth first, at most
    /// `limit`, at most ``maxWalkDepth`` levels down and ``maxWalkPathBytes`` of paths; returns
    /// whether it stopped early. Subdirectories are reopened from `root` with
    /// RESOLVE_NO_SYMLINKS, so a directory swapped for a symlink mid-walk is skipped, never
    /// followed, and only two fds are open however deep the tree is. Names are kept as raw
    /// bytes for the file system and shown decoded (a name that is not UTF-8 shows U+FFFD).
    static func walk(
        _ root: Int32,
        _ path: WorkspacePath,
        recursive: Bool,
        limit: Int,
        visit: (FileEntry) -> Void
    ) -> Bool {
        var count = 0
        var pathBytes = 0
        var cut = false
        var pending: [[[UInt8]]] = [[]]
        var next = 0
        while next < pending.count {
            let sub = pending[next]
            next += 1
            let fd = open(below: root, sub[...], O_RDONLY | O_DIRECTORY)
            guard fd >= 0, let stream = fdopendir(fd) else {
                if fd >= 0 { close(fd) }
                continue
            }
            defer { closedir(stream) }
            let shown = path.components + sub.map { String(decoding: $0, as: UTF8.self) }
            while let entry = readdir(stream) {
                let raw = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
                if raw == [46] || raw == [46, 46] { continue }
                let cName = raw.map { CChar(bitPattern: $0) } + [0]
                var status = stat()
                guard fstatat(fd, cName, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                guard count < limit else { return true }
                count += 1
                let target = status.st_mode & S_IFMT == S_IFLNK ? readLink(fd, cName) : nil
                let name = String(decoding: raw, as: UTF8.self)
                let entryPath = WorkspacePath(components: shown + [name])
                pathBytes += entryPath.relative.utf8.count
                guard pathBytes <= maxWalkPathBytes else { return true }
                visit(FileEntry(path: entryPath, status: status, target: target))
                if recursive, status.st_mode & S_IFMT == S_IFDIR {
                    if sub.count + 1 < maxWalkDepth { pending.append(sub + [raw]) } else { cut = true }
                }
            }
        }
        return cut
    }

    /// Deletes everything under the directory `root` (kept open), deepest first, never
    /// following a link; subdirectories are reopened from `root` with RESOLVE_NO_SYMLINKS.
    /// Names stay raw bytes (a run may make names that are not UTF-8). Bounded, so a run that
    /// keeps creating entries cannot keep it busy forever.
    static func removeContents(_ root: Int32, budget: Int) {
        var stack: [(path: [[UInt8]], emptied: Bool)] = [([], false)]
        var steps = 0
        while let (sub, emptied) = stack.popLast(), steps < budget {
            steps += 1
            if emptied {
                let fd = open(below: root, sub.dropLast(), CWARDEN_O_PATH | O_DIRECTORY)
                if fd >= 0 {
                    unlinkat(fd, sub[sub.count - 1].map { CChar(bitPattern: $0) } + [0], AT_REMOVEDIR)
                    close(fd)
                }
                continue
            }
            let fd = open(below: root, sub[...], O_RDONLY | O_DIRECTORY)
            guard fd >= 0, let stream = fdopendir(fd) else {
                if fd >= 0 { close(fd) }
                continue
            }
            var directories: [[UInt8]] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
                if name == [46] || name == [46, 46] { continue }
                if unlinkat(fd, name.map { CChar(bitPattern: $0) } + [0], 0) != 0 && errno == EISDIR {
                    directories.append(name)
                }
                steps += 1
            }
            closedir(stream)
            if !sub.isEmpty { stack.append((sub, true)) }
            // Deeper trees are left for the run that made them (`rm -rf`): see maxWalkDepth.
            guard sub.count + 1 < maxWalkDepth else { continue }
            for name in directories { stack.append((sub + [name], false)) }
        }
    }
}
