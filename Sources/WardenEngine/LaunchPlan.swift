import Glibc

/// The launcher command line for one run: a function of the host, the request and the run's
/// identity (and of this process, which the launcher watches), so it can be tested without
/// spawning anything. The launcher itself gets an empty
/// environment; the program's environment travels in `--env` arguments.
package struct LaunchPlan: Sendable, Equatable {
    package var arguments: [String]

    /// Where the run's script directory appears inside the sandbox.
    static let scriptDirectory = "/run/warden"

    static func make(
        host: SandboxHost,
        interpreter: Interpreter,
        request: RunRequest,
        identity: UInt32,
        runDirectory: String,
        timeout: Duration,
        cgroups: [String]
    ) -> LaunchPlan {
        var plan = make(
            host: host,
            command: command(interpreter: interpreter, request: request),
            workspace: request.workspace,
            identity: identity,
            runDirectory: runDirectory,
            timeout: timeout,
            cgroups: cgroups
        )
        plan.setEnvironment(environment(for: request))
        return plan
    }

    /// A standby launcher (`--standby`): the sandbox for a later run of `identity` in
    /// `workspace`, built now; ``program(interpreter:request:timeout:)`` completes it.
    package static func standby(
        host: SandboxHost,
        workspace: RunRequest.WorkspaceSource = .ephemeral,
        identity: UInt32,
        runDirectory: String?,
        cgroups: [String]
    ) -> LaunchPlan {
        var plan = make(
            host: host,
            command: [],
            workspace: workspace,
            identity: identity,
            runDirectory: runDirectory,
            timeout: nil,
            cgroups: cgroups
        )
        plan.arguments.removeLast()  // "--": the program comes on stdin
        plan.arguments.append("--standby")
        return plan
    }

    /// A warm standby: the sandbox for a later run of `identity`, with `interpreter` started in
    /// it (see ``WarmStart``), taking the same message on stdin as a `--standby` launcher;
    /// `nil` when the interpreter has no warm start. No CPU limit yet: the loader sets the run's.
    static func warm(
        host: SandboxHost,
        interpreter: Interpreter,
        workspace: RunRequest.WorkspaceSource,
        identity: UInt32,
        runDirectory: String,
        cgroups: [String]
    ) -> LaunchPlan? {
        guard let command = WarmStart.command(for: interpreter) else { return nil }
        var plan = make(
            host: host,
            command: command,
            workspace: workspace,
            identity: identity,
            runDirectory: runDirectory,
            timeout: nil,
            cgroups: cgroups
        )
        // The environment of a run with no `env` argument (the loader runs only such a run
        // itself), but for its home (see ``WarmStart/startingHome``).
        plan.setEnvironment(
            environment(for: RunRequest(language: interpreter.language, code: "")).map {
                $0.hasPrefix("HOME=") ? "HOME=\(WarmStart.startingHome)" : $0
            }
        )
        return plan
    }

    /// The launcher runs as root with an empty environment; the program's comes as arguments.
    private mutating func setEnvironment(_ variables: [String]) {
        let separator = arguments.firstIndex(of: "--") ?? arguments.endIndex
        arguments.insert(contentsOf: variables.flatMap { ["--env", $0] }, at: separator)
    }

    /// What a standby launcher reads on stdin before the program's own input: a 4-byte
    /// little-endian length, then NUL-terminated strings: the CPU limit in seconds, the
    /// command, an empty string, the environment (see sandbox/launcher/standby.c).
    static func program(interpreter: Interpreter, request: RunRequest, timeout: Duration) -> [UInt8] {
        program(
            command: command(interpreter: interpreter, request: request),
            environment: environment(for: request),
            cpuSeconds: cpuLimitSeconds(for: timeout)
        )
    }

    package static func program(command: [String], environment: [String], cpuSeconds: Int64) -> [UInt8] {
        var body: [UInt8] = []
        for text in ["\(cpuSeconds)"] + command + [""] + environment { body += Array(text.utf8) + [0] }
        let length = UInt32(body.count)
        return (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + body
    }

    private static func command(interpreter: Interpreter, request: RunRequest) -> [String] {
        [interpreter.path] + request.language.interpreterArguments
            + ["\(scriptDirectory)/\(request.language.scriptName)"]
    }

    /// The program's whole environment, as sorted `NAME=value` strings.
    private static func environment(for request: RunRequest) -> [String] {
        var environment: [String: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/workspace",
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
        ]
        if request.language == .python { environment["PYTHONUNBUFFERED"] = "1" }
        // No __pycache__ litter in the session's workspace (and its quota), whatever starts Python.
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        for (name, value) in request.environment { environment[name] = value }
        return environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// The launcher invocation for any command with every layer on (the benchmark uses it for
    /// `/bin/true` and `python3 -c pass`), with no program environment.
    package static func make(
        host: SandboxHost,
        command: [String],
        workspace: RunRequest.WorkspaceSource = .ephemeral,
        identity: UInt32,
        runDirectory: String?,
        timeout: Duration?,
        cgroups: [String]
    ) -> LaunchPlan {
        let configuration = host.configuration
        let limits = configuration.limits
        var arguments = [
            "--uid", "\(identity)", "--gid", "\(identity)",
            "--seccomp", host.filterPath,
            "--tmp-size", "\(limits.tmpBytes)", "--tmp-inodes", "\(limits.tmpInodes)",
            "--rlimit", "as=\(limits.addressSpaceBytes)",
            "--rlimit", "nproc=\(limits.processes)",
            "--rlimit", "nofile=\(limits.openFiles)",
            "--rlimit", "fsize=\(limits.fileSizeBytes)",
        ]
        // A standby (no timeout yet) gets its CPU limit with the program.
        if let timeout { arguments += ["--rlimit", "cpu=\(cpuLimitSeconds(for: timeout))"] }
        // The sandbox ends with this process, and at its deadline whatever this process does.
        arguments += [
            "--parent-pid", "\(getpid())",
            "--deadline-ms", "\(launcherDeadline(timeout: timeout, configuration: configuration).milliseconds)",
        ]
        switch workspace {
        case .ephemeral:
            arguments += [
                "--workspace-size", "\(limits.workspaceBytes)", "--workspace-inodes", "\(limits.workspaceInodes)",
            ]
        case .session(let workspace):
            arguments += ["--workspace", workspace.path]
        }
        for path in host.systemPaths { arguments += ["--ro-bind", path] }
        if let runDirectory { arguments += ["--ro-bind", "\(runDirectory):\(scriptDirectory)"] }
        for group in cgroups { arguments += ["--cgroup", group] }
        arguments += ["--"] + command
        return LaunchPlan(arguments: arguments)
    }

    /// When the launcher kills its sandbox on its own: a run's timeout plus the grace the
    /// server's kill gets (the server kills first), or for a standby, whose run is not known
    /// yet, its longest wait (idle time plus the expiry check's period) and the longest run.
    static func launcherDeadline(timeout: Duration?, configuration: SandboxConfiguration) -> Duration {
        let grace = SandboxConfiguration.launcherDeadlineGrace
        guard let timeout else {
            return configuration.standbyIdleTime + Supervisor.standbyExpiryPeriod + configuration.maxTimeout + grace
        }
        return timeout + grace
    }

    /// RLIMIT_CPU: a backstop one second past the wall-clock timeout.
    static func cpuLimitSeconds(for timeout: Duration) -> Int64 { timeout.components.seconds + 1 }

    /// Checks a request's environment: names like shell variables, no NUL, bounded size.
    static func validate(environment: [String: String]) throws(SandboxError) {
        guard environment.count <= 256 else {
            throw SandboxError(.invalidRequest, "at most 256 environment variables are allowed")
        }
        var total = 0
        for (name, value) in environment {
            let valid =
                name.utf8.first.map { $0 == UInt8(ascii: "_") || ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 } ?? false
                && name.utf8.allSatisfy {
                    $0 == UInt8(ascii: "_") || ($0 >= 48 && $0 <= 57) || (($0 | 0x20) >= 97 && ($0 | 0x20) <= 122)
                }
            guard valid, name.utf8.count <= 256 else {
                throw SandboxError(
                    .invalidRequest,
                    "invalid environment variable name '\(name.prefix(64))': use letters, digits and _, not starting with a digit"
                )
            }
            guard !value.utf8.contains(0) else {
                throw SandboxError(.invalidRequest, "environment variable \(name) contains a NUL byte")
            }
            total += name.utf8.count + value.utf8.count + 2
        }
        guard total <= 64 << 10 else { throw SandboxError(.invalidRequest, "the environment exceeds 64 KiB") }
    }
}
