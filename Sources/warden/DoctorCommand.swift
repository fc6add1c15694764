import ArgumentParser
import Logging
import WardenEngine

/// `warden doctor`: what this host provides for sandboxing, and a real sandboxed run to prove it.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report the isolation layers and interpreters this host provides.",
        discussion: "Exits non-zero when a required layer is missing or a sandboxed probe run fails."
    )

    @Option(help: "Log level for Warden's own messages.")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        let logger = CommandLogger.make(level: logLevel)
        let out = FileDescriptorWriter.standardOutput
        let host: SandboxHost
        do {
            var configuration = SandboxConfiguration()
            configuration.standbySandboxes = 0  // probe runs: nothing to keep ready
            host = try SandboxHost.prepare(configuration, logger: logger)
        } catch {
            out.write("error: \(error)\n")
            throw ExitCode(1)
        }
        defer { host.cleanUp() }
        out.write("Isolation layers:\n")
        for layer in host.layers.layers {
            let mark = layer.available ? "ok     " : (layer.required ? "MISSING" : "absent ")
            let kind = layer.required ? "required" : "optional"
            out.write("  \(mark) \(layer.name.padding(18)) \(kind.padding(9)) \(layer.detail)\n")
        }
        out.write("Interpreters:\n")
        for language in Language.allCases {
            if let interpreter = host.catalog.interpreters[language] {
                out.write("  ok      \(language.rawValue.padding(7)) \(interpreter.path) \(interpreter.version)\n")
            } else {
                out.write("  absent  \(language.rawValue)\n")
            }
        }
        var healthy = host.layers.missingRequired.isEmpty
        if healthy {
            let supervisor = Supervisor(host: host, logger: logger)
            let language = host.catalog.languages.first ?? .sh
            do {
                let result = try await supervisor.execute(
                    RunRequest(language: language, code: language == .node ? "" : "\n")
                )
                let ok = result.status == .completed
                healthy = healthy && ok
                out.write(
                    "Probe run (\(language.rawValue), every layer): \(ok ? "ok" : "FAILED") \(result.status.rawValue) in \(result.duration.milliseconds) ms"
                )
                out.write(result.message.map { " — \($0)\n" } ?? "\n")
            } catch {
                healthy = false
                out.write("Probe run: FAILED \(error)\n")
            }
        }
        if healthy {
            let ok = await Self.probeWorkspace(host: host, logger: logger, out: out)
            healthy = healthy && ok
        }
        out.write(healthy ? "This host can run Warden.\n" : "This host cannot run Warden safely.\n")
        if !healthy { throw ExitCode(1) }
    }
}

extension DoctorCommand {
    /// Mounts a session workspace, writes a file into it as a tool would, and reads it from a
    /// sandboxed run: what `warden serve` needs for every session.
    static func probeWorkspace(host: SandboxHost, logger: Logger, out: FileDescriptorWriter) async -> Bool {
        do {
            let store = try WorkspaceStore(host: host, capacity: 1)
            let workspace = try store.create()
            defer { store.remove(workspace) }
            try workspace.files.write(WorkspacePath("probe.txt"), Array("workspace ok".utf8), mode: .create)
            let result = try await Supervisor(host: host, logger: logger).execute(
                RunRequest(language: .sh, code: "cat probe.txt", workspace: .session(workspace))
            )
            let ok = result.stdout.text == "workspace ok"
            let quota = host.configuration.workspaceQuota
            out.write(
                "Session workspaces: \(ok ? "ok" : "FAILED") tmpfs of \(quota.bytes >> 20) MiB and \(quota.entries) entries each"
            )
            out.write(ok ? "\n" : " — \(result.status.rawValue) \(result.message ?? result.stderr.text)\n")
            return ok
        } catch {
            out.write("Session workspaces: FAILED \(error)\n")
            out.write("  (each workspace is a tmpfs mounted by the server: it needs root or CAP_SYS_ADMIN)\n")
            return false
        }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
