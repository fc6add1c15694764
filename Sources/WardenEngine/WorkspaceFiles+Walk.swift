import CWardenShims
import Glibc

/// Tree walks for listings, snapshots and recursive deletes: raw-byte names, no symlink ever
/// followed, bounded in depth, bytes and steps whatever a run builds.
extension WorkspaceFiles {
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
    /// How long one walk may take: the server walks on behalf of a session (listings, a run's
    /// snapshots), outside every limit of the run that built the tree, so a walk is cut short
    /// (and says so) rather than let one session's tree cost the server seconds.
    public static let maxWalkTime: Duration = .milliseconds(500)

    /// Visits the entries under the directory `root` (kept open), breadth first, at most
    /// `limit`, at most ``maxWalkDepth`` levels down, ``maxWalkPathBytes`` of paths and
    /// `time` long; returns whether it stopped early. Subdirectories are reopened from `root` with
    /// RESOLVE_NO_SYMLINKS, so a directory swapped for a symlink mid-walk is skipped, never
    /// followed, and only two fds are open however deep the tree is. Names are kept as raw
    /// bytes for the file system and shown decoded (a name that is not UTF-8 shows U+FFFD).
    static func walk(
        _ root: Int32,
        _ path: WorkspacePath,
        recursive: Bool,
        limit: Int,
        time: Duration = maxWalkTime,
        visit: (FileEntry) -> Void
    ) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + time
        var count = 0
        var pathBytes = 0
        var cut = false
        var pending: [[[UInt8]]] = [[]]
        var next = 0
        while next < pending.count {
            let sub = pending[next]
            next += 1
            guard clock.now < deadline else { return true }
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
                // The clock is read every 256 entries: a directory can hold thousands.
                if count & 255 == 0, clock.now >= deadline { return true }
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
