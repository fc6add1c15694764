import Glibc
import Testing

@testable import WardenEngine
@testable import WardenMCP

/// A run's `files`: only what the two snapshots around it prove.
@Suite struct RunArtifactsTests {
    static func entry(_ path: String, inode: UInt64 = 1, size: Int = 1) -> FileEntry {
        var status = stat()
        status.st_mode = S_IFREG | 0o644
        status.st_size = off_t(size)
        status.st_ino = ino_t(inode)
        return FileEntry(path: WorkspacePath(components: path.split(separator: "/").map(String.init)), status: status)
    }

    static func snapshot(_ entries: [FileEntry], complete: Bool = true) -> WorkspaceFiles.Snapshot {
        var snapshot = WorkspaceFiles.Snapshot()
        for entry in entries { snapshot.entries[entry.path.relative] = entry }
        snapshot.complete = complete
        return snapshot
    }

    @Test func changesAreCreatedModifiedAndDeletedSortedByPath() {
        let before = Self.snapshot([Self.entry("b"), Self.entry("gone"), Self.entry("same")])
        let after = Self.snapshot([Self.entry("b", inode: 2), Self.entry("a/new"), Self.entry("same")])
        let changes = RunArtifacts.changes(before: before, after: after, excluded: [])
        #expect(changes.map(\.path.relative) == ["a/new", "b", "gone"])
        #expect(changes.map(\.kind) == [.created, .modified, .deleted])
    }

    @Test func aCutShortFirstSnapshotProvesNothing() {
        // What the first walk missed would look created.
        let before = Self.snapshot([Self.entry("seen")], complete: false)
        let after = Self.snapshot([Self.entry("seen"), Self.entry("missed")])
        #expect(RunArtifacts.changes(before: before, after: after, excluded: []).isEmpty)
    }

    @Test func aCutShortSecondSnapshotProvesNoDeletion() {
        let before = Self.snapshot([Self.entry("kept"), Self.entry("unseen")])
        let after = Self.snapshot([Self.entry("kept"), Self.entry("new")], complete: false)
        let changes = RunArtifacts.changes(before: before, after: after, excluded: [])
        #expect(changes.map(\.path.relative) == ["new"])
    }
}
