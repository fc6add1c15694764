import Glibc
import Testing

@testable import WardenEngine

/// A Python run in a warm standby (its interpreter started ahead, see ``WarmStart``) must be
/// indistinguishable from the same run started cold, and anything the loader does not run
/// itself must run as it would from a plain standby.
@Suite(.serialized, .timeLimit(.minutes(5))) final class WarmStartTests {
    let warm: Supervisor
    let cold: Supervisor
    let store: WorkspaceStore
    let workspace: Workspace

    init() throws {
        warm = try TestSandbox.supervisor { $0.standbySandboxes = 1 }
        cold = try TestSandbox.supervisor { $0.warmStandbys = false }
        store = try WorkspaceStore(host: warm.host, capacity: 2)
        workspace = try store.create()
    }

    deinit {
        store.removeAll()
        warm.host.cleanUp()
        cold.host.cleanUp()
    }

    /// What a probe prints about how it was started; the last line says whether the warm
    /// loader ran it (its command line, which the loader cannot change).
    static let probe = """
        import os, sys, __main__, resource
        print(sys.argv, sys.orig_argv[1:], __file__, __name__, sys.path[0], sorted(globals()))
        print(type(__loader__).__name__, __cached__, __spec__, __package__, repr(__main__))
        print(sorted(os.environ.items()), resource.getrlimit(resource.RLIMIT_CPU), os.getcwd())
        print([line for line in open('/proc/self/status') if line.startswith(('SigIgn', 'SigBlk'))])
        print(repr(sys.stdin.read()), sys.flags, sorted(sys.modules))
        print(open('/proc/self/cmdline', 'rb').read().split(b'\\0')[2] == b'-c')
        """

    /// Runs `request` in the session's workspace with the warm supervisor, after checking that
    /// a warm Python standby is waiting for it.
    private func runWarm(_ request: RunRequest) async throws -> RunResult {
        var waited = 0
        while await warm.standbys.values.first?.warm != .python && waited < 500 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(await warm.standbys.values.first?.warm == .python, "a warm standby is ready")
        var request = request
        request.workspace = .session(workspace)
        return try await warm.execute(request)
    }

    /// Makes sure the next standby is a warm Python one: a Python run comes first.
    private func warmUp() async throws {
        var request = RunRequest(language: .python, code: "pass")
        request.workspace = .session(workspace)
        _ = try await warm.execute(request)
    }

    private func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    @Test func aWarmRunSeesWhatAColdRunSees() async throws {
        try await warmUp()
        let request = RunRequest(
            language: .python,
            code: Self.probe,
            stdin: Array("in\u{0}put\n".utf8),
            timeout: .seconds(5)
        )
        let hot = try await runWarm(request)
        let reference = try await cold.execute(request)
        #expect(hot.status == .completed, "\(hot.stderr.text)")
        #expect(reference.status == .completed, "\(reference.stderr.text)")
        #expect(lines(hot.stdout.text).dropLast(2) == lines(reference.stdout.text).dropLast(2))
        #expect(lines(hot.stdout.text).suffix(2) == ["True", ""], "the warm loader ran it")
        #expect(lines(reference.stdout.text).suffix(2) == ["False", ""])
        #expect(hot.stderr.text == reference.stderr.text)
    }

    @Test(arguments: [
        "print('a')\ndef f():\n    1/0\nf()\n",
        "try:\n    1/0\nexcept Exception:\n    raise ValueError('chained')\n",
        "print('no end'\n",
        "  indented = 1\n",
        "import sys\nprint('out')\nsys.exit('bye')\n",
        "raise SystemExit(3)\n",
        "import atexit, threading, time\natexit.register(lambda: print('atexit'))\n"
            + "threading.Thread(target=lambda: (time.sleep(0.2), print('thread'))).start()\nraise KeyError('k')\n",
        "import os\nos._exit(7)\n",
        "import sys\nprint(input(), sys.stdin.read())\n",
        "raise KeyboardInterrupt\n",
        "import atexit, sys\natexit.register(lambda: print(type(sys.last_value).__name__))\n1/0\n",
        "import sys\ndef hook(*info):\n    raise RuntimeError('in hook')\nsys.excepthook = hook\n1/0\n",
        "import sys, traceback\nsys.excepthook = lambda *info: traceback.print_exc()\n1/0\n",
        "import warnings\nwarnings.warn('careful')\nexec('1/0')\n",
        "BaseException = ValueError\nraise KeyError(1)\n",
        "import builtins\ndel builtins.BaseException\nraise ValueError(1)\n",
        "# -*- coding: nonesuch -*-\nprint(1)\n",
        "import sys\nprint('resource' in sys.modules, [name for name in globals() if 'warden' in name])\n",
    ])
    func failuresAndExitsMatchAColdRun(code: String) async throws {
        try await warmUp()
        let request = RunRequest(
            language: .python,
            code: code,
            stdin: Array("first\nrest\n".utf8),
            timeout: .seconds(5)
        )
        let hot = try await runWarm(request)
        let reference = try await cold.execute(request)
        #expect(hot.status == reference.status)
        #expect(hot.exitCode == reference.exitCode)
        #expect(hot.stdout.text == reference.stdout.text)
        #expect(hot.stderr.text == reference.stderr.text)
    }

    @Test func aRunWithItsOwnEnvironmentIsExecutedAfresh() async throws {
        try await warmUp()
        // Python reads PYTHON* and more at start-up: the loader cannot run this itself.
        let code =
            "import os, sys\nprint(os.environ['PYTHONHASHSEED'], os.environ['CHOSEN'], sys.flags.hash_randomization)\n"
            + "print(open('/proc/self/cmdline', 'rb').read().split(b'\\0')[2])\n"
        let hot = try await runWarm(
            RunRequest(language: .python, code: code, environment: ["PYTHONHASHSEED": "0", "CHOSEN": "yes"])
        )
        #expect(hot.status == .completed, "\(hot.stderr.text)")
        #expect(hot.stdout.text == "0 yes 0\nb'/run/warden/main.py'\n")
    }

    @Test func anotherLanguageTakesAFreshSandbox() async throws {
        try await warmUp()
        // A warm Python standby could exec it, but the run's peak memory and CPU time would
        // then count Python's start too; it gets a sandbox of its own, as from a plain standby.
        let code = "grep -E '^Sig(Ign|Blk)' /proc/self/status; echo \"$0\"; yes | head -n 2; ulimit -t"
        let hot = try await runWarm(RunRequest(language: .sh, code: code, timeout: .seconds(5)))
        let reference = try await cold.execute(RunRequest(language: .sh, code: code, timeout: .seconds(5)))
        #expect(hot.status == .completed, "\(hot.stderr.text)")
        #expect(hot.stdout.text == reference.stdout.text)
        // With SIGPIPE ignored, `yes` would complain of a broken pipe.
        #expect(hot.stderr.text == "")
        #expect(reference.stderr.text == "")
        #expect(hot.maxRSSKiB < 6000, "sh alone peaks near 1.5 MiB; Python's start near 13")
    }

    @Test func aUserSiteInTheWorkspaceRunsWithTheRunNotBefore() async throws {
        // `pip install --user` in one run: the next finds the user site, its .pth files and
        // usercustomize run at its start, within its limits, once.
        let plant = """
            import os, site
            user = site.getusersitepackages()
            os.makedirs(user, exist_ok=True)
            hook = "import resource; open('/workspace/hook.log', 'a').write('x'); "
            hook += "print('pth', resource.getrlimit(resource.RLIMIT_CPU)[0])\\n"
            open(os.path.join(user, 'warden-test.pth'), 'w').write(hook)
            open(os.path.join(user, 'usercustomize.py'), 'w').write("print('usercustomize')\\n")
            open(os.path.join(user, 'mine.py'), 'w').write("value = 42\\n")
            """
        var request = RunRequest(language: .python, code: plant)
        request.workspace = .session(workspace)
        let planted = try await warm.execute(request)
        #expect(planted.status == .completed, "\(planted.stderr.text)")
        let code = "import mine\nprint(mine.value, open('/workspace/hook.log').read())\n"
        let hot = try await runWarm(RunRequest(language: .python, code: code, timeout: .seconds(5)))
        #expect(hot.stdout.text == "pth 6\nusercustomize\n42 x\n", "\(hot.stderr.text)")
        #expect(hot.stderr.text == "")
        request.code = "import os, shutil, site\nshutil.rmtree(site.getuserbase())\nos.remove('/workspace/hook.log')\n"
        _ = try await warm.execute(request)
    }

    @Test func nothingLeftInTheWorkspaceRunsBeforeTheNextProgram() async throws {
        // A module named like one the loader imports, and a site hook in the user site, planted
        // by one run: the next program imports neither unless it asks.
        let plant = """
            import os
            for name in ('resource.py', '_signal.py', 'os.py'):
                open('/workspace/' + name, 'w').write('print("planted ' + name + '")\\n')
            print('planted')
            """
        var request = RunRequest(language: .python, code: plant)
        request.workspace = .session(workspace)
        _ = try await warm.execute(request)
        let hot = try await runWarm(RunRequest(language: .python, code: "import resource\nprint('clean')\n"))
        #expect(hot.stdout.text == "clean\n")
        #expect(hot.stderr.text == "")
    }

    @Test func aNewSessionsFirstPythonRunFindsPythonStarted() async throws {
        await warm.discardStandbys()
        let fresh = try store.create()
        defer { store.remove(fresh) }
        await warm.prepare(for: fresh, language: .python)
        #expect(await warm.standbys[fresh.identity]?.warm == .python)
        let result = try await warm.execute(
            RunRequest(
                language: .python,
                code: "import sys\nprint(sys.argv, open('/proc/self/cmdline', 'rb').read().split(b'\\0')[2])",
                workspace: .session(fresh)
            )
        )
        #expect(result.stdout.text == "['/run/warden/main.py'] b'-c'\n", "\(result.stderr.text)")
        await warm.retire(fresh)
    }

    @Test func aWarmRunIsKilledAtItsTimeoutAndHasItsCPULimit() async throws {
        try await warmUp()
        let hot = try await runWarm(RunRequest(language: .python, code: "while True: pass", timeout: .seconds(1)))
        #expect(hot.status == .timeout)
        #expect(hot.duration < .seconds(4))
        try await warmUp()
        let limited = try await runWarm(
            RunRequest(
                language: .python,
                code: "import resource\nprint(resource.getrlimit(resource.RLIMIT_CPU))",
                timeout: .seconds(3)
            )
        )
        #expect(limited.stdout.text == "(4, 4)\n")
    }
}
