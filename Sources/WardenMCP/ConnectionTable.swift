import NIOCore
import Synchronization

/// The server's open HTTP connections, and which of them may be shed.
///
/// Connections cost file descriptors and memory whether or not they carry a request, and an
/// attacker can open them cheaply (a half-sent request, an idle keep-alive). Past ``limit``,
/// a new connection makes room by closing the oldest connection that is idle or still sending
/// its request; a connection whose response is under way (a run's stream, a session's SSE
/// stream) is never shed. When every connection is busy responding, the new one is closed.
/// So under a flood of slow or idle connections, `/healthz` and new sessions still get in.
final class ConnectionTable: Sendable {
    struct Entry {
        let channel: any Channel
        let opened: ContinuousClock.Instant
        /// Idle, or its request not yet read whole.
        var sheddable = true
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    /// Connections kept open at most.
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var count: Int { entries.withLock { $0.count } }

    /// Registers a new connection; returns the connections to close (the new one itself when
    /// nothing could be shed).
    func open(_ key: ObjectIdentifier, _ channel: any Channel) -> [any Channel] {
        entries.withLock { entries in
            entries[key] = Entry(channel: channel, opened: .now)
            guard entries.count > limit else { return [] }
            let oldest = entries.filter { $0.key != key && $0.value.sheddable }
                .min { $0.value.opened < $1.value.opened }
            guard let oldest else {
                entries[key] = nil
                return [channel]
            }
            entries[oldest.key] = nil
            return [oldest.value.channel]
        }
    }

    func update(_ key: ObjectIdentifier, sheddable: Bool) {
        entries.withLock { $0[key]?.sheddable = sheddable }
    }

    func close(_ key: ObjectIdentifier) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
