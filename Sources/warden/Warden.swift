import ArgumentParser

/// The `warden` command: sandboxed code execution for AI agents.
@main
struct Warden: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "Run untrusted code in a seccomp and namespace sandbox.",
        subcommands: [ServeCommand.self, RunCommand.self, DoctorCommand.self, PolicyCommand.self]
    )
}
