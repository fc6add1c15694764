import Foundation
import MCP
import WardenEngine

/// What a run left in its workspace: the entries it created, changed or deleted, the images
/// among them, and where its output beyond the result cap was saved.
struct RunArtifacts: Sendable {
    struct Change: Sendable, Hashable {
        enum Kind: String, Sendable { case created, modified, deleted }
        var path: WorkspacePath
        var kind: Kind
        var type: FileType
        var size: Int
    }

    var changes: [Change] = []
    /// Changes left out of `changes` by the listing limit.
    var omitted = 0
    /// Whether a snapshot of the workspace was cut short (by its entry, depth, size or time
    /// bounds), so `changes` may miss some.
    var incomplete = false
    var images: [(mimeType: String, base64: String)] = []
    /// Workspace files holding a stream's whole output, by stream name.
    var savedOutput: [String: WorkspacePath] = [:]
    /// Why a stream's output could not be saved whole (the quota), by stream name.
    var saveFailures: [String: String] = [:]

    /// Compares two snapshots (by path; a change of type, size, mtime, ctime or inode is a
    /// modification, except for directories), leaving out `excluded` paths (the saved output
    /// files themselves); sorted by path. Only what the snapshots prove is listed: nothing when
    /// the first was cut short (an entry it missed would look created), and no deletions when
    /// the second was.
    static func changes(
        before: WorkspaceFiles.Snapshot,
        after: WorkspaceFiles.Snapshot,
        excluded: Set<String>
    ) -> [Change] {
        guard before.complete else { return [] }
        var all: [(key: String, change: Change)] = []
        for (path, entry) in after.entries where !excluded.contains(path) {
            if let old = before.entries[path] {
                // A directory whose entries changed is not news: the entries are listed.
                guard !old.sameVersion(as: entry), !(old.type == .directory && entry.type == .directory) else {
                    continue
                }
                all.append((path, Change(path: entry.path, kind: .modified, type: entry.type, size: entry.size)))
            } else {
                all.append((path, Change(path: entry.path, kind: .created, type: entry.type, size: entry.size)))
            }
        }
        if after.complete {
            for (path, entry) in before.entries where after.entries[path] == nil && !excluded.contains(path) {
                all.append((path, Change(path: entry.path, kind: .deleted, type: entry.type, size: 0)))
            }
        }
        // Keyed by the snapshot's own path strings: none is joined again per comparison.
        return all.sorted { $0.key < $1.key }.map(\.change)
    }

    init() {}

    /// Lists `changes` within the listing limits (the rest are counted in `omitted`) and
    /// attaches the images among the files created or modified.
    init(changes all: [Change], files: WorkspaceFiles, limits: ArtifactLimits) {
        var budget = limits.listedFilesBudget
        for change in all.prefix(limits.maxListedFiles) {
            budget -= MediaType.resultCost(change.path.description) + 200
            guard budget >= 0 else { break }
            changes.append(change)
        }
        omitted = all.count - changes.count
        attachImages(from: files, among: all, limits: limits)
    }

    /// Attaches the images the run created or changed, within the limits.
    private mutating func attachImages(from files: WorkspaceFiles, among changes: [Change], limits: ArtifactLimits) {
        var total = 0
        let candidates = changes.filter { change in
            change.kind != .deleted && change.type == .file && change.size > 0 && change.size <= limits.maxImageBytes
                && MediaType.looksLikeImage(change.path.name)
        }
        for entry in candidates where images.count < limits.maxImages && total + entry.size <= limits.totalImageBytes {
            guard let (bytes, _) = try? files.read(entry.path, cap: limits.maxImageBytes),
                total + bytes.count <= limits.totalImageBytes,
                let type = MediaType.image(name: entry.path.name, bytes: bytes)
            else { continue }
            total += bytes.count
            images.append((type, Data(bytes).base64EncodedString()))
        }
    }

    /// The `files` array of a run's structured result.
    var filesValue: Value {
        .array(
            changes.map { change in
                [
                    "path": .string(change.path.description), "change": .string(change.kind.rawValue),
                    "type": .string(change.type.rawValue), "size": .int(change.size),
                ]
            }
        )
    }
}

extension FileEntry {
    /// Whether two snapshots of the same path saw the same version of the entry.
    func sameVersion(as other: FileEntry) -> Bool {
        type == other.type && size == other.size && modified == other.modified && inode == other.inode
            && changed == other.changed
    }
}
