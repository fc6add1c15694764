import NIOPosix
public import ServiceLifecycle

/// The threads that do blocking work on a session's workspace: file tools, the snapshots
/// around a run, resource listings.
///
/// That work is synchronous file-system work whose cost a session's own tree decides (a run can
/// build thousands of entries hundreds of levels deep). On Swift's cooperative pool (one
/// thread per core) four such calls in flight stalled every other session and `/healthz` for
/// seconds. Here it runs on a small pool of its own, and each session's jobs run one at a
/// time (``SerialGate``), so one session holds at most one of these threads however many
/// calls it sends; walks are bounded in time as well (``WardenEngine/WorkspaceFiles/maxWalkTime``).
public final class WorkspaceWorkers: Service, Sendable {
    private let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    /// Runs until graceful shutdown, then stops the threads once their jobs are done.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutDown()
    }

    /// Stops the threads once their jobs are done (for a server run without its services).
    public func shutDown() async throws {
        try await pool.shutdownGracefully()
    }

    /// Runs `body` on a worker thread, after the session's earlier jobs (`gate`).
    /// - Throws: when the workers have stopped (the server is shutting down).
    func perform<T: Sendable>(in gate: SerialGate, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await gate.withTurn { try await pool.runIfActive(body) }
    }
}
