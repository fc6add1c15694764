import Glibc
import Testing

@testable import WardenEngine

@Suite struct LaunchReportTests {
    @Test func parsesTheLauncherLines() {
        let report = LaunchReport(parsing: "landlock 7\nchild 3 0\nexit 3 0 1500 500 9000 0 0\n")
        #expect(report.landlockABI == 7)
        #expect(report.programExit?.code == 3)
        #expect(report.userMicros == 1500 && report.systemMicros == 500)
        #expect(report.maxRSSKiB == 9000)
        #expect(report.finished && !report.outOfMemory)
    }

    /// Init's `child` line carries the usage, so a result can be complete before the launcher's
    /// `exit`; not after SIGKILL, which only the launcher's OOM count can explain.
    @Test func aChildLineWithUsageCompletesTheResultUnlessSIGKILL() {
        let early = LaunchReport(parsing: "landlock 7\nchild 0 0 1200 300 8000\n")
        #expect(early.isCompleteWithoutExit && !early.finished)
        #expect(early.userMicros == 1200 && early.systemMicros == 300 && early.maxRSSKiB == 8000)
        #expect(!LaunchReport(parsing: "child -1 9 1200 300 8000\n").isCompleteWithoutExit)
        #expect(!LaunchReport(parsing: "child 0 0\n").isCompleteWithoutExit)
        #expect(LaunchReport(parsing: "child -1 11 1 1 1\n").isCompleteWithoutExit)
        // The launcher's figures (orphans killed at teardown included) win.
        let full = LaunchReport(parsing: "child 0 0 1200 300 8000\nexit 0 0 1500 400 9000 0 0\n")
        #expect(full.userMicros == 1500 && full.maxRSSKiB == 9000 && full.finished)
    }

    @Test func keepsTheFirstSetupErrorAndIgnoresGarbage() {
        let report = LaunchReport(
            parsing: "garbage\nerror bind 22 Invalid argument\nerror exec 2 No such file\nexit 125 0 1 1 1 0 0"
        )
        #expect(report.setupError == .init(step: "bind", errno: 22, text: "Invalid argument"))
        #expect(report.programExit == nil)
    }

    private func outcome(_ text: String, kill: KillReason? = nil, stderr: String = "") -> SandboxProcess.Outcome {
        var capture = OutputCapture(limit: 1024)
        capture.append(Array(stderr.utf8))
        return SandboxProcess.Outcome(
            report: LaunchReport(parsing: text),
            stdout: OutputCapture(limit: 16),
            stderr: capture,
            killReason: kill,
            launcherStatus: 0
        )
    }

    @Test func classifiesEveryStatus() {
        let done = "exit 0 0 1 1 1 0 0"
        #expect(RunResult.classify(outcome("child 0 0\n" + done), duration: .zero).status == .completed)
        #expect(RunResult.classify(outcome("child 2 0\n" + done), duration: .zero).status == .failed)
        #expect(RunResult.classify(outcome("child -1 11\n" + done), duration: .zero).signal == 11)
        #expect(RunResult.classify(outcome(done, kill: .timeout), duration: .zero).status == .timeout)
        #expect(RunResult.classify(outcome(done, kill: .cancelled), duration: .zero).status == .cancelled)
        #expect(RunResult.classify(outcome(done, kill: .outputLimit), duration: .zero).status == .outputLimit)
        #expect(RunResult.classify(outcome("child -1 9\nexit 0 0 1 1 1 1 0"), duration: .zero).status == .memoryLimit)
        let claimed = outcome("child 1 0\n" + done, stderr: "Traceback\nMemoryError\n")
        #expect(RunResult.classify(claimed, duration: .zero).status == .memoryLimit)
        // With a memory cgroup watching, only its OOM counter says memory_limit.
        #expect(RunResult.classify(claimed, duration: .zero, memoryCgroup: true).status == .failed)
        // SIGXCPU the program sent itself, far below the CPU limit, is a failure, not a timeout.
        let selfSignalled = outcome("child -1 \(SIGXCPU)\nexit 0 0 1000 0 1 0 0")
        #expect(RunResult.classify(selfSignalled, duration: .zero, cpuLimit: .seconds(31)).status == .failed)
        #expect(RunResult.classify(outcome("child -1 \(SIGXCPU)\n" + done), duration: .zero).status == .timeout)
        let broken = RunResult.classify(outcome("error mount-proc 1 Operation not permitted\n" + done), duration: .zero)
        #expect(broken.status == .sandboxError)
        #expect(broken.message?.contains("mount-proc") == true)
        #expect(RunResult.classify(outcome(""), duration: .zero).status == .sandboxError)
    }

    @Test func validatesEnvironmentNames() throws {
        try LaunchPlan.validate(environment: ["A": "1", "_b9": "x", "LONG_NAME": ""])
        for name in ["", "9A", "A-B", "A B", "A=B", "Ä"] {
            #expect(throws: SandboxError.self) { try LaunchPlan.validate(environment: [name: "1"]) }
        }
        #expect(throws: SandboxError.self) { try LaunchPlan.validate(environment: ["A": "x\0y"]) }
        #expect(throws: SandboxError.self) {
            try LaunchPlan.validate(environment: ["A": String(repeating: "x", count: 70_000)])
        }
    }
}
