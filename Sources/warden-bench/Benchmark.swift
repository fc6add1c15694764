import ArgumentParser
import CWardenShims
import Glibc
import Logging
import WardenEngine

/// `warden-bench`: the cost of each sandbox layer, measured in one run against plain spawns of
/// the same programs, written as a Markdown table (see BENCHMARKS.md).
@main
struct Benchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden-bench",
        abstract: "Measure spawn and sandbox overhead; print a Markdown report."
    )

    @Option(help: "Runs per row (at least 200 for the published numbers).")
    var runs = 300

    @Option(help: "Append the report to this file instead of printing it.")
    var output: String?

    func run() async throws {
        let logger = Logger(label: "warden-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let host = try SandboxHost.prepare(SandboxConfiguration(), logger: logger)
        defer { host.cleanUp() }
        guard let python = host.catalog.interpreters[.python] else { throw ValidationError("python3 not found") }
        var rows: [(Samples, String?)] = []

        let (trueBaseline, launcherTrue) = try measurePair(
            "posix_spawn `/bin/true`",
            { try spawnAndWait(["/bin/true"]) },
            "warden-launch, all layers, `/bin/true`",
            { try spawnAndWait(try launch(host, ["/bin/true"])) }
        )
        rows += [(trueBaseline, nil), (launcherTrue, trueBaseline.name)]

        var pythons = [python.path]
        if access("/usr/bin/python3", X_OK) == 0, let system = realPath("/usr/bin/python3"), system != python.path {
            pythons.append(system)
        }
        for path in pythons {
            let (baseline, layered) = try measurePair(
                "posix_spawn `\(path) -c pass`",
                { try spawnAndWait([path, "-c", "pass"]) },
                "warden-launch, all layers, `\(path) -c pass`",
                { try spawnAndWait(try launch(host, [path, "-c", "pass"])) }
            )
            rows += [(baseline, nil), (layered, baseline.name)]
        }
        if !host.cgroups.parents.isEmpty, let path = pythons.last {
            let (baseline, layered) = try measurePair(
                "posix_spawn `\(path) -c pass` (again)",
                { try spawnAndWait([path, "-c", "pass"]) },
                "warden-launch, all layers but cgroups, `\(path) -c pass`",
                { try spawnAndWait(try launch(host, [path, "-c", "pass"], cgroups: false)) }
            )
            rows += [(baseline, nil), (layered, baseline.name)]
        }

        // A standby launcher (`--standby`): the sandbox is built ahead, the program is sent
        // when it "arrives". The next standby is spawned after each run and given 20 ms,
        // untimed, to get ready, as the supervisor's standbys are while the run before goes on.
        if let path = pythons.last {
            let command = [path, "-c", "pass"]
            var baseline = Samples(name: "posix_spawn `\(path) -c pass` (and again)", values: [])
            var layered = Samples(
                name: "warden-launch --standby, all layers, `\(path) -c pass` sent to a ready sandbox",
                values: []
            )
            let message = LaunchPlan.program(
                command: command,
                environment: ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8"],
                cpuSeconds: 31
            )
            var ready = try spawnStandby(try launchStandby(host))
            for index in 0..<(runs + 10) {
                var start = ContinuousClock.now
                try spawnAndWait(command)
                let a = milliseconds(ContinuousClock.now - start)
                start = ContinuousClock.now
                try ready.run(message)
                let b = milliseconds(ContinuousClock.now - start)
                if index >= 10 {
                    baseline.values.append(a)
                    layered.values.append(b)
                }
                ready = try spawnStandby(try launchStandby(host))
                try await Task.sleep(for: .milliseconds(20))
            }
            try ready.run([])
            rows += [(baseline, nil), (layered, baseline.name)]
        }

        // The engine's whole path (files, launcher, pipes, pump thread, result) against a plain
        // spawn of the same interpreter with its stdout read through a pipe: in a sandbox whose
        // interpreter was started ahead (a warm standby, the default), in a ready sandbox the
        // program is exec'd in, and in a sandbox built for the run. Each sample comes after
        // 100 ms of quiet, as an agent's calls do, so the next standby (with Python started in
        // it, ~45 ms here) is ready and not starting beside the sample.
        var printBaseline = Samples(
            name: "posix_spawn `\(python.path) -u -c 'print(1)'`, stdout read from a pipe",
            values: []
        )
        var warm = Samples(
            name: "engine `Supervisor.execute` of `print(1)` (python), Python started ahead (warm standby)",
            values: []
        )
        var engine = Samples(
            name: "engine `Supervisor.execute` of `print(1)` (python), sandbox ready (standby)",
            values: []
        )
        var cold = Samples(
            name: "engine `Supervisor.execute` of `print(1)` (python), sandbox built per run",
            values: []
        )
        let warmSupervisor = Supervisor(host: host, logger: logger)
        var plainConfiguration = SandboxConfiguration()
        plainConfiguration.warmStandbys = false
        let plainHost = try SandboxHost.prepare(plainConfiguration, logger: logger)
        defer { plainHost.cleanUp() }
        let supervisor = Supervisor(host: plainHost, logger: logger)
        var coldConfiguration = SandboxConfiguration()
        coldConfiguration.standbySandboxes = 0
        let coldHost = try SandboxHost.prepare(coldConfiguration, logger: logger)
        defer { coldHost.cleanUp() }
        let coldSupervisor = Supervisor(host: coldHost, logger: logger)
        func engineRun(_ supervisor: Supervisor) async throws -> Double {
            try await Task.sleep(for: .milliseconds(100))
            let start = ContinuousClock.now
            let result = try await supervisor.execute(RunRequest(language: .python, code: "print(1)"))
            let elapsed = milliseconds(ContinuousClock.now - start)
            guard result.status == .completed, result.stdout.text == "1\n" else {
                throw ValidationError("engine run failed: \(result.status) \(result.message ?? "")")
            }
            return elapsed
        }
        for index in 0..<(runs + 10) {
            let coldSample = try await engineRun(coldSupervisor)
            try await Task.sleep(for: .milliseconds(100))
            let start = ContinuousClock.now
            let output = try spawnAndRead([python.path, "-u", "-c", "print(1)"])
            let direct = milliseconds(ContinuousClock.now - start)
            guard output == "1\n" else { throw ValidationError("direct run printed \(output)") }
            let warmSample = try await engineRun(warmSupervisor)
            let readySample = try await engineRun(supervisor)
            if index >= 10 {  // the first ten warm the page cache
                printBaseline.values.append(direct)
                warm.values.append(warmSample)
                engine.values.append(readySample)
                cold.values.append(coldSample)
            }
        }
        rows += [
            (printBaseline, nil), (warm, printBaseline.name), (engine, printBaseline.name), (cold, printBaseline.name),
        ]

        // Each layered sample was taken right after its baseline sample, so the median of the
        // pairwise differences is the steadier figure on a VM whose speed drifts.
        var report = """
            | what | runs | median ms | p99 ms | added to its baseline (median) | added, median of pairs |
            |---|---:|---:|---:|---:|---:|

            """
        let byName = Dictionary(rows.map { ($0.0.name, $0.0) }, uniquingKeysWith: { a, _ in a })
        for (samples, baselineName) in rows {
            var added = "baseline"
            var paired = ""
            if let baselineName, let baseline = byName[baselineName] {
                added =
                    "\(signed(samples.median - baseline.median)) ms (×\(formatted(samples.median / baseline.median)))"
                let differences = zip(samples.values, baseline.values).map { $0 - $1 }
                paired = "\(signed(Samples(name: "", values: differences).median)) ms"
            }
            report +=
                "| \(samples.name) | \(samples.values.count) | \(formatted(samples.median)) | \(formatted(samples.p99)) | \(added) | \(paired) |\n"
        }
        let layers = host.layers.layers.filter(\.available).map(\.name).joined(separator: ", ")
        report += "\nLayers in force: \(layers).\n"
        if let output {
            let fd = open(output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ValidationError("cannot open \(output)") }
            _ = Array(report.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        } else {
            print(report, terminator: "")
        }
    }

    /// Runs the baseline and the layered command alternately, so drift on a busy machine hits
    /// both rows alike; the first ten pairs only warm up.
    private func measurePair(
        _ baselineName: String,
        _ baseline: () throws -> Void,
        _ layeredName: String,
        _ layered: () throws -> Void
    ) throws -> (Samples, Samples) {
        var first = Samples(name: baselineName, values: [])
        var second = Samples(name: layeredName, values: [])
        for index in 0..<(runs + 10) {
            var start = ContinuousClock.now
            try baseline()
            let a = milliseconds(ContinuousClock.now - start)
            start = ContinuousClock.now
            try layered()
            let b = milliseconds(ContinuousClock.now - start)
            if index >= 10 {
                first.values.append(a)
                second.values.append(b)
            }
        }
        return (first, second)
    }
}

private func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

private func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// The launcher command line for `command` with every layer on (slot 0, no script directory).
private func launch(_ host: SandboxHost, _ command: [String], cgroups useCgroups: Bool = true) throws -> [String] {
    let cgroups =
        useCgroups
        ? try host.cgroups.groups(for: host.configuration.identityBase, lane: 0, limits: host.configuration.limits) : []
    return [host.configuration.launcherPath]
        + LaunchPlan.make(
            host: host,
            command: command,
            identity: host.configuration.identityBase,
            runDirectory: nil,
            timeout: .seconds(30),
            cgroups: cgroups
        ).arguments
}

private func launchStandby(_ host: SandboxHost) throws -> [String] {
    let cgroups = try host.cgroups.groups(
        for: host.configuration.identityBase,
        lane: 1,
        limits: host.configuration.limits
    )
    return [host.configuration.launcherPath]
        + LaunchPlan.standby(host: host, identity: host.configuration.identityBase, runDirectory: nil, cgroups: cgroups)
        .arguments
}

/// A spawned standby launcher and the write end of its stdin.
private struct ReadyStandby {
    let pid: pid_t
    let stdin: Int32

    /// Sends the program (or, with an empty message, discards the standby) and waits for the end.
    func run(_ message: [UInt8]) throws {
        var sent = 0
        while sent < message.count {
            let count = message[sent...].withUnsafeBytes { write(stdin, $0.baseAddress, $0.count) }
            guard count > 0 else { throw ValidationError("cannot send the program: errno \(errno)") }
            sent += count
        }
        close(stdin)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard message.isEmpty || status == 0 else { throw ValidationError("standby run exited with \(status)") }
    }
}

/// posix_spawn of `argv` with exactly `environment` and `fds` as its fds 0–3 (`nil`: /dev/null).
private func spawn(_ argv: [String], environment: [String], fds: [Int32?]) throws -> pid_t {
    let null = open("/dev/null", O_RDWR | O_CLOEXEC)
    defer { close(null) }
    var pid: pid_t = 0
    let pointers = argv.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    let variables = environment.map { strdup($0) } + [nil]
    defer { for pointer in variables { free(pointer) } }
    let result = CWardenShims_spawn(argv[0], pointers, variables, fds.map { $0 ?? null }, &pid)
    guard result == 0 else { throw ValidationError("spawn \(argv[0]) failed: \(result)") }
    return pid
}

private func pipe() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard CWardenShims_pipe2(&fds, O_CLOEXEC) == 0 else { throw ValidationError("pipe failed") }
    return (fds[0], fds[1])
}

/// A standby launcher with stdin on a pipe, the rest on /dev/null.
private func spawnStandby(_ argv: [String]) throws -> ReadyStandby {
    let input = try pipe()
    defer { close(input.read) }
    do {
        let pid = try spawn(argv, environment: [], fds: [input.read, nil, nil, nil])
        return ReadyStandby(pid: pid, stdin: input.write)
    } catch {
        close(input.write)
        throw error
    }
}

/// `argv` with stdout on a pipe that is read to the end, then waitpid.
private func spawnAndRead(_ argv: [String]) throws -> String {
    let output = try pipe()
    defer { close(output.read) }
    let pid: pid_t
    do {
        defer { close(output.write) }
        pid = try spawn(argv, environment: ["PATH=/usr/bin:/bin"], fds: [nil, output.write, nil, nil])
    }
    var text: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(output.read, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        text += buffer[..<count]
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return String(decoding: text, as: UTF8.self)
}

/// `argv` (posix_spawn's vfork path) with stdio and fd 3 on /dev/null, then waitpid.
private func spawnAndWait(_ argv: [String]) throws {
    // The environment the engine gives sandboxed code, so both sides start the same way.
    let environment = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8"]
    let pid = try spawn(argv, environment: environment, fds: [nil, nil, nil, nil])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else { throw ValidationError("\(argv.joined(separator: " ")) exited with status \(status)") }
}
