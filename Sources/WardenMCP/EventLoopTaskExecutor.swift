import NIOCore

/// Runs a task's jobs on a NIO event loop.
///
/// An SSE body's writing task prefers its connection's event loop: an event then goes from the
/// task that sends it straight to the loop, which writes it to the socket in the same job. On
/// the global executor each event took one more thread hand-off (the writing task woke on a
/// pool thread, which then handed the write to the loop).
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
