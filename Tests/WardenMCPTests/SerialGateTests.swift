import Synchronization
import Testing

@testable import WardenMCP

/// One session's blocking jobs run one at a time, in the order they arrived.
@Suite struct SerialGateTests {
    final class Record: Sendable {
        let entries = Mutex<[String]>([])
        let running = Atomic<Int>(0)
        /// Set once every later job waits: the first job holds the gate until then.
        let released = Atomic<Bool>(false)
    }

    @Test func jobsRunOneAtATimeInArrivalOrder() async throws {
        let gate = SerialGate()
        let record = Record()
        let first = Task {
            try await gate.withTurn {
                record.entries.withLock { $0.append("start 0") }
                #expect(record.running.add(1, ordering: .relaxed).newValue == 1)
                while !record.released.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(1)) }
                record.running.subtract(1, ordering: .relaxed)
                record.entries.withLock { $0.append("end 0") }
            }
        }
        // The first holds the gate before the others arrive, one after another.
        while record.entries.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(5)) }
        var others: [Task<Void, any Error>] = []
        for number in 1...3 {
            others.append(
                Task {
                    try await gate.withTurn {
                        #expect(record.running.add(1, ordering: .relaxed).newValue == 1)
                        record.entries.withLock { $0.append("run \(number)") }
                        record.running.subtract(1, ordering: .relaxed)
                    }
                }
            )
            while gate.waiting < number { try await Task.sleep(for: .milliseconds(1)) }
        }
        record.released.store(true, ordering: .relaxed)
        try await first.value
        for task in others { try await task.value }
        #expect(record.entries.withLock { $0 } == ["start 0", "end 0", "run 1", "run 2", "run 3"])
    }
}
