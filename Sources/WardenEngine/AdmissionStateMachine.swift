/// The supervisor's admission rules as a pure state machine: a bounded number of running runs,
/// each holding a slot (its host identity), and a bounded queue behind them, shared fairly.
///
/// A run may name its owners (a session, a principal). Each owner holds at most
/// ``runShare`` running runs and ``queueShare`` queued ones, so one owner that saturates its
/// share leaves slots and queue places to everyone else; and the queue is served round-robin
/// across the owners with waiting runs (first in, first out within one owner), so a quiet
/// owner's run never waits behind a busy owner's backlog. A run with no owner (a one-off
/// `warden run`) is bounded only by the totals.
struct AdmissionStateMachine: Sendable {
    typealias RunID = UInt64

    enum RequestAction: Equatable {
        case start(slot: Int)
        case enqueue
        /// Every slot and queue place is taken.
        case rejectBusy
        /// The run's owner (named) holds its whole share of the queue.
        case rejectShareExhausted(owner: String)
        case rejectShuttingDown
    }

    /// A queued run that takes a slot.
    struct Start: Equatable {
        var id: RunID
        var slot: Int
    }

    let maxRunning: Int
    let maxQueued: Int
    /// Running runs one owner may hold.
    let runShare: Int
    /// Queued runs one owner may hold.
    let queueShare: Int
    private(set) var running: [RunID: Int] = [:]
    private var runningOwners: [RunID: [String]] = [:]
    private var freeSlots: [Int]
    private(set) var accepting = true
    /// Running and queued runs per owner.
    private var runningCount: [String: Int] = [:]
    private var queuedCount: [String: Int] = [:]
    /// Queued runs by their first owner (the key they are served under), oldest first.
    private var queues: [String: [(id: RunID, owners: [String])]] = [:]
    /// The keys with queued runs, in the order they are served next.
    private var rotation: [String] = []
    private(set) var queuedTotal = 0

    /// - Parameters:
    ///   - runShare: running runs per owner (default: all of them).
    ///   - queueShare: queued runs per owner (default: the whole queue).
    init(maxRunning: Int, maxQueued: Int, runShare: Int? = nil, queueShare: Int? = nil) {
        self.maxRunning = max(1, maxRunning)
        self.maxQueued = max(0, maxQueued)
        self.runShare = min(self.maxRunning, max(1, runShare ?? self.maxRunning))
        self.queueShare = min(self.maxQueued, max(0, queueShare ?? self.maxQueued))
        self.freeSlots = Array((0..<self.maxRunning).reversed())
    }

    /// The queued runs, in no particular order.
    var queue: [RunID] { queues.values.flatMap { $0.map(\.id) } }

    mutating func request(_ id: RunID, owners: [String] = []) -> RequestAction {
        guard accepting else { return .rejectShuttingDown }
        let key = owners.first ?? ""
        // With a slot free, every queued run is held back by its own owners' shares, so a run
        // that may start does not pass anyone it should wait behind (but its own owner's).
        if queues[key] == nil, mayRun(owners), let slot = freeSlots.popLast() {
            begin(id, owners: owners, slot: slot)
            return .start(slot: slot)
        }
        guard queuedTotal < maxQueued else { return .rejectBusy }
        if let full = owners.first(where: { queuedCount[$0, default: 0] >= queueShare }) {
            return .rejectShareExhausted(owner: full)
        }
        if queues[key] == nil { rotation.append(key) }
        queues[key, default: []].append((id, owners))
        for owner in owners { queuedCount[owner, default: 0] += 1 }
        queuedTotal += 1
        return .enqueue
    }

    /// A running run ended: free its slot and hand free slots to the queued runs that may start
    /// now (usually one; more when the run held back runs of two owners).
    mutating func finish(_ id: RunID) -> [Start] {
        guard let slot = running.removeValue(forKey: id) else { return [] }
        for owner in runningOwners.removeValue(forKey: id) ?? [] {
            runningCount[owner, default: 1] -= 1
            if runningCount[owner] == 0 { runningCount[owner] = nil }
        }
        freeSlots.append(slot)
        var started: [Start] = []
        while accepting, !freeSlots.isEmpty, let next = takeNext() {
            let slot = freeSlots.removeLast()
            begin(next.id, owners: next.owners, slot: slot)
            started.append(Start(id: next.id, slot: slot))
        }
        return started
    }

    /// A queued run was cancelled before it started; returns whether it was still queued.
    mutating func cancelQueued(_ id: RunID) -> Bool {
        for (key, runs) in queues {
            guard let index = runs.firstIndex(where: { $0.id == id }) else { continue }
            dequeue(key, at: index)
            return true
        }
        return false
    }

    /// Stops admitting; returns the queued runs, which are refused.
    mutating func shutDown() -> [RunID] {
        accepting = false
        defer {
            queues = [:]
            rotation = []
            queuedCount = [:]
            queuedTotal = 0
        }
        return queue
    }

    private func mayRun(_ owners: [String]) -> Bool {
        owners.allSatisfy { runningCount[$0, default: 0] < runShare }
    }

    private mutating func begin(_ id: RunID, owners: [String], slot: Int) {
        running[id] = slot
        if !owners.isEmpty { runningOwners[id] = owners }
        for owner in owners { runningCount[owner, default: 0] += 1 }
    }

    /// The oldest queued run of the first key in rotation whose run may start; that key goes to
    /// the back of the rotation.
    private mutating func takeNext() -> (id: RunID, owners: [String])? {
        guard let position = rotation.firstIndex(where: { mayRun(queues[$0]?.first?.owners ?? []) }) else {
            return nil
        }
        let key = rotation[position]
        let next = queues[key]![0]
        dequeue(key, at: 0)
        if queues[key] != nil {
            rotation.removeAll { $0 == key }
            rotation.append(key)
        }
        return next
    }

    private mutating func dequeue(_ key: String, at index: Int) {
        let run = queues[key]!.remove(at: index)
        if queues[key]!.isEmpty {
            queues[key] = nil
            rotation.removeAll { $0 == key }
        }
        for owner in run.owners {
            queuedCount[owner, default: 1] -= 1
            if queuedCount[owner] == 0 { queuedCount[owner] = nil }
        }
        queuedTotal -= 1
    }
}
