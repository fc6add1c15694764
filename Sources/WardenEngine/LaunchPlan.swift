/// The launcher command line and environment for one run: a pure function of the host, the
/// request and the run's slot, so it can be tested without spawning anything.
package struct LaunchPlan: Sendable, Equatable {
    package var arguments: [String]
    package var environment: [String]

    /// Where the run's script directory appears inside the sandbox.
    static let scriptDirectory = "/run/warden"

    static func make(
        host: SandboxHost,
        interpreter: Interpreter,
        request: RunRequest,
        slot: Int,
        runDirectory: String,
        timeout: Duration,
        cgroups: [String]
    ) -> LaunchPlan {
        let command =
            [interpreter.path] + request.language.interpreterArguments
            + ["\(scriptDirectory)/\(request.language.scriptName)"]
        var plan = make(
            host: host,
            command: command,
            workspace: request.workspace,
            slot: slot,
            runDirectory: runDirectory,
            timeout: timeout,
            cgroups: cgroups
        )
        var environment: [String: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/workspace",
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
        ]
        if request.language == .python { environment["PYTHONUNBUFFERED"] = "1" }
        for (name, value) in request.environment { environment[name] = value }
        plan.environment = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return plan
    }

    /// The launcher invocation for any command with every layer on (the benchmark uses it for
    /// `/bin/true` and `python3 -c pass`); the environment is left empty.
    package static func make(
        host: SandboxHost,
        command: [String],
        workspace: RunRequest.Workspace = .ephemeral,
        slot: Int,
        runDirectory: String?,
        timeout: Duration,
        cgroups: [String]
    ) -> LaunchPlan {
        let configuration = host.configuration
        let limits = configuration.limits
        let identity = configuration.identityBase + UInt32(slot)
        var arguments = [
            "--uid", "\(identity)", "--gid", "\(identity)",
            "--seccomp", host.filterPath,
            "--tmp-size", "\(limits.tmpBytes)", "--tmp-inodes", "\(limits.tmpInodes)",
            "--rlimit", "as=\(limits.addressSpaceBytes)",
            "--rlimit", "cpu=\(Int(timeout.components.seconds) + 1)",
            "--rlimit", "nproc=\(limits.processes)",
            "--rlimit", "nofile=\(limits.openFiles)",
            "--rlimit", "fsize=\(limits.fileSizeBytes)",
        ]
        switch workspace {
        case .ephemeral:
            arguments += [
                "--workspace-size", "\(limits.workspaceBytes)", "--workspace-inodes", "\(limits.workspaceInodes)",
            ]
        case .directory(let path):
            arguments += ["--workspace", path]
        }
        for path in host.systemPaths { arguments += ["--ro-bind", path] }
        if let runDirectory { arguments += ["--ro-bind", "\(runDirectory):\(scriptDirectory)"] }
        for group in cgroups { arguments += ["--cgroup", group] }
        arguments += ["--"] + command
        return LaunchPlan(arguments: arguments, environment: [])
    }

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
