import Glibc

/// What a workspace entry is.
public enum FileType: String, Sendable, CaseIterable {
    case file, directory, symlink, fifo, socket
    case charDevice = "char_device"
    case blockDevice = "block_device"
    case other

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .charDevice
        case S_IFBLK: self = .blockDevice
        default: self = .other
        }
    }
}

/// One workspace entry as the file tools report it.
public struct FileEntry: Sendable, Hashable {
    public var path: WorkspacePath
    public var type: FileType
    /// Bytes for files (and the link text's length for symlinks); 0 for the rest.
    public var size: Int
    /// Last modification, in seconds since the epoch.
    public var modified: Double
    /// For a symlink, the text it points to (never followed).
    public var target: String?
    /// The inode number and status-change time: with size and mtime, they tell whether a
    /// file was rewritten between two snapshots.
    public var inode: UInt64
    public var changed: Double

    init(path: WorkspacePath, status: stat, target: String? = nil) {
        self.path = path
        self.type = FileType(mode: status.st_mode)
        self.size = type == .file || type == .symlink ? Int(status.st_size) : 0
        self.modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
        self.target = target
        self.inode = UInt64(status.st_ino)
        self.changed = Double(status.st_ctim.tv_sec) + Double(status.st_ctim.tv_nsec) / 1e9
    }
}
