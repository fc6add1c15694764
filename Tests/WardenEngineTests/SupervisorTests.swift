import Glibc
import Synchronization
import Testing

@testable import WardenEngine

/// Real runs through the real launcher, with the sample scripts in sandbox/samples.
@Suite(.serialized, .timeLimit(.minutes(5))) final class SupervisorTests {
    let supervisor: Supervisor

    init() throws {
        supervisor = try TestSandbox.supervisor()
    }

    deinit {
        supervisor.host.cleanUp()
    }

    @Test func hello() async throws {
        let result = try await supervisor.execute(RunRequest(language: .python, code: TestSandbox.sample("hello.py")))
        #expect(result.status == .completed)
        #expect(result.exitCode == 0)
        #expect(result.stdout.text == "hello from warden\n")
        #expect(result.stderr.text == "")
        #expect(result.cpuTime > .zero)
        #expect(result.maxRSSKiB > 1000)
    }

    @Test(arguments: [
        (Language.bash, "hello.sh", "hello from bash\n"), (.node, "hello.js", "hello from node\n"),
        (.sh, "hello.sh", "hello from bash\n"),
    ])
    func otherLanguages(_ language: Language, _ file: String, _ expected: String) async throws {
        try #require(supervisor.host.catalog.interpreters[language] != nil)
        let result = try await supervisor.execute(RunRequest(language: language, code: TestSandbox.sample(file)))
        #expect(result.status == .completed)
        #expect(result.stdout.text == expected)
    }

    @Test func streamsTheFirstChunkWhileTheChildStillRuns() async throws {
        let log = ChunkLog()
        let supervisor = self.supervisor
        let result = try await supervisor.execute(RunRequest(language: .python, code: TestSandbox.sample("stream.py")))
        { output in
            for await chunk in output {
                if log.chunks.isEmpty {
                    // The child sleeps after its first line, so it must still be running now.
                    #expect(await supervisor.runningCount == 1)
                }
                log.append(chunk)
            }
        }
        #expect(result.status == .completed)
        #expect(log.chunks.count >= 3)
        // Unbuffered print() may write the line and its newline separately.
        #expect(log.first?.0.text.hasPrefix("tick 1") == true)
        #expect(log.first?.0.text.contains("tick 2") == false)
        #expect(log.text(.stdout) == "tick 1\ntick 2\ntick 3\n")
    }

    /// A line written in pieces (unbuffered `print` writes each argument and the newline
    /// separately) arrives as one chunk; a partial line is not held for long.
    @Test func linesWrittenInPiecesArriveWholeAndPartialLinesStillFlow() async throws {
        let log = ChunkLog()
        let code = """
            import sys, time
            for i in range(20):
                print('tick', i, 'of', 20)
                time.sleep(0.01)
            sys.stdout.write('partial')
            time.sleep(0.5)
            print(' end')
            """
        let started = ContinuousClock.now
        let partialSeen = Mutex<ContinuousClock.Instant?>(nil)
        let result = try await supervisor.execute(RunRequest(language: .python, code: code)) { output in
            for await chunk in output {
                log.append(chunk)
                if chunk.text.hasSuffix("partial") { partialSeen.withLock { $0 = .now } }
            }
        }
        #expect(result.status == .completed)
        let expected = (0..<20).map { "tick \($0) of 20\n" }.joined() + "partial end\n"
        #expect(log.text(.stdout) == expected)
        // 20 lines of 6 writes each, then "partial" and " end\n": 22 chunks, or one more if a
        // busy machine paused the program mid-line for longer than the coalescing window.
        #expect(log.chunks.count <= 23, "\(log.chunks.map(\.text))")
        // The partial line went out well before the rest of it came, 0.5 s later.
        let seen = try #require(partialSeen.withLock { $0 })
        #expect(seen < started + result.duration - .milliseconds(250))
    }

    /// A partial line held for the rest of it still goes out before what the other stream
    /// writes after it.
    @Test func aHeldPartialLineKeepsItsPlaceBeforeTheOtherStream() async throws {
        let log = ChunkLog()
        let code =
            "import os, time\nos.write(1, b'abc')\nos.write(2, b'err\\n')\ntime.sleep(0.05)\nos.write(1, b'def\\n')"
        let result = try await supervisor.execute(RunRequest(language: .python, code: code)) { output in
            for await chunk in output { log.append(chunk) }
        }
        #expect(result.status == .completed)
        let chunks = log.chunks.map { "\($0.stream.rawValue):\($0.text)" }
        #expect(chunks == ["stdout:abc", "stderr:err\n", "stdout:def\n"])
    }

    /// A body on the pump's thread (see PumpExecutor) that awaits elsewhere between chunks (its
    /// jobs then come back from other threads and must wake the pump) and after the output
    /// has ended (when the pump may be gone) still gets every chunk and runs to its end.
    @Test func aBodyOnThePipeThreadThatAwaitsElsewhereGetsEveryChunk() async throws {
        let log = ChunkLog()
        let finished = Mutex(false)
        let code = "import time\nfor i in range(5):\n    print(i)\n    time.sleep(0.02)"
        let result = try await supervisor.execute(
            RunRequest(language: .python, code: code),
            outputOnPipeThread: true
        ) { output in
            for await chunk in output {
                try? await Task.sleep(for: .milliseconds(5))
                log.append(chunk)
            }
            try? await Task.sleep(for: .milliseconds(50))
            finished.withLock { $0 = true }
        }
        #expect(result.status == .completed)
        #expect(log.text(.stdout) == "0\n1\n2\n3\n4\n")
        #expect(finished.withLock { $0 })
    }

    /// A body on the pump's thread that keeps yielding must not keep the pump from its
    /// deadline: the program, printing a line every 0.1 s, is killed at its 1 s timeout while
    /// the body spins for 4 s (a starved pump would let it print ~40 lines).
    @Test func aSpinningBodyOnThePipeThreadDoesNotHoldOffTheTimeout() async throws {
        let code = "import time\nfor i in range(100):\n    print(i, flush=True)\n    time.sleep(0.1)"
        let result = try await supervisor.execute(
            RunRequest(language: .python, code: code, timeout: .seconds(1)),
            outputOnPipeThread: true
        ) { output in
            let spinUntil = ContinuousClock.now + .seconds(4)
            while ContinuousClock.now < spinUntil { await Task.yield() }
            for await _ in output {}
        }
        #expect(result.status == .timeout)
        let lines = result.stdout.text.split(separator: "\n").count
        #expect(lines < 20, "\(lines) lines: the program outlived its timeout")
    }

    @Test func stdinReachesTheProgram() async throws {
        let input = Array("abc\nxyz\n".utf8)
        let result = try await supervisor.execute(
            RunRequest(language: .python, code: TestSandbox.sample("stdin_echo.py"), stdin: input)
        )
        #expect(result.status == .completed)
        #expect(result.stdout.text.contains("got 8 bytes"))
        #expect(result.stdout.text.contains("ABC\nXYZ"))
    }

    @Test func largeStdinIsFedWithoutDeadlock() async throws {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 3 << 20)
        let result = try await supervisor.execute(
            RunRequest(
                language: .python,
                code: "import sys\nprint(len(sys.stdin.buffer.read()))",
                stdin: input
            )
        )
        #expect(result.stdout.text == "\(3 << 20)\n")
    }

    @Test func exitCodesAndStderrAreKeptApart() async throws {
        let failing = try await supervisor.execute(
            RunRequest(language: .python, code: TestSandbox.sample("exit_code.py"))
        )
        #expect(failing.status == .failed)
        #expect(failing.exitCode == 3)
        #expect(failing.stderr.text.contains("exiting with 3"))
        #expect(!failing.stdout.text.contains("exiting with 3"))

        let log = ChunkLog()
        let mixed = try await supervisor.execute(RunRequest(language: .python, code: TestSandbox.sample("stderr.py"))) {
            output in
            for await chunk in output { log.append(chunk) }
        }
        #expect(mixed.status == .completed)
        #expect(mixed.stdout.text.contains("to-stdout") && !mixed.stdout.text.contains("to-stderr"))
        #expect(mixed.stderr.text.contains("to-stderr") && !mixed.stderr.text.contains("to-stdout"))
        #expect(log.text(.stderr) == mixed.stderr.text)
    }

    @Test func aSignalIsReportedAsSuch() async throws {
        let result = try await supervisor.execute(
            RunRequest(language: .python, code: "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)")
        )
        #expect(result.status == .failed)
        #expect(result.signal == Int(SIGSEGV))
        #expect(result.exitCode == nil)
    }

    @Test func largeOutputIsCappedHeadAndTailButStreamedWhole() async throws {
        let log = ChunkLog()
        let result = try await supervisor.execute(
            RunRequest(language: .python, code: TestSandbox.sample("large_output.py"))
        ) { output in
            for await chunk in output { log.append(chunk) }
        }
        #expect(result.status == .completed)
        let streamed = log.chunks.filter { $0.stream == .stdout }.reduce(0) { $0 + $1.bytes.count }
        #expect(streamed == result.stdout.totalBytes)
        #expect(result.stdout.totalBytes > 3 << 20)
        #expect(result.stdout.truncatedBytes == result.stdout.totalBytes - (1 << 20))
        #expect(result.stdout.text.hasSuffix("END\n"))
        #expect(result.stdout.text.contains("bytes truncated"))
    }

    @Test func binaryAndUnicodeOutputSurvive() async throws {
        let binary = try await supervisor.execute(
            RunRequest(language: .python, code: TestSandbox.sample("binary_output.py"))
        )
        #expect(binary.status == .completed)
        let all: [UInt8] = (0...255).map { UInt8($0) }
        let expected: [UInt8] = all + all + all + all
        #expect(binary.stdout.keptBytes == expected)
        let unicode = try await supervisor.execute(
            RunRequest(language: .python, code: TestSandbox.sample("unicode.py"))
        )
        #expect(unicode.stdout.text.contains("héllo wörld ✓ 日本語 🚀"))
    }

    @Test func environmentIsExactlyWhatTheCallerChose() async throws {
        setenv("WARDEN_TEST_SECRET", "host-secret-value", 1)
        let result = try await supervisor.execute(
            RunRequest(
                language: .python,
                code: "import os\nprint(sorted(os.environ.items()))",
                environment: ["GREETING": "hi there"]
            )
        )
        #expect(result.stdout.text.contains("('GREETING', 'hi there')"))
        #expect(!result.stdout.text.contains("host-secret-value"))
        #expect(!result.stdout.text.contains("WARDEN_TEST_SECRET"))
        await #expect(throws: SandboxError.self) {
            try await supervisor.execute(RunRequest(language: .python, code: "", environment: ["BAD NAME": "x"]))
        }
    }

    @Test func oversizedOrNulCodeIsRefused() async throws {
        await #expect(throws: SandboxError.self) {
            try await supervisor.execute(
                RunRequest(language: .python, code: String(repeating: "#", count: (1 << 20) + 1))
            )
        }
        await #expect(throws: SandboxError.self) {
            try await supervisor.execute(RunRequest(language: .python, code: "print(1)\0"))
        }
    }

    @Test func aTimeoutKillsTheWholeTree() async throws {
        let code = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(1000)\ntime.sleep(1000)"
        let result = try await supervisor.execute(RunRequest(language: .python, code: code, timeout: .seconds(1)))
        #expect(result.status == .timeout)
        #expect(result.duration < .seconds(6))
        #expect(TestSandbox.survivors(of: supervisor.host).isEmpty)
    }

    @Test func cancellationKillsTheRun() async throws {
        let supervisor = self.supervisor
        let task = Task {
            try await supervisor.execute(
                RunRequest(language: .python, code: "import time\nprint('started')\ntime.sleep(1000)")
            ) { output in
                for await _ in output {}
            }
        }
        while await supervisor.runningCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = try await task.value
        #expect(result.status == .cancelled)
        #expect(TestSandbox.survivors(of: supervisor.host).isEmpty)
    }

    @Test func outputFloodIsKilledWithOutputLimit() async throws {
        let supervisor = try TestSandbox.supervisor { $0.outputHardLimitBytes = 1 << 20 }
        defer { supervisor.host.cleanUp() }
        let result = try await supervisor.execute(
            RunRequest(
                language: .python,
                code: "import sys\nfor _ in range(1000):\n    sys.stdout.write('x' * 65536)",
                timeout: .seconds(20)
            )
        )
        #expect(result.status == .outputLimit)
        #expect(result.stdout.totalBytes < 64 << 20)
    }

    @Test func memoryExhaustionIsMemoryLimit() async throws {
        let code = "blocks = []\nfor _ in range(64):\n    blocks.append(bytearray(64 << 20))"
        let result = try await supervisor.execute(RunRequest(language: .python, code: code, timeout: .seconds(20)))
        #expect(result.status == .memoryLimit)
    }

    /// The launcher joins v1 groups by moving only its own thread and steps back out; a v2 group
    /// is entered by CLONE_INTO_CGROUP. Either way every process of the run must sit in the run's
    /// leaf, the launcher (root) in none, and the sandbox must see its own group as "/".
    @Test func theRunSitsInItsLeafCgroupsAndTheLauncherDoesNot() async throws {
        let supervisor = self.supervisor
        let host = supervisor.host
        try #require(!host.cgroups.parents.isEmpty, "this host has cgroups (warden doctor)")
        let leaves = try host.cgroups.groups(
            for: host.configuration.identityBase,
            lane: 0,
            limits: host.configuration.limits
        )
        let code = "import time\nprint(open('/proc/self/cgroup').read(), flush=True)\ntime.sleep(1000)"
        let seen = ChunkLog()
        let task = Task {
            try await supervisor.execute(RunRequest(language: .python, code: code, timeout: .seconds(30))) { output in
                for await chunk in output { seen.append(chunk) }
            }
        }
        var waited = 0
        while !seen.text(.stdout).contains("\n\n") && waited < 500 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        // Each leaf's processes and their real uids, read while the run is alive.
        var members: [String: [(Int32, String)]] = [:]
        for leaf in leaves {
            let pids = (readWholeFile(leaf + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { Int32($0) }
            members[leaf] = pids.map { pid in
                let status = readWholeFile("/proc/\(pid)/status") ?? ""
                let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
                return (
                    pid,
                    uid?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.map(String.init) ?? ""
                )
            }
        }
        task.cancel()
        _ = try await task.value
        let lines = seen.text(.stdout).split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasSuffix(":/") }, "the sandbox sees \(seen.text(.stdout))")
        for (leaf, processes) in members {
            // init and the program, both under the run's uid; never the launcher (root).
            #expect(processes.count >= 2, "\(leaf) holds \(processes)")
            for (pid, uid) in processes {
                #expect(uid == "\(host.configuration.identityBase)", "pid \(pid) in \(leaf) has uid \(uid)")
            }
        }
    }

    /// A worker killed by the memory cgroup while the program itself exits normally: the
    /// result must wait for the launcher's OOM count and say memory_limit, not completed.
    @Test func anOOMKilledWorkerMakesTheRunMemoryLimit() async throws {
        try #require(supervisor.host.cgroups.memory, "this host has a memory cgroup (warden doctor)")
        let code = """
            import subprocess, sys
            worker = "blocks = []\\nfor _ in range(32):\\n    blocks.append(b'x' * (64 << 20))"
            done = subprocess.run([sys.executable, "-c", worker])
            print("worker ended with", done.returncode)
            """
        let result = try await supervisor.execute(RunRequest(language: .python, code: code, timeout: .seconds(30)))
        #expect(result.stdout.text == "worker ended with -9\n", "\(result.stderr.text)")
        #expect(result.status == .memoryLimit)
    }

    @Test func busyWhenSlotsAndQueueAreFull() async throws {
        let supervisor = try TestSandbox.supervisor {
            $0.maxConcurrentRuns = 1
            $0.maxQueuedRuns = 0
        }
        defer { supervisor.host.cleanUp() }
        let sleeper = Task {
            try await supervisor.execute(RunRequest(language: .sh, code: "sleep 2", timeout: .seconds(10)))
        }
        while await supervisor.runningCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
        do {
            _ = try await supervisor.execute(RunRequest(language: .sh, code: "true"))
            Issue.record("a second run was admitted")
        } catch {
            #expect(error.code == .busy)
        }
        #expect(try await sleeper.value.status == .completed)
    }

    @Test func queuedRunsWaitForASlot() async throws {
        let supervisor = try TestSandbox.supervisor {
            $0.maxConcurrentRuns = 1
            $0.maxQueuedRuns = 8
        }
        defer { supervisor.host.cleanUp() }
        let results = try await withThrowingTaskGroup(of: RunResult.self) { group in
            for index in 0..<4 {
                group.addTask { try await supervisor.execute(RunRequest(language: .sh, code: "echo \(index)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.status) == Array(repeating: .completed, count: 4))
        #expect(Set(results.map(\.stdout.text)) == ["0\n", "1\n", "2\n", "3\n"])
    }

    @Test func shutdownKillsRunningRunsAndRefusesNewOnes() async throws {
        let supervisor = try TestSandbox.supervisor()
        defer { supervisor.host.cleanUp() }
        let sleeper = Task {
            try await supervisor.execute(RunRequest(language: .sh, code: "sleep 100", timeout: .seconds(60)))
        }
        while await supervisor.runningCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
        await supervisor.shutDown()
        #expect(try await sleeper.value.status == .cancelled)
        await #expect(throws: SandboxError.self) {
            try await supervisor.execute(RunRequest(language: .sh, code: "true"))
        }
    }

    @Test func runsLeakNoFileDescriptorsOrRunFiles() async throws {
        _ = try await supervisor.execute(RunRequest(language: .sh, code: "true"))
        // Each standby holds a pidfd and four pipe ends, and there may be one per run slot:
        // counts are compared with no standby kept. Other suites open and close fds
        // meanwhile, so the process's count moves by a few; a leak of one fd per run shows as
        // 30 or more in every round of 30 runs, noise passes in one round out of three.
        var grew = Int.max
        for round in 0..<3 where grew >= 10 {
            await supervisor.discardStandbys()
            let before = TestSandbox.openFileDescriptors()
            for _ in 0..<30 {
                _ = try await supervisor.execute(
                    RunRequest(language: .sh, code: "echo hi; echo err >&2", stdin: [1, 2, 3])
                )
            }
            if round == 0 {
                // A standby is kept for each slot's next run (a slot stays taken until its
                // sandbox is reaped, so back-to-back runs may use two or more).
                var waited = 0
                while await supervisor.standbyCount == 0 && waited < 500 {
                    try await Task.sleep(for: .milliseconds(20))
                    waited += 1
                }
                #expect((1...supervisor.host.configuration.maxConcurrentRuns).contains(await supervisor.standbyCount))
            }
            await supervisor.discardStandbys()
            #expect(await supervisor.standbyCount == 0)
            // A result may come before its sandbox is torn down: its pipes close soon after.
            var waited = 0
            while TestSandbox.openFileDescriptors() >= before + 10 && waited < 250 {
                try await Task.sleep(for: .milliseconds(20))
                waited += 1
            }
            grew = TestSandbox.openFileDescriptors() - before
        }
        #expect(grew < 10, "open fds grew by \(grew) over 30 runs, in each of three rounds")
        // A run's directory goes once its sandbox is reaped, which may follow its result.
        let runs = "\(supervisor.host.configuration.runtimeDirectory)/runs"
        func leftovers() -> Int? {
            opendir(runs).map { directory -> Int in
                defer { closedir(directory) }
                var count = 0
                while readdir(directory) != nil { count += 1 }
                return count - 2
            }
        }
        var waited = 0
        while leftovers() != 0 && waited < 250 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(leftovers() == 0)
    }

    @Test func aSetupFailureIsASandboxErrorNotASilentRun() async throws {
        // A launcher that cannot load its filters must fail the run, never run it unfiltered.
        let broken = try TestSandbox.supervisor()
        defer { broken.host.cleanUp() }
        #expect(writeWholeFile(broken.host.filterPath, [1, 2, 3], mode: 0o600))
        let failed = try await broken.execute(RunRequest(language: .sh, code: "echo ran"))
        #expect(failed.status == .sandboxError)
        #expect(failed.message?.contains("load-seccomp") == true)
        #expect(!failed.stdout.text.contains("ran"))

        let missing = try TestSandbox.supervisor { $0.launcherPath = "/nonexistent/warden-launch" }
        defer { missing.host.cleanUp() }
        let unstarted = try await missing.execute(RunRequest(language: .sh, code: "echo ran"))
        #expect(unstarted.status == .sandboxError)
    }

    @Test func aSymlinkedWorkspaceIsRefused() async throws {
        let target = "\(supervisor.host.configuration.runtimeDirectory)/target"
        let link = "\(supervisor.host.configuration.runtimeDirectory)/link"
        #expect(mkdir(target, 0o700) == 0)
        #expect(symlink(target, link) == 0)
        let workspace = Workspace(path: link, identity: 399_999, quota: WorkspaceQuota(), index: 0, directory: -1)
        let result = try await supervisor.execute(
            RunRequest(language: .sh, code: "echo ran > /workspace/x", workspace: .session(workspace))
        )
        #expect(result.status == .sandboxError)
        #expect(access(target + "/x", F_OK) != 0)
    }

    /// The launcher must not keep the program's stdio: the output then ends with the program,
    /// and the result need not wait for the namespaces to be torn down (see Pump).
    @Test func theLauncherLetsGoOfTheProgramsStdio() async throws {
        let supervisor = self.supervisor
        let seen = ChunkLog()
        let task = Task {
            try await supervisor.execute(
                RunRequest(language: .python, code: "import time\nprint('up', flush=True)\ntime.sleep(1000)")
            ) { output in
                for await chunk in output { seen.append(chunk) }
            }
        }
        var waited = 0
        while seen.chunks.isEmpty && waited < 500 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        // Launchers of this process whose init has forked the program: each is past its setup.
        var checked = 0
        for launcher in Self.launchers() {
            guard let initPID = TestSandbox.childPIDs(of: launcher)?.first,
                TestSandbox.childPIDs(of: initPID)?.isEmpty == false
            else { continue }
            for fd in 0..<3 {
                #expect(TestSandbox.link("/proc/\(launcher)/fd/\(fd)") == "/dev/null", "launcher \(launcher) fd \(fd)")
            }
            checked += 1
        }
        task.cancel()
        _ = try await task.value
        #expect(checked >= 1)
    }

    /// This process's launchers (spawned from any of its threads, so found by their parent).
    private static func launchers() -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), let status = readWholeFile("/proc/\(pid)/status") else { continue }
            let lines = status.split(separator: "\n")
            if lines.contains("Name:\twarden-launch"), lines.contains("PPid:\t\(getpid())") { found.append(pid) }
        }
        return found
    }

    @Test func theLauncherGetsNoCallerEnvironment() async throws {
        // GLIBC_TUNABLES would steer the root launcher's own libc; it must reach only the program.
        let result = try await supervisor.execute(
            RunRequest(
                language: .sh,
                code:
                    "cat /proc/1/environ | tr '\\0' ' '; echo; echo \"[$GLIBC_TUNABLES]\"; cat /proc/1/cmdline | wc -c",
                environment: ["GLIBC_TUNABLES": "glibc.malloc.perturb=85"]
            )
        )
        #expect(result.status == .completed)
        let lines = result.stdout.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.trimmingWhitespace().isEmpty == true)  // init's environment is empty
        #expect(result.stdout.text.contains("[glibc.malloc.perturb=85]"))
        #expect(!result.stdout.text.contains("warden-"))
    }
}
