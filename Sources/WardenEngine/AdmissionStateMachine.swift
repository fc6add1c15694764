/// The supervisor's admission rules as a pure state machine: a bounded number of running runs,
/// each holding a slot (its host identity), and a bounded FIFO queue behind them.
struct AdmissionStateMachine: Sendable {
    typealias RunID = UInt64

    enum RequestAction: Equatable {
        case start(slot: Int)
        case enqueue
        case rejectBusy
        case rejectShuttingDown
    }

    enum FinishAction: Equatable {
        case none
        /// The slot passes to the next queued run.
        case start(RunID, slot: Int)
    }

    let maxRunning: Int
    let maxQueued: Int
    private(set) var running: [RunID: Int] = [:]
    private(set) var queue: [RunID] = []
    private var freeSlots: [Int]
    private(set) var accepting = true

    init(maxRunning: Int, maxQueued: Int) {
        self.maxRunning = max(1, maxRunning)
        self.maxQueued = max(0, maxQueued)
        self.freeSlots = Array((0..<self.maxRunning).reversed())
    }

    mutating func request(_ id: RunID) -> RequestAction {
        guard accepting else { return .rejectShuttingDown }
        if queue.isEmpty, let slot = freeSlots.popLast() {
            running[id] = slot
            return .start(slot: slot)
        }
        guard queue.count < maxQueued else { return .rejectBusy }
        queue.append(id)
        return .enqueue
    }

    /// A running run ended: free its slot and hand it to the oldest queued run.
    mutating func finish(_ id: RunID) -> FinishAction {
        guard let slot = running.removeValue(forKey: id) else { return .none }
        guard accepting, !queue.isEmpty else {
            freeSlots.append(slot)
            return .none
        }
        let next = queue.removeFirst()
        running[next] = slot
        return .start(next, slot: slot)
    }

    /// A queued run was cancelled before it started; returns whether it was still queued.
    mutating func cancelQueued(_ id: RunID) -> Bool {
        guard let index = queue.firstIndex(of: id) else { return false }
        queue.remove(at: index)
        return true
    }

    /// Stops admitting; returns the queued runs, which are refused.
    mutating func shutDown() -> [RunID] {
        accepting = false
        defer { queue.removeAll() }
        return queue
    }
}
