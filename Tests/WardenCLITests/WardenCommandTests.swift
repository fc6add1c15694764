import Glibc
import Testing

@testable import WardenEngine

/// The `warden` executable as a user runs it: exit codes, live output, the summary line.
@Suite(.serialized, .timeLimit(.minutes(3))) struct WardenCommandTests {
    static let binary = SandboxConfiguration.executableDirectory() + "/warden"
    static let samples: String = {
        let file = "\(#filePath)"
        return String(file[..<file.firstRange(of: "/Tests/")!.lowerBound]) + "/sandbox/samples"
    }()

    /// Runs `warden` through sh and returns its combined output and exit code.
    private func warden(_ arguments: String) -> (output: String, code: Int) {
        let script = "\(Self.binary) \(arguments) 2>&1; echo \"EXIT=$?\""
        guard let (_, output) = HostCommand.run("/bin/sh", ["-c", script]) else { return ("", -1) }
        let code =
            output.split(separator: "\n").last.flatMap { $0.hasPrefix("EXIT=") ? Int($0.dropFirst(5)) : nil } ?? -1
        return (output, code)
    }

    @Test func runPrintsOutputAndASummaryAndExitsZero() {
        let (output, code) = warden("run \(Self.samples)/hello.py")
        #expect(code == 0)
        #expect(output.contains("hello from warden\n"))
        #expect(output.contains("warden: completed exit=0"))
    }

    @Test func runExitsWithTheChildsCode() {
        let (output, code) = warden("run \(Self.samples)/exit_code.py")
        #expect(code == 3)
        #expect(output.contains("exiting with 3"))
        #expect(output.contains("warden: failed exit=3"))
    }

    @Test func runExitsWith124OnTimeout() {
        let (output, code) = warden(
            "run --timeout 1 --language bash - < \(Self.samples)/../hostile/39_sleep_forever.sh"
        )
        #expect(code == 124)
        #expect(output.contains("warden: timeout"))
    }

    @Test func runFeedsStdinFromAFile() {
        let (output, code) = warden("run --stdin \(Self.samples)/hello.sh \(Self.samples)/stdin_echo.py")
        #expect(code == 0)
        #expect(output.contains("HELLO FROM BASH"))
    }

    @Test func runRejectsAMissingFile() {
        let (_, code) = warden("run /nonexistent/script.py")
        #expect(code != 0)
    }

    @Test func doctorReportsEveryLayerAndPasses() {
        let (output, code) = warden("doctor")
        #expect(code == 0)
        for layer in ["seccomp", "no_new_privs", "user_namespace", "pid_namespace", "landlock", "cgroup_memory"] {
            #expect(output.contains(layer))
        }
        #expect(output.contains("python"))
        #expect(output.contains("Probe run"))
    }
}
