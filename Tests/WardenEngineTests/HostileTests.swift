import Glibc
import Testing

@testable import WardenEngine

/// The hostile suite: every payload in sandbox/hostile runs under the real policy, and after each
/// the host is checked: no survivor, the canary files untouched, the supervisor idle and still
/// able to run normal code.
@Suite(.serialized, .timeLimit(.minutes(10))) struct HostileTests {
    static let canaries = ["/tmp/warden-canary/canary.txt", "/root/warden-canary.txt"]
    static let canaryText = "warden canary \(UInt64.random(in: 0...UInt64.max))\n"
    static let secret = "host-secret-\(UInt64.random(in: 0...UInt64.max))"

    /// One supervisor for the whole suite (host preparation probes interpreters, which is slow).
    static let shared: Result<Supervisor, any Error> = Result {
        // The server's own environment holds a secret that must never reach a sandbox.
        setenv("WARDEN_TEST_SECRET", secret, 1)
        mkdir("/tmp/warden-canary", 0o755)
        for path in canaries { _ = writeWholeFile(path, Array(canaryText.utf8), mode: 0o644) }
        return try TestSandbox.supervisor {
            $0.outputHardLimitBytes = 8 << 20
            $0.maxConcurrentRuns = 2
        }
    }

    @Test func atLeastFortyCasesAreShipped() {
        #expect(HostileCase.all.count >= 40)
        #expect(HostileCase.all.allSatisfy { !$0.statuses.isEmpty && !$0.summary.isEmpty })
    }

    @Test(arguments: HostileCase.all)
    func hostileCase(_ hostile: HostileCase) async throws {
        let supervisor = try Self.shared.get()
        let result = try await supervisor.execute(
            RunRequest(
                language: hostile.language,
                code: hostile.code,
                timeout: .seconds(hostile.timeout)
            )
        )
        let stdout = result.stdout.text
        let context = Comment(
            rawValue:
                "\(hostile.file): \(result.status.rawValue) exit=\(result.exitCode.map(String.init) ?? "-") signal=\(result.signal.map(String.init) ?? "-")\nstdout: \(stdout.suffix(1500))\nstderr: \(result.stderr.text.suffix(800))"
        )
        #expect(hostile.statuses.contains(result.status.rawValue), context)
        #expect(!stdout.contains("ESCAPE"), context)
        #expect(!stdout.contains(Self.secret) && !result.stderr.text.contains(Self.secret), context)
        for needle in hostile.stdoutNeedles {
            #expect(stdout.contains(needle), "missing '\(needle)'. \(context)")
        }
        if let signal = hostile.signal { #expect(result.signal == signal, context) }
        #expect(result.duration < .seconds(hostile.timeout + 5), context)

        // The host after the case.
        #expect(TestSandbox.survivors(of: supervisor.host).isEmpty, "survivors after \(hostile.file)")
        for path in Self.canaries { #expect(readWholeFile(path) == Self.canaryText, "canary \(path) changed") }
        #expect(await supervisor.runningCount == 0)
        let normal = try await supervisor.execute(RunRequest(language: .python, code: "print('still fine')"))
        #expect(
            normal.status == .completed && normal.stdout.text == "still fine\n",
            "a normal run after \(hostile.file)"
        )
    }
}
