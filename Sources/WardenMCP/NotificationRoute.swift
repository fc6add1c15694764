/// Where a running call's notifications go: the event stream that will carry its response (the
/// stream of the POST that carried it, or the session's one HTTP+SSE stream). The routes know
/// it when the call arrives, so each output chunk is sent straight there, not through the
/// transport actor.
struct NotificationRoute: Sendable {
    let stream: EventStream
    /// The SSE event name: `message` on the HTTP+SSE stream, none on a POST stream.
    let event: String?

    /// Sends a notification, dropped while the client is not reading (see
    /// ``EventStream/BacklogLimits``).
    func send(_ json: String) {
        stream.send(json, event: event, droppable: true)
    }
}
