import Glibc

extension RunResult {
    /// Decides a run's status from what the launcher reported and why (if at all) it was killed.
    /// - Parameters:
    ///   - memoryCgroup: whether a memory cgroup watched the run; then only its OOM counter
    ///     means `memory_limit`, so a program cannot claim it by printing "MemoryError".
    ///   - cpuLimit: the RLIMIT_CPU backstop; SIGXCPU counts as `timeout` only once the run
    ///     really used that much CPU (a program can send itself SIGXCPU).
    static func classify(
        _ outcome: SandboxProcess.Outcome,
        duration: Duration,
        memoryCgroup: Bool = false,
        cpuLimit: Duration? = nil
    ) -> RunResult {
        let report = outcome.report
        var result = RunResult(
            status: .failed,
            exitCode: nil,
            signal: nil,
            stdout: outcome.stdout,
            stderr: outcome.stderr,
            duration: duration,
            cpuTime: .microseconds(report.userMicros + report.systemMicros),
            maxRSSKiB: report.maxRSSKiB,
            message: nil
        )
        if let exit = report.programExit {
            result.exitCode = exit.signal == 0 ? exit.code : nil
            result.signal = exit.signal == 0 ? nil : exit.signal
        } else if outcome.killReason != nil {
            result.signal = Int(SIGKILL)
        }
        if let reason = outcome.killReason {
            switch reason {
            case .timeout: result.status = .timeout
            case .cancelled, .shutdown: result.status = .cancelled
            case .outputLimit: result.status = .outputLimit
            }
            return result
        }
        if let error = report.setupError, report.programExit == nil {
            result.status = .sandboxError
            result.message = "sandbox setup failed at \(error.step): \(error.text) (errno \(error.errno))"
            return result
        }
        if report.outOfMemory {
            result.status = .memoryLimit
        } else if report.programExit == nil {
            result.status = .sandboxError
            result.message =
                "the launcher ended without reporting the program's exit (status \(outcome.launcherStatus))"
        } else if result.signal == Int(SIGXCPU), cpuLimit.map({ result.cpuTime >= $0 - .seconds(1) }) ?? true {
            result.status = .timeout
        } else if result.exitCode == 0 {
            result.status = .completed
        } else if !memoryCgroup, Self.reportsOutOfMemory(outcome.stderr) {
            result.status = .memoryLimit
        } else {
            result.status = .failed
        }
        return result
    }

    /// Where no memory cgroup saw the OOM (RLIMIT_AS refused an allocation instead), the
    /// interpreters' own last words say it.
    static func reportsOutOfMemory(_ stderr: OutputCapture) -> Bool {
        let tail = String(decoding: stderr.keptBytes.suffix(2048), as: UTF8.self)
        return tail.contains("MemoryError") || tail.contains("JavaScript heap out of memory")
            || tail.contains("Cannot allocate memory") || tail.contains("std::bad_alloc")
    }
}
