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
        limit: Int,
        time: Duration = maxWalkTime
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
            // Each entry's sort key is made once: joined per comparison, deep paths made the
            // sort of a large tree cost seconds.
            var keyed: [(key: String, entry: FileEntry)] = []
            let truncated = Self.walk(fd, path, recursive: recursive, limit: limit, time: time) {
                keyed.append(($0.path.relative, $0))
            }
            keyed.sort { $0.key < $1.key }
            return (keyed.map(\.entry), truncated)
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

    /// The entries of the whole workspace, by relative path, for a run's artifacts.
    public struct Snapshot: Sendable {
        public var entries: [String: FileEntry] = [:]
        /// Whether the walk saw the whole tree (not cut short by its entry, depth, size or
        /// time bounds).
        public var complete = true
    }

    /// Every entry in the workspace by relative path (at most `limit`, within `time`).
    public func snapshot(limit: Int, time: Duration = maxWalkTime) -> Snapshot {
        var result = Snapshot()
        _ = try? workspace.withDirectory { base throws(FileError) in
            let cut = Self.walk(base, WorkspacePath(components: []), recursive: true, limit: limit, time: time) {
                result.entries[$0.path.relative] = $0
            }
            result.complete = !cut
        }
        return result
    }

    // MARK: Helpers

    /// Opens `path` beneath the workspace, following only symlinks that stay inside.
    func open(_ base: Int32, _ path: WorkspacePath, _ flags: Int32) throws(FileError) -> Int32 {
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
    func named(_ base: Int32, _ path: WorkspacePath) throws(FileError) -> (Int32, stat) {
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
    func lstat(_ parent: Int32, _ path: WorkspacePath) throws(FileError) -> stat {
        var status = stat()
        guard fstatat(parent, path.name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw FileError.from(errno: errno, path: "\(path)")
        }
        return status
    }

    /// Refuses a named symlink whose target leaves the workspace (or cannot be resolved safely).
    func refuseLink(_ base: Int32, _ path: WorkspacePath, _ status: stat) throws(FileError) {
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

    func requireRegular(_ status: stat, _ path: WorkspacePath) throws(FileError) {
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

    func linkTarget(_ parent: Int32, _ path: WorkspacePath, _ status: stat) -> String? {
        guard status.st_mode & S_IFMT == S_IFLNK else { return nil }
        return Self.readLink(parent, Array(path.name.utf8CString))
    }

    static func readLink(_ parent: Int32, _ name: [CChar]) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlinkat(parent, name, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
