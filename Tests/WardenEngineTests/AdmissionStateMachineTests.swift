import Testing

@testable import WardenEngine

@Suite struct AdmissionStateMachineTests {
    @Test func startsUpToTheLimitThenQueuesThenRefuses() {
        var machine = AdmissionStateMachine(maxRunning: 2, maxQueued: 1)
        let r1 = machine.request(1)
        #expect(r1 == .start(slot: 0))
        let r2 = machine.request(2)
        #expect(r2 == .start(slot: 1))
        let r3 = machine.request(3)
        #expect(r3 == .enqueue)
        let r4 = machine.request(4)
        #expect(r4 == .rejectBusy)
    }

    @Test func aFinishedRunHandsItsSlotToTheOldestQueued() {
        var machine = AdmissionStateMachine(maxRunning: 1, maxQueued: 2)
        _ = machine.request(1)
        _ = machine.request(2)
        _ = machine.request(3)
        let r5 = machine.finish(1)
        #expect(r5 == .start(2, slot: 0))
        let r6 = machine.finish(2)
        #expect(r6 == .start(3, slot: 0))
        let r7 = machine.finish(3)
        #expect(r7 == .none)
        let r8 = machine.request(4)
        #expect(r8 == .start(slot: 0))
    }

    @Test func slotsAreNeverSharedByRunningRuns() {
        var machine = AdmissionStateMachine(maxRunning: 3, maxQueued: 0)
        var slots: Set<Int> = []
        for id in 1...3 {
            guard case .start(let slot) = machine.request(UInt64(id)) else {
                Issue.record("not started")
                return
            }
            slots.insert(slot)
        }
        #expect(slots == [0, 1, 2])
        _ = machine.finish(2)
        guard case .start(let reused) = machine.request(9) else {
            Issue.record("not started")
            return
        }
        #expect(!machine.running.filter { $0.key != 9 }.values.contains(reused))
    }

    @Test func cancellingAQueuedRunRemovesIt() {
        var machine = AdmissionStateMachine(maxRunning: 1, maxQueued: 1)
        _ = machine.request(1)
        _ = machine.request(2)
        let r9 = machine.cancelQueued(2)
        #expect(r9)
        let again = machine.cancelQueued(2)
        #expect(!again)
        let r10 = machine.finish(1)
        #expect(r10 == .none)
    }

    @Test func shutdownRefusesQueuedAndNewRuns() {
        var machine = AdmissionStateMachine(maxRunning: 1, maxQueued: 4)
        _ = machine.request(1)
        _ = machine.request(2)
        _ = machine.request(3)
        let r11 = machine.shutDown()
        #expect(r11 == [2, 3])
        let r12 = machine.request(4)
        #expect(r12 == .rejectShuttingDown)
        let r13 = machine.finish(1)
        #expect(r13 == .none)
    }
}
