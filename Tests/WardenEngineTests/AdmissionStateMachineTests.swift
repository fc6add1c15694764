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
        #expect(r5 == [.init(id: 2, slot: 0)])
        let r6 = machine.finish(2)
        #expect(r6 == [.init(id: 3, slot: 0)])
        let r7 = machine.finish(3)
        #expect(r7.isEmpty)
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
        #expect(r10.isEmpty)
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
        #expect(r13.isEmpty)
    }

    // MARK: Fair shares

    @Test func anOwnerAtItsRunShareLeavesTheOtherSlotsToOthers() {
        var machine = AdmissionStateMachine(maxRunning: 4, maxQueued: 64, runShare: 2, queueShare: 8)
        let r101 = machine.request(1, owners: ["a"])
        #expect(r101 == .start(slot: 0))
        let r102 = machine.request(2, owners: ["a"])
        #expect(r102 == .start(slot: 1))
        // Two slots are free, but not for "a".
        let r103 = machine.request(3, owners: ["a"])
        #expect(r103 == .enqueue)
        let r104 = machine.request(4, owners: ["b"])
        #expect(r104 == .start(slot: 2))
        let r105 = machine.request(5, owners: ["c"])
        #expect(r105 == .start(slot: 3))
    }

    @Test func anOwnerAtItsQueueShareIsRefusedWhileOthersStillQueue() {
        var machine = AdmissionStateMachine(maxRunning: 2, maxQueued: 64, runShare: 1, queueShare: 3)
        let r106 = machine.request(1, owners: ["a"])
        #expect(r106 == .start(slot: 0))
        for id in 2...4 {
            let queued = machine.request(UInt64(id), owners: ["a"])
            #expect(queued == .enqueue)
        }
        let r107 = machine.request(5, owners: ["a"])
        #expect(r107 == .rejectShareExhausted(owner: "a"))
        let r108 = machine.request(6, owners: ["b"])
        #expect(r108 == .start(slot: 1))
        let r109 = machine.request(7, owners: ["b"])
        #expect(r109 == .enqueue)
    }

    @Test func theQueueIsServedRoundRobinAcrossOwners() {
        var machine = AdmissionStateMachine(maxRunning: 1, maxQueued: 64, runShare: 1, queueShare: 16)
        let r110 = machine.request(1, owners: ["a"])
        #expect(r110 == .start(slot: 0))
        // "a" queues a backlog first; "b" and "c" come after it.
        for id in 2...6 { _ = machine.request(UInt64(id), owners: ["a"]) }
        _ = machine.request(20, owners: ["b"])
        _ = machine.request(30, owners: ["c"])
        _ = machine.request(21, owners: ["b"])
        var order: [UInt64] = []
        var current: UInt64 = 1
        while let next = machine.finish(current).first {
            order.append(next.id)
            current = next.id
        }
        // One of each owner in turn, not a's whole backlog first.
        #expect(order == [2, 20, 30, 3, 21, 4, 5, 6])
    }

    @Test func aRunWithTwoOwnersCountsAgainstBoth() {
        var machine = AdmissionStateMachine(maxRunning: 4, maxQueued: 8, runShare: 2, queueShare: 4)
        // Two sessions of one principal: the principal's share binds across them.
        let r111 = machine.request(1, owners: ["s1", "p"])
        #expect(r111 == .start(slot: 0))
        let r112 = machine.request(2, owners: ["s2", "p"])
        #expect(r112 == .start(slot: 1))
        let r113 = machine.request(3, owners: ["s3", "p"])
        #expect(r113 == .enqueue)
        let r114 = machine.request(4, owners: ["s4", "q"])
        #expect(r114 == .start(slot: 2))
        // When one of p's runs ends, p's queued run takes its slot.
        let r115 = machine.finish(1)
        #expect(r115 == [.init(id: 3, slot: 0)])
    }

    @Test func aFinishThatFreesTwoOwnersStartsARunOfEach() {
        var machine = AdmissionStateMachine(maxRunning: 3, maxQueued: 8, runShare: 1, queueShare: 4)
        let r116 = machine.request(1, owners: ["s", "p"])
        #expect(r116 == .start(slot: 0))
        // Held back: by "p", and by "s".
        let r117 = machine.request(2, owners: ["t", "p"])
        #expect(r117 == .enqueue)
        let r118 = machine.request(3, owners: ["s", "q"])
        #expect(r118 == .enqueue)
        let started = machine.finish(1)
        #expect(Set(started.map(\.id)) == [2, 3])
    }

    @Test func cancellingAQueuedRunFreesItsOwnersQueuePlace() {
        var machine = AdmissionStateMachine(maxRunning: 1, maxQueued: 8, runShare: 1, queueShare: 1)
        _ = machine.request(1, owners: ["a"])
        let r119 = machine.request(2, owners: ["a"])
        #expect(r119 == .enqueue)
        let r120 = machine.request(3, owners: ["a"])
        #expect(r120 == .rejectShareExhausted(owner: "a"))
        let r121 = machine.cancelQueued(2)
        #expect(r121)
        let r122 = machine.request(3, owners: ["a"])
        #expect(r122 == .enqueue)
        #expect(machine.queuedTotal == 1)
    }

    @Test func runsWithoutOwnersAreBoundOnlyByTheTotals() {
        var machine = AdmissionStateMachine(maxRunning: 2, maxQueued: 2, runShare: 1, queueShare: 1)
        let r123 = machine.request(1)
        #expect(r123 == .start(slot: 0))
        let r124 = machine.request(2)
        #expect(r124 == .start(slot: 1))
        let r125 = machine.request(3)
        #expect(r125 == .enqueue)
        let r126 = machine.request(4)
        #expect(r126 == .enqueue)
        let r127 = machine.request(5)
        #expect(r127 == .rejectBusy)
    }
}
