import Foundation
import MCP
import WardenEngine

/// Everything a session's tools need: `run_code`, the file tools, and the artifact limits.
struct Toolbox: Sendable {
    let runCode: RunCodeTool
    let files: FileTools
    let artifacts: ArtifactLimits
    /// Where blocking workspace work runs (file tools, a run's snapshots).
    let workers: WorkspaceWorkers
    /// The `tools/list` answer, built once: every session shares it (schemas are large).
    let list: [Tool]
    /// The same as the JSON of the result, which sessions send as it is.
    let listJSON: String

    init(runCode: RunCodeTool, files: FileTools, artifacts: ArtifactLimits, workers: WorkspaceWorkers) {
        self.runCode = runCode
        self.files = files
        self.artifacts = artifacts
        self.workers = workers
        self.list = [runCode.tool] + files.tools
        self.listJSON =
            (try? JSONEncoder.plain.encode(ListTools.Result(tools: list))).flatMap {
                String(data: $0, encoding: .utf8)
            }
            ?? #"{"tools":[]}"#
    }
}

/// How much of what a run produced is attached to its result.
struct ArtifactLimits: Sendable {
    /// Changed entries listed in `files`, within about `listedFilesBudget` bytes of the result
    /// (the rest are counted in `files_truncated`).
    var maxListedFiles = 200
    var listedFilesBudget = 96 << 10
    /// Images attached as image content: at most this many, each at most `maxImageBytes`,
    /// and together at most `totalImageBytes` (256 KiB once in base64), so that with both
    /// streams (64 KiB each as JSON, twice) and `files` one result stays well under 1 MiB.
    var maxImages = 4
    var maxImageBytes = 192 << 10
    var totalImageBytes = 192 << 10
    /// Where output beyond the result cap is saved, inside the workspace.
    static let outputDirectory = ".warden/output"
}
