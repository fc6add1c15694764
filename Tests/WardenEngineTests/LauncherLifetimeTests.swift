import CWardenShims
import Glibc
import Testing

@testable import WardenEngine

/// A sandbox never outlives the server that started it, however the server or the launcher
/// dies, and a run's deadline holds even when nobody enforces it from outside.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LauncherLifetimeTests {
    let host: SandboxHost

    init() throws {
        host = try TestSandbox.host()
    }

    /// The launcher's arguments for `command`, with the server pid and deadline given here
    /// instead of the plan's own (this process, and the run's timeout plus grace).
    func arguments(_ command: [String], parent: String?, deadlineMilliseconds: Int? = nil) -> [String] {
        let plan = LaunchPlan.make(
            host: host,
            command: command,
            identity: host.configuration.identityBase,
            runDirectory: nil,
            timeout: .seconds(600),
            cgroups: []
        )
        var arguments: [String] = []
        var index = 0
        while index < plan.arguments.count {
            let argument = plan.arguments[index]
            if argument == "--parent-pid" || argument == "--deadline-ms" {
                index += 2
                continue
            }
            if argument == "--" {
                if let parent { arguments += ["--parent-pid", parent] }
                if let deadlineMilliseconds { arguments += ["--deadline-ms", "\(deadlineMilliseconds)"] }
            }
            arguments.append(argument)
            index += 1
        }
        return arguments
    }

    /// Spawns `path` with `arguments`, its stdio and fd 3 on /dev/null.
    func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        var pid: pid_t = 0
        let result = withCStrings([path] + arguments) { argv in
            withCStrings([]) { envp in CWardenShims_spawn(path, argv, envp, [null, null, null, null], &pid) }
        }
        try #require(result == 0)
        return pid
    }

    /// Waits (30 s at most) for `pid`, a child of this process, to exit; its wait status.
    func exitStatus(of pid: pid_t) async throws -> Int32? {
        for _ in 0..<3000 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return status }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Waits (30 s at most) until the sandbox's program runs under the run's uid.
    func awaitSandbox() async throws {
        var waited = 0
        while TestSandbox.processes(of: host).isEmpty, waited < 3000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        try #require(!TestSandbox.processes(of: host).isEmpty, "the sandbox started")
    }

    @Test func aLauncherWhoseServerIsAlreadyGoneKillsItsSandboxAtOnce() async throws {
        // pid 1 is not the launcher's parent: as for a server that died before the launcher
        // could watch it (its orphan is reparented), the run must not go on.
        let launcher = try spawn(
            host.configuration.launcherPath,
            arguments(["/bin/sleep", "1000"], parent: "1")
        )
        let status = try #require(try await exitStatus(of: launcher), "the launcher ended")
        #expect((status >> 8) & 0xff == 128 + SIGKILL, "the sandbox's init was killed")
        #expect(TestSandbox.survivors(of: host).isEmpty)
    }

    @Test func aLauncherKillsItsSandboxAtItsDeadlineThoughNobodyAsks() async throws {
        let launcher = try spawn(
            host.configuration.launcherPath,
            arguments(["/bin/sleep", "1000"], parent: "\(getpid())", deadlineMilliseconds: 300)
        )
        let status = try #require(try await exitStatus(of: launcher), "the launcher ended at its deadline")
        #expect((status >> 8) & 0xff == 128 + SIGKILL)
        #expect(TestSandbox.survivors(of: host).isEmpty)
    }

    @Test func killingTheLauncherKillsItsSandbox() async throws {
        // The program forks a second process and detaches it: the PID namespace's end takes both.
        let launcher = try spawn(
            host.configuration.launcherPath,
            arguments(["/bin/sh", "-c", "setsid sleep 1000 & sleep 1000"], parent: "\(getpid())")
        )
        try await awaitSandbox()
        kill(launcher, SIGKILL)
        _ = try await exitStatus(of: launcher)
        #expect(TestSandbox.survivors(of: host).isEmpty, "init died with the launcher, and the namespace with it")
    }

    @Test func killingTheServerProcessKillsItsSandboxes() async throws {
        // A stand-in server: a shell that starts the launcher and waits, killed with SIGKILL.
        let launcherArguments = arguments(["/bin/sh", "-c", "setsid sleep 1000 & sleep 1000"], parent: "SERVER")
        // It passes its own pid where the arguments say SERVER.
        let script =
            #"L="$1"; shift; for a in "$@"; do [ "$a" = SERVER ] && a=$$; set -- "$@" "$a"; shift; done; "#
            + #""$L" "$@" & wait"#
        let server = try spawn("/bin/sh", ["-c", script, "sh", host.configuration.launcherPath] + launcherArguments)
        try await awaitSandbox()
        let launchers = TestSandbox.childPIDs(of: server) ?? []
        try #require(launchers.count == 1)
        kill(server, SIGKILL)
        _ = try await exitStatus(of: server)
        #expect(TestSandbox.survivors(of: host).isEmpty, "the sandbox died with its server")
        var waited = 0
        while kill(launchers[0], 0) == 0, waited < 3000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(kill(launchers[0], 0) != 0, "the orphaned launcher ended too")
    }

    @Test func aStartUpSweepKillsWhatAnEarlierServerLeftUnderItsUids() async throws {
        // A launcher with no server to watch and no deadline: only the sweep can end it.
        let launcherArguments = arguments(["/bin/sleep", "1000"], parent: nil)
        let launcher = try spawn(host.configuration.launcherPath, launcherArguments)
        try await awaitSandbox()
        let base = host.configuration.identityBase
        let killed = LeftoverSweep.killProcesses(uids: base..<(base + 1))
        #expect(killed >= 1)
        #expect(TestSandbox.survivors(of: host).isEmpty)
        _ = try await exitStatus(of: launcher)
    }
}
