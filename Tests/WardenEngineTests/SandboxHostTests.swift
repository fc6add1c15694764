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
        // A server in another PID namespace: its pid means nothing here, its lock does.
        let locked = "/tmp/warden-\(pidMax + 3)-7"
        for path in [stale, live, foreign, locked] {
            #expect(mkdir(path, 0o711) == 0 || errno == EEXIST)
            #expect(writeWholeFile(path + "/seccomp.bpf", [1, 2, 3], mode: 0o600))
        }
        #expect(chown(foreign, 12_345, 12_345) == 0)
        let lock = try #require(FileLock.acquire(locked + "/owner.lock"))
        defer {
            lock.release()
            [live, foreign, locked].forEach(removeTree)
        }

        let host = try TestSandbox.host()
        host.cleanUp()

        #expect(access(stale, F_OK) != 0)
        #expect(access(live + "/seccomp.bpf", F_OK) == 0)
        #expect(access(foreign + "/seccomp.bpf", F_OK) == 0)
        #expect(access(locked + "/seccomp.bpf", F_OK) == 0)
    }
}

/// The OOM counts the pump checks before it answers without the launcher's report.
@Suite struct OOMWatchTests {
    @Test func firesOnlyWhenAGroupCountsANewOOMKill() throws {
        let v1 = "/tmp/warden-oom-test-\(getpid())-v1"
        let v2 = "/tmp/warden-oom-test-\(getpid())-v2"
        let none = "/tmp/warden-oom-test-\(getpid())-none"
        for path in [v1, v2, none] { #expect(mkdir(path, 0o700) == 0 || errno == EEXIST) }
        defer { [v1, v2, none].forEach(removeTree) }
        #expect(
            writeWholeFile(
                v1 + "/memory.oom_control",
                Array("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n".utf8),
                mode: 0o600
            )
        )
        #expect(
            writeWholeFile(v2 + "/memory.events", Array("low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n".utf8), mode: 0o600)
        )
        let watch = OOMWatch(groups: [v1, v2, none])
        #expect(watch.baseline == 2)
        #expect(!watch.fired)
        #expect(
            writeWholeFile(v2 + "/memory.events", Array("low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n".utf8), mode: 0o600)
        )
        #expect(watch.fired)
    }
}
