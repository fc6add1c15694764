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
            host = try SandboxHost.prepare(SandboxConfiguration(), logger: logger)
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
        out.write(healthy ? "This host can run Warden.\n" : "This host cannot run Warden safely.\n")
        if !healthy { throw ExitCode(1) }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
