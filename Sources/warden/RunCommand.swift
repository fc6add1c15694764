public import ArgumentParser
import Glibc
public import Logging
import UnixSignals
public import WardenEngine

/// `warden run`: one script in the sandbox, its output live on this terminal.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one script in the sandbox, streaming its output.",
        discussion: "Exits with the script's exit code, 124 on timeout, 125 when the sandbox fails."
    )

    @Option(name: .shortAndLong, help: "python, bash, sh or node (default: from the file extension, else python).")
    var language: Language?

    @Option(name: .shortAndLong, help: "Wall-clock timeout in seconds.")
    var timeout: Double = 30

    @Option(help: "A file whose contents become the script's stdin.")
    var stdin: String?

    @Option(help: "Log level for Warden's own messages.")
    var logLevel: Logger.Level = .warning

    @Argument(help: "The script file, or - to read it from stdin.")
    var file: String

    func run() async throws {
        let logger = CommandLogger.make(level: logLevel)
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number") }
        guard let code = file == "-" ? readAll(fd: 0) : readFile(file) else {
            throw ValidationError("cannot read \(file)")
        }
        var input: [UInt8]?
        if let stdin {
            guard let bytes = readFile(stdin) else { throw ValidationError("cannot read \(stdin)") }
            input = Array(bytes.utf8)
        }
        let request = RunRequest(
            language: language ?? Self.language(for: file),
            code: code,
            stdin: input,
            timeout: .milliseconds(Int64(timeout * 1000))
        )

        let host: SandboxHost
        do {
            var configuration = SandboxConfiguration()
            configuration.standbySandboxes = 0  // one run: nothing to keep ready
            host = try SandboxHost.prepare(configuration, logger: logger)
        } catch {
            FileDescriptorWriter.standardError.write("warden: \(error)\n")
            throw ExitCode(125)
        }
        defer { host.cleanUp() }
        let supervisor = Supervisor(host: host, logger: logger)
        let result = try await Self.runCancellingOnSignal(supervisor, request)
        FileDescriptorWriter.standardError.write(Self.summary(result) + "\n")
        throw ExitCode(Self.exitCode(for: result))
    }

    /// Runs the request; SIGINT or SIGTERM cancels it (the sandbox is killed, not orphaned).
    private static func runCancellingOnSignal(_ supervisor: Supervisor, _ request: RunRequest) async throws -> RunResult
    {
        try await withThrowingTaskGroup(of: RunResult?.self) { group in
            group.addTask {
                do {
                    return try await supervisor.execute(request) { output in
                        for await chunk in output {
                            let writer: FileDescriptorWriter =
                                chunk.stream == .stdout ? .standardOutput : .standardError
                            writer.write(chunk.bytes)
                        }
                    }
                } catch {
                    FileDescriptorWriter.standardError.write("warden: \(error)\n")
                    throw ExitCode(125)
                }
            }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { break }
                return nil
            }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
                group.cancelAll()  // a signal: cancel the run, then wait for its (cancelled) result
            }
            throw ExitCode(130)
        }
    }

    static func language(for file: String) -> Language {
        if file.hasSuffix(".sh") || file.hasSuffix(".bash") { return .bash }
        if file.hasSuffix(".js") || file.hasSuffix(".mjs") { return .node }
        return .python
    }

    static func exitCode(for result: RunResult) -> Int32 {
        switch result.status {
        case .completed, .failed, .memoryLimit:
            if let code = result.exitCode { return Int32(code) }
            return 128 + Int32(result.signal ?? 9)
        case .timeout: return 124
        case .sandboxError: return 125
        case .outputLimit: return 128 + 9
        case .cancelled: return 130
        }
    }

    static func summary(_ result: RunResult) -> String {
        var parts = ["warden: \(result.status.rawValue)"]
        if let code = result.exitCode { parts.append("exit=\(code)") }
        if let signal = result.signal { parts.append("signal=\(signal)") }
        parts.append("wall=\(result.duration.milliseconds)ms")
        parts.append("cpu=\(result.cpuTime.milliseconds)ms")
        parts.append("rss=\(result.maxRSSKiB)KiB")
        if result.stdout.truncatedBytes > 0 { parts.append("stdout_truncated=\(result.stdout.truncatedBytes)") }
        if result.stderr.truncatedBytes > 0 { parts.append("stderr_truncated=\(result.stderr.truncatedBytes)") }
        if let message = result.message { parts.append("(\(message))") }
        return parts.joined(separator: " ")
    }
}

extension Language: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
