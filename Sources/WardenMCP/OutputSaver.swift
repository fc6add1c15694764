import Synchronization
import WardenEngine

/// Saves a run's whole stdout or stderr to its workspace once it outgrows what the result
/// shows, so nothing the code printed is lost: the first `threshold` bytes are held, and past
/// them everything is appended to `.warden/output/run-<n>.<stream>.txt`.
final class OutputSaver: Sendable {
    private struct Stream {
        var held: [UInt8] = []
        var total = 0
        var path: WorkspacePath?
        /// Bytes the saved file must hold; anything else means the run changed it.
        var saved = 0
        var failure: String?
    }

    private let files: WorkspaceFiles
    private let run: Int
    private let threshold: Int
    private let streams = Mutex<[String: Stream]>([:])

    init(files: WorkspaceFiles, run: Int, threshold: Int) {
        self.files = files
        self.run = run
        self.threshold = threshold
    }

    func add(_ chunk: OutputChunk) {
        let name = chunk.stream.rawValue
        streams.withLock { streams in
            var stream = streams[name] ?? Stream()
            defer { streams[name] = stream }
            stream.total += chunk.bytes.count
            guard stream.failure == nil else { return }
            if let path = stream.path {
                save(&stream, path, chunk.bytes, mode: .append)
            } else if stream.total <= threshold {
                stream.held += chunk.bytes
            } else {
                let path = WorkspacePath(components: [".warden", "output", "run-\(run).\(name).txt"])
                stream.path = path
                save(&stream, path, stream.held + chunk.bytes, mode: .overwrite)
                stream.held = []
            }
        }
    }

    /// Writes (the first time) or appends (after) one piece. The run shares the workspace and
    /// may delete or rewrite the file meanwhile: the size after each write must be what was
    /// saved so far, or the copy is not whole and is given up.
    private func save(_ stream: inout Stream, _ path: WorkspacePath, _ bytes: [UInt8], mode: WorkspaceFiles.WriteMode) {
        do throws(FileError) {
            let entry = try files.write(path, bytes, mode: mode)
            stream.saved += bytes.count
            guard entry.size == stream.saved else {
                throw FileError(.invalidPath, "\(path) was changed by the run while it was being saved")
            }
        } catch {
            // A partial copy would look whole: remove it and say why nothing was saved.
            try? files.delete(path, recursive: false)
            stream.failure = "the whole output could not be saved (\(error.code.rawValue): \(error.message))"
        }
    }

    /// What saving wrote into the workspace (the files and their directories, by relative
    /// path), so a run's `files` list leaves it out, whether the copy succeeded or not.
    var touchedPaths: Set<String> {
        streams.withLock { streams in
            Set(
                streams.values.compactMap(\.path).flatMap { path in
                    (1...path.components.count).map { path.components.prefix($0).joined(separator: "/") }
                }
            )
        }
    }

    /// The files that hold a whole stream, and why others could not be saved, by stream name.
    var saved: (paths: [String: WorkspacePath], failures: [String: String]) {
        streams.withLock { streams in
            (
                streams.filter { $0.value.failure == nil }.compactMapValues(\.path),
                streams.compactMapValues(\.failure)
            )
        }
    }
}
