import CWardenShims
import Glibc
import Synchronization

/// Runs the jobs of the task that reads a run's output on the run's pipe thread.
///
/// A chunk yielded to ``SandboxProcess/output`` resumes its reader. On the global executor that
/// is a hand-off to a pool thread (a futex wake and a context switch) before the chunk can go
/// on, to a client's event loop say. With this executor preferred (see ``Supervisor``), the
/// pipe thread runs the reader's next job itself, right after the read that made it ready.
/// A job enqueued from another thread (the reader coming back from an actor) wakes the pipe
/// thread through an eventfd in its poll set. Once the pump has ended, jobs go to the global
/// executor.
final class PumpExecutor: TaskExecutor, Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        /// Whether the pipe thread still takes jobs.
        var open = true
        /// Whether the eventfd was written since the pipe thread last took the jobs.
        var signalled = false
        /// The eventfd; closed (-1) with the executor, under the lock, so no late write can
        /// reach a reused descriptor.
        var wakeFD: Int32
    }

    private let state: Mutex<State>
    /// The pipe thread (a `pthread_t`), once it runs.
    private let owner = Atomic<UInt>(0)

    /// `nil` when no eventfd can be made; the reader then stays on the global executor.
    init?() {
        let fd = CWardenShims_eventfd()
        guard fd >= 0 else { return nil }
        state = Mutex(State(wakeFD: fd))
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let onPipeThread = owner.load(ordering: .acquiring) == pthread_self()
        let taken = state.withLock { state -> Bool in
            guard state.open else { return false }
            state.jobs.append(job)
            if !onPipeThread && !state.signalled {
                state.signalled = true
                var one: UInt64 = 1
                _ = write(state.wakeFD, &one, 8)
            }
            return true
        }
        if !taken { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    // MARK: Called from the pipe thread

    /// Makes the calling thread the pipe thread: jobs it enqueues need no wake-up.
    func adopt() {
        owner.store(pthread_self(), ordering: .releasing)
    }

    /// The descriptor to poll for readability; -1 once closed.
    var wakeFD: Int32 { state.withLock { $0.wakeFD } }

    /// Runs the jobs waiting now; those they enqueue wait for the next call (see ``hasJobs``),
    /// so a reader that keeps yielding cannot keep the pump from its pipes and deadlines.
    func runJobs() {
        let jobs = state.withLock { state -> [UnownedJob] in
            if state.signalled {
                var count: UInt64 = 0
                _ = read(state.wakeFD, &count, 8)
                state.signalled = false
            }
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
    }

    /// Whether jobs wait: the pump then polls without sleeping.
    var hasJobs: Bool { state.withLock { !$0.jobs.isEmpty } }

    /// The pump is ending: runs what waits, then sends later jobs to the global executor.
    func close() {
        runJobs()
        let left = state.withLock { state -> [UnownedJob] in
            state.open = false
            Glibc.close(state.wakeFD)
            state.wakeFD = -1
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in left { job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
