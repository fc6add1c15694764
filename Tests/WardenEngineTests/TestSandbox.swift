import Glibc
import Logging
import Synchronization

@testable import WardenEngine

/// Builds real sandbox hosts for tests, each with its own runtime directory and host uid range,
/// so concurrent supervisors never share a uid (and so a process limit).
enum TestSandbox {
    private static let counter = Mutex<UInt32>(0)

    static let repositoryRoot: String = {
        let file = "\(#filePath)"
        return String(file[..<file.firstRange(of: "/Tests/")!.lowerBound])
    }()

    static func sample(_ name: String) -> String {
        readWholeFile("\(repositoryRoot)/sandbox/samples/\(name)") ?? ""
    }

    static func host(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) throws -> SandboxHost {
        var configuration = SandboxConfiguration()
        let index = counter.withLock { value in
            value += 1
            return value
        }
        // Deterministic, so repeated test runs reuse the same identity cgroups.
        configuration.identityBase = 300_000 + index * 32
        configuration.maxConcurrentRuns = 4
        configuration.limits.memoryBytes = 256 << 20
        configure(&configuration)
        return try SandboxHost.prepare(
            configuration,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    static func supervisor(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) throws -> Supervisor {
        Supervisor(host: try host(configure), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Host processes running as any uid of `host`'s identity range (there must be none between
    /// runs), except the processes of a standby sandbox: its init and the process that waits
    /// for a program, both still the launcher's image (no code of a run ever ran in them).
    ///
    /// A run's result may arrive while its namespaces are still being torn down (the program
    /// ended and its output closed): processes still there after 2 s are survivors.
    static func survivors(of host: SandboxHost) -> [Int32] {
        var found = processes(of: host)
        for _ in 0..<100 where !found.isEmpty {
            usleep(20_000)
            found = processes(of: host)
        }
        return found
    }

    static func processes(of host: SandboxHost) -> [Int32] {
        let base = host.configuration.identityBase
        let range = base..<(base + UInt32(host.configuration.maxConcurrentRuns))
        var found: [Int32] = []
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), let status = readWholeFile("/proc/\(pid)/status") else { continue }
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) else { continue }
            let uids = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().compactMap { UInt32($0) }
            if uids.contains(where: { range.contains($0) }) && !isStandby(pid, status: status, host: host) {
                found.append(pid)
            }
        }
        return found
    }

    /// Whether `pid` is part of a ready standby: its init (the launcher binary as PID 1, with
    /// no child but the waiting program process) or that process (PID 2, with no children):
    /// the launcher binary not yet exec'd, or an interpreter running the warm loader (see
    /// ``WarmStart``) blocked reading its stdin. The binary is checked by `/proc/<pid>/exe`,
    /// which sandboxed code cannot fake.
    private static func isStandby(_ pid: Int32, status: String, host: SandboxHost) -> Bool {
        let innerPID = statusField("NSpid", in: status)
        guard let children = childPIDs(of: pid) else { return false }
        if innerPID == "1" {
            return isLauncher(pid, host: host) && children.allSatisfy { isWaiting($0, host: host) }
        }
        return innerPID == "2" && isWaiting(pid, host: host)
    }

    /// Whether `pid` is a standby's PID 2, waiting for its program.
    private static func isWaiting(_ pid: Int32, host: SandboxHost) -> Bool {
        guard childPIDs(of: pid)?.isEmpty == true else { return false }
        if isLauncher(pid, host: host) { return true }
        let exe = link("/proc/\(pid)/exe")
        let loader = host.catalog.interpreters.values.contains { interpreter in
            guard let command = WarmStart.command(for: interpreter), exe == interpreter.path else { return false }
            return readWholeFile("/proc/\(pid)/cmdline", limit: 1 << 20) == command.map { $0 + "\u{0}" }.joined()
        }
        // Blocked in read(0, ...): still waiting for its program, not running one.
        return loader && readWholeFile("/proc/\(pid)/syscall")?.split(separator: " ").prefix(2) == ["0", "0x0"]
    }

    private static func isLauncher(_ pid: Int32, host: SandboxHost) -> Bool {
        let exe = link("/proc/\(pid)/exe")
        guard !exe.isEmpty else { return false }
        return exe == host.configuration.launcherPath
            || realpath(host.configuration.launcherPath, nil).map { resolved in
                defer { free(resolved) }
                return String(cString: resolved) == exe
            } == true
    }

    /// The children of a single-threaded process; `nil` when it is gone.
    static func childPIDs(of pid: Int32) -> [Int32]? {
        readWholeFile("/proc/\(pid)/task/\(pid)/children").map { $0.split(separator: " ").compactMap { Int32($0) } }
    }

    /// The last value of a `/proc/<pid>/status` field (`NSpid`'s is the PID in the innermost
    /// namespace).
    static func statusField(_ name: String, in status: String) -> Substring? {
        status.split(separator: "\n").first { $0.hasPrefix(name + ":") }?.split(separator: "\t").last
    }

    /// Where a symlink points (`/proc/<pid>/exe`, an fd); empty when it cannot be read.
    static func link(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        return count < 0 ? "" : String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func openFileDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count
    }
}

/// Collects a run's chunks with the moment each arrived, for streaming assertions.
final class ChunkLog: Sendable {
    private let entries = Mutex<[(OutputChunk, ContinuousClock.Instant)]>([])

    func append(_ chunk: OutputChunk) { entries.withLock { $0.append((chunk, .now)) } }
    var chunks: [OutputChunk] { entries.withLock { $0.map(\.0) } }
    var first: (OutputChunk, ContinuousClock.Instant)? { entries.withLock { $0.first } }
    func text(_ stream: OutputStream) -> String {
        String(decoding: chunks.filter { $0.stream == stream }.flatMap(\.bytes), as: UTF8.self)
    }
}
