import Glibc
import Synchronization

/// The directory of each run, bound read-only at /run/warden in its sandbox: made for a run
/// or a standby, the script written into it, removed once the run's sandbox is reaped.
extension Supervisor {
    /// Run directories are named from one counter per process, so supervisors sharing a
    /// runtime directory never take the same name, though a run's directory outlives its
    /// result until its sandbox is reaped.
    private static let runDirectoryNumbers = Atomic<Int>(0)

    nonisolated func newRunDirectoryPath(_ prefix: String) -> String {
        let number = Self.runDirectoryNumbers.add(1, ordering: .relaxed).newValue
        return "\(host.configuration.runtimeDirectory)/runs/\(prefix)\(number)"
    }

    /// The directory bound read-only at /run/warden (the script is written there).
    nonisolated func makeRunDirectory(_ path: String) throws(SandboxError) {
        guard mkdir(path, 0o755) == 0 else {
            throw SandboxError(.spawnFailed, "cannot create \(path)", errno: errno)
        }
    }

    /// Writes the script into the run's directory (bound read-only inside).
    nonisolated func writeScript(in runDirectory: String, request: RunRequest) throws(SandboxError) {
        let script = "\(runDirectory)/\(request.language.scriptName)"
        guard writeWholeFile(script, Array(request.code.utf8), mode: 0o444) else {
            throw SandboxError(.spawnFailed, "cannot write \(script)", errno: errno)
        }
    }
}
