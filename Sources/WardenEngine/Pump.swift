import Glibc

/// The loop that runs on a launcher's pipe thread: poll, read, capture, stream, feed stdin.
///
/// Each wake-up drains what the pipe holds (up to 64 KiB per stream), so a flood arrives in
/// large chunks. Output that ends a line goes out at once; a partial line waits at most
/// ``coalescing`` for the rest of it (Python's unbuffered `print('tick', 1)` writes "tick",
/// " ", "1" and "\n" separately), so a line written in pieces is still one chunk. After the
/// hard output cap the run is killed and further output is discarded.
final class Pump: @unchecked Sendable {
    private let process: SandboxProcess
    private var pipes: Pipes
    private let stdinData: [UInt8]
    private var stdinOffset = 0
    private var stdout: OutputCapture
    private var stderr: OutputCapture
    private let hardLimit: Int
    private var totalBytes = 0
    private var statusText: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 65536)
    /// Output read and not yet yielded (a partial line), per stream, and since when.
    private var held: [OutputStream: (bytes: [UInt8], since: ContinuousClock.Instant)] = [:]
    /// How long a partial line may wait for the rest of it.
    static let coalescing: Duration = .milliseconds(2)
    /// A partial line this long goes out without waiting.
    static let holdLimit = 16 << 10

    private let oomWatch: OOMWatch?
    /// Runs the output reader's jobs on this thread, between polls.
    private let executor: PumpExecutor?

    /// - Parameter stdinWritten: how much of `stdin` was already written to the pipe.
    init(
        process: SandboxProcess,
        pipes: Pipes,
        stdin: [UInt8],
        stdinWritten: Int,
        captureLimit: Int,
        hardLimit: Int,
        oomWatch: OOMWatch?,
        executor: PumpExecutor?
    ) {
        self.process = process
        self.oomWatch = oomWatch
        self.executor = executor
        self.pipes = pipes
        self.stdinData = stdin
        self.stdinOffset = stdinWritten
        self.stdout = OutputCapture(limit: captureLimit)
        self.stderr = OutputCapture(limit: captureLimit)
        self.hardLimit = hardLimit
    }

    func run() {
        executor?.adopt()
        if stdinOffset >= stdinData.count { closeFD(&pipes.stdin) }
        var published = false
        while pipes.stdout >= 0 || pipes.stderr >= 0 || pipes.status >= 0 {
            // The result is complete once the program has ended and its output is closed; the
            // launcher's teardown of the namespaces need not delay it.
            if !published, pipes.stdout < 0, pipes.stderr < 0, pipes.status >= 0 {
                let report = LaunchReport(parsing: String(decoding: statusText, as: UTF8.self))
                // An OOM kill of any process of the run (a worker, say) makes it memory_limit,
                // which only the launcher's report states; wait for it then.
                if report.isCompleteWithoutExit, oomWatch?.fired != true {
                    process.publish(report: report, stdout: stdout, stderr: stderr)
                    published = true
                }
            }
            // The reader takes what was yielded (the end of the output published above, say),
            // and runs jobs sent from elsewhere; then the deadlines are checked.
            executor?.runJobs()
            let waits = [process.enforceDeadlines(), releaseHeld(olderThan: Self.coalescing)].compactMap { $0 }
            var fds: [pollfd] = []
            for fd in [pipes.stdout, pipes.stderr, pipes.status] where fd >= 0 {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            }
            if pipes.stdin >= 0 { fds.append(pollfd(fd: pipes.stdin, events: Int16(POLLOUT), revents: 0)) }
            if let wake = executor?.wakeFD, wake >= 0 {
                fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
            }
            // In whole milliseconds, rounded up: the poll wakes at the deadline, not just before
            // it. Jobs waiting (a partial line released above, a job's own next step) make it a
            // look without sleep.
            let timeout =
                executor?.hasJobs == true
                ? 0
                : waits.min().map {
                    Int32(
                        clamping: max(
                            1,
                            $0.components.seconds * 1000 + ($0.components.attoseconds + 999_999_999_999_999)
                                / 1_000_000_000_000_000
                        )
                    )
                } ?? -1
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            for entry in fds where entry.revents != 0 {
                switch entry.fd {
                case pipes.stdout: drain(&pipes.stdout, into: .stdout)
                case pipes.stderr: drain(&pipes.stderr, into: .stderr)
                case pipes.status: readStatus()
                case pipes.stdin: feedStdin()
                default: break
                }
            }
        }
        closeFD(&pipes.stdin)
        _ = releaseHeld(olderThan: .zero)
        if published {
            process.reap()
        } else {
            let report = LaunchReport(parsing: String(decoding: statusText, as: UTF8.self))
            process.finish(report: report, stdout: stdout, stderr: stderr)
        }
        executor?.close()
    }

    private func drain(_ fd: inout Int32, into stream: OutputStream) {
        var chunk: [UInt8] = []
        while chunk.count < buffer.count {
            let count = read(fd, &buffer, buffer.count - chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { break }  // EAGAIN: drained for now
            if count == 0 {
                closeFD(&fd)
                break
            }
            let bytes = buffer[..<count]
            if stream == .stdout { stdout.append(bytes) } else { stderr.append(bytes) }
            let allowed = max(0, min(count, hardLimit - totalBytes))
            totalBytes += count
            chunk += bytes.prefix(allowed)
            if totalBytes > hardLimit {
                process.kill(.outputLimit)
            }
        }
        guard !chunk.isEmpty || fd < 0 else { return }
        var pending = held.removeValue(forKey: stream) ?? (bytes: [], since: .now)
        pending.bytes += chunk
        held[stream] = pending
        // A whole line, a long piece, or the end of the stream goes now; a partial line waits.
        if fd < 0 || pending.bytes.count >= Self.holdLimit || pending.bytes.last == 0x0A || pending.bytes.last == 0x0D {
            // What the other stream holds was written first: it goes first.
            release(stream == .stdout ? .stderr : .stdout)
            release(stream)
        }
    }

    /// Yields what `stream` holds, if anything.
    private func release(_ stream: OutputStream) {
        guard let pending = held.removeValue(forKey: stream), !pending.bytes.isEmpty else { return }
        process.yield(OutputChunk(stream: stream, bytes: pending.bytes))
    }

    /// Yields the partial lines held at least `age`; returns how long until the next is due.
    private func releaseHeld(olderThan age: Duration) -> Duration? {
        let now = ContinuousClock.now
        var next: Duration?
        for (stream, pending) in held {
            let waited = now - pending.since
            if waited >= age {
                release(stream)
            } else {
                next = min(next ?? age, age - waited)
            }
        }
        return next
    }

    private func readStatus() {
        while true {
            let count = read(pipes.status, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return }
            if count == 0 {
                closeFD(&pipes.status)
                return
            }
            // The launcher writes a handful of short lines; anything longer is not from it.
            if statusText.count < 65536 { statusText += buffer[..<count] }
        }
    }

    private func feedStdin() {
        while stdinOffset < stdinData.count {
            let count = stdinData.withUnsafeBytes { raw in
                write(pipes.stdin, raw.baseAddress! + stdinOffset, min(65536, stdinData.count - stdinOffset))
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                if errno == EAGAIN { return }
                break  // EPIPE: the program closed its stdin
            }
            stdinOffset += count
        }
        closeFD(&pipes.stdin)
    }

    private func closeFD(_ fd: inout Int32) {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}
