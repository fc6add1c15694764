/// How much one session's workspace may hold. The kernel enforces both numbers: the workspace
/// is a tmpfs mounted with `size=` and `nr_inodes=`, so a run that fills it gets ENOSPC and a
/// file tool gets `quota_exceeded`, while the host disk is never touched.
public struct WorkspaceQuota: Sendable, Hashable {
    /// Total bytes of file data (tmpfs rounds up to whole pages).
    public var bytes: Int = 256 << 20
    /// Files, directories, links and other entries, not counting the workspace root.
    public var entries: Int = 10_000

    public init(bytes: Int = 256 << 20, entries: Int = 10_000) {
        self.bytes = bytes
        self.entries = entries
    }
}
