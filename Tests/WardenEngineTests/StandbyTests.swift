import Glibc
import Testing

@testable import WardenEngine

/// Sandboxes built ahead of their run: each takes exactly one program with that run's limits,
/// input and environment, shares nothing with the run before it, and never outlives its
/// workspace.
@Suite(.serialized, .timeLimit(.minutes(5))) final class StandbyTests {
    let supervisor: Supervisor
    let store: WorkspaceStore

    init() throws {
        supervisor = try TestSandbox.supervisor {
            $0.workspaceQuota = WorkspaceQuota(bytes: 4 << 20, entries: 64)
            $0.standbySandboxes = 1
        }
        store = try WorkspaceStore(host: supervisor.host, capacity: 2)
    }

    deinit {
        store.removeAll()
        supervisor.host.cleanUp()
    }

    /// Waits (at most 10 s) until the supervisor holds `count` standbys.
    private func awaitStandbys(_ count: Int) async throws {
        var waited = 0
        while await supervisor.standbyCount != count && waited < 500 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(await supervisor.standbyCount == count)
    }

    /// Processes running as `uid`, whatever they are.
    private func processes(of uid: UInt32) -> [Int32] {
        directoryNames("/proc").compactMap(Int32.init).filter { pid in
            let status = readWholeFile("/proc/\(pid)/status") ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("Uid:") } ?? ""
            return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first == "\(uid)"
        }
    }

    private func isZombie(_ pid: Int32) -> Bool {
        (readWholeFile("/proc/\(pid)/status") ?? "").split(separator: "\n").contains { $0.hasPrefix("State:\tZ") }
    }

    @Test func theNextRunTakesAFreshStandbyWithItsOwnLimitsInputAndEnvironment() async throws {
        let first = try await supervisor.execute(
            RunRequest(language: .sh, code: "echo left > /tmp/mark; echo left > /workspace/mark; echo done")
        )
        #expect(first.stdout.text == "done\n")
        try await awaitStandbys(1)
        let code = """
            import os, resource, sys
            print(os.path.exists('/tmp/mark'), os.path.exists('/workspace/mark'))
            print(repr(sys.stdin.read()))
            print(sorted(k for k in os.environ if k != 'LC_CTYPE'), os.environ['CHOSEN'])
            print(resource.getrlimit(resource.RLIMIT_CPU), sys.argv)
            """
        let second = try await supervisor.execute(
            RunRequest(
                language: .python,
                code: code,
                stdin: Array("input\u{0}after\n".utf8),
                timeout: .seconds(7),
                environment: ["CHOSEN": "yes"]
            )
        )
        #expect(second.status == .completed, "\(second.stderr.text)")
        let expected = """
            False False
            'input\\x00after\\n'
            ['CHOSEN', 'HOME', 'LANG', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED', 'TMPDIR'] yes
            (8, 8) ['/run/warden/main.py']

            """
        #expect(second.stdout.text == expected)
    }

    @Test func retiringAWorkspaceEndsItsStandbyBeforeTheUidIsFree() async throws {
        let workspace = try store.create()
        defer { store.remove(workspace) }
        let result = try await supervisor.execute(
            RunRequest(language: .sh, code: "echo hi", workspace: .session(workspace))
        )
        #expect(result.stdout.text == "hi\n")
        try await awaitStandbys(1)
        // The standby's init takes the workspace's uid once its launcher has made it.
        var waited = 0
        while processes(of: workspace.identity).isEmpty && waited < 250 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(!processes(of: workspace.identity).isEmpty, "the standby's init runs as the workspace's uid")
        await supervisor.retire(workspace)
        #expect(await supervisor.standbyCount == 0)
        #expect(processes(of: workspace.identity).isEmpty)
        // Closed: no standby is built for it again, and its files are gone from the tools.
        #expect(throws: FileError.self) {
            try workspace.files.list(WorkspacePath("/workspace"), recursive: false, limit: 10)
        }
    }

    @Test func atTheCapTheOldestStandbyGivesWay() async throws {
        let first = try store.create()
        let second = try store.create()
        defer { [first, second].forEach(store.remove) }
        _ = try await supervisor.execute(RunRequest(language: .sh, code: "true", workspace: .session(first)))
        try await awaitStandbys(1)
        _ = try await supervisor.execute(RunRequest(language: .sh, code: "true", workspace: .session(second)))
        var waited = 0
        while !processes(of: first.identity).isEmpty && waited < 500 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(processes(of: first.identity).isEmpty)
        try await awaitStandbys(1)
        #expect(!processes(of: second.identity).isEmpty)
        await supervisor.discardStandbys()
    }

    @Test func aStandbyKilledWhileWaitingIsReplacedByAFreshSandbox() async throws {
        let workspace = try store.create()
        defer { store.remove(workspace) }
        _ = try await supervisor.execute(RunRequest(language: .sh, code: "true", workspace: .session(workspace)))
        try await awaitStandbys(1)
        // Its launcher (outside the sandbox, as root) is stopped first, so it cannot exit
        // before the next run claims the standby: the window in which a dead sandbox's
        // launcher is still tearing down, held open. The sandbox is built when its init (PID
        // 1) and the process waiting for the program (PID 2) are there.
        func innerPID(_ pid: Int32) -> Substring? {
            TestSandbox.statusField("NSpid", in: readWholeFile("/proc/\(pid)/status") ?? "")
        }
        var waited = 0
        while Set(processes(of: workspace.identity).compactMap(innerPID)) != ["1", "2"] && waited < 500 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        let launchers = processes(of: workspace.identity).filter { innerPID($0) == "1" }.compactMap { pid in
            TestSandbox.statusField("PPid", in: readWholeFile("/proc/\(pid)/status") ?? "").flatMap { Int32($0) }
        }
        #expect(launchers.count == 1)
        for launcher in launchers { Glibc.kill(launcher, SIGSTOP) }
        defer { for launcher in launchers { Glibc.kill(launcher, SIGCONT) } }
        for pid in processes(of: workspace.identity) { Glibc.kill(pid, SIGKILL) }
        // Killed, they stay zombies of the stopped launcher: gone once their state says so.
        waited = 0
        while processes(of: workspace.identity).contains(where: { !isZombie($0) }) && waited < 500 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        let result = try await supervisor.execute(
            RunRequest(language: .sh, code: "echo still here", workspace: .session(workspace))
        )
        #expect(result.status == .completed)
        #expect(result.stdout.text == "still here\n")
        for launcher in launchers { Glibc.kill(launcher, SIGCONT) }
        await supervisor.retire(workspace)
    }
}
