import Glibc
import Testing

@testable import WardenEngine

/// What a host leaves behind, and what it clears up from hosts that could not.
@Suite struct SandboxHostTests {
    /// A server killed with SIGKILL leaves its runtime directory in /tmp; the next host removes
    /// it, but never one whose process still lives or that another user owns.
    @Test func staleRuntimeDirectoriesAreSweptAndLiveOnesKept() throws {
        // Beyond pid_max, so no process can have it.
        let pidMax = Int32(readWholeFile("/proc/sys/kernel/pid_max")?.split(separator: "\n").first ?? "") ?? 4_194_304
        let stale = "/tmp/warden-\(pidMax + 1)-7"
        let live = "/tmp/warden-\(getpid())-7"
        let foreign = "/tmp/warden-\(pidMax + 2)-7"
        for path in [stale, live, foreign] {
            #expect(mkdir(path, 0o711) == 0 || errno == EEXIST)
            #expect(writeWholeFile(path + "/seccomp.bpf", [1, 2, 3], mode: 0o600))
        }
        #expect(chown(foreign, 12_345, 12_345) == 0)
        defer { [live, foreign].forEach(removeTree) }

        let host = try TestSandbox.host()
        host.cleanUp()

        #expect(access(stale, F_OK) != 0)
        #expect(access(live + "/seccomp.bpf", F_OK) == 0)
        #expect(access(foreign + "/seccomp.bpf", F_OK) == 0)
    }
}
