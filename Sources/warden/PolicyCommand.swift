import ArgumentParser
import Glibc
import WardenEngine

/// `warden policy`: checks the seccomp policy and optionally writes the compiled filters (the
/// file `warden-launch --seccomp` loads), for benchmarks and debugging.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Parse and compile the seccomp policy."
    )

    @Option(help: "The policy file (default: the one the engine uses).")
    var policy: String?

    @Option(help: "Write the compiled filters here.")
    var output: String?

    func run() throws {
        let path = policy ?? SandboxConfiguration().policyPath
        guard let text = readFile(path) else { throw ValidationError("cannot read \(path)") }
        let parsed = try SeccompPolicy(parsing: text)
        let (bytes, unknown) = try parsed.compile()
        if let output {
            let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ValidationError("cannot write \(output)") }
            FileDescriptorWriter(fd: fd).write(bytes)
            close(fd)
        }
        let writer = FileDescriptorWriter.standardOutput
        writer.write(
            "\(path): \(parsed.mainRules.count) main rules, \(parsed.argumentRules.count) argument rules, \(bytes.count) bytes of BPF\n"
        )
        if !unknown.isEmpty {
            writer.write("unknown to libseccomp (left to the default): \(unknown.joined(separator: ", "))\n")
        }
    }
}
