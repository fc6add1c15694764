/// What `warden-launch` reported on its status pipe, parsed from its lines:
/// `landlock <abi>`, `error <step> <errno> <text>`, `child <code> <signal>` and
/// `exit <code> <signal> <user-µs> <system-µs> <max-rss-KiB> <oom> <killed>`.
struct LaunchReport: Sendable, Equatable {
    struct SetupError: Sendable, Equatable {
        var step: String
        var errno: Int32
        var text: String
    }

    var landlockABI: Int?
    var setupError: SetupError?
    /// The program's own exit: code (-1 when signalled) and signal (0 when it exited).
    var programExit: (code: Int, signal: Int)?
    var userMicros = 0
    var systemMicros = 0
    var maxRSSKiB = 0
    var outOfMemory = false
    var finished = false

    static func == (lhs: LaunchReport, rhs: LaunchReport) -> Bool {
        lhs.landlockABI == rhs.landlockABI && lhs.setupError == rhs.setupError
            && lhs.programExit?.code == rhs.programExit?.code && lhs.programExit?.signal == rhs.programExit?.signal
            && lhs.userMicros == rhs.userMicros && lhs.systemMicros == rhs.systemMicros
            && lhs.maxRSSKiB == rhs.maxRSSKiB && lhs.outOfMemory == rhs.outOfMemory && lhs.finished == rhs.finished
    }

    /// Parses the whole status text; unknown or malformed lines are ignored.
    init(parsing text: String) {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 3).map(String.init)
            switch words.first {
            case "landlock" where words.count == 2:
                landlockABI = Int(words[1])
            case "error" where words.count >= 3:
                // The first error wins: later ones are consequences.
                if setupError == nil {
                    setupError = SetupError(
                        step: words[1],
                        errno: Int32(words[2]) ?? 0,
                        text: words.count > 3 ? words[3] : ""
                    )
                }
            case "child" where words.count == 3:
                if let code = Int(words[1]), let signal = Int(words[2]) { programExit = (code, signal) }
            case "exit":
                let fields = line.split(separator: " ").dropFirst().compactMap { Int($0) }
                guard fields.count >= 6 else { continue }
                userMicros = fields[2]
                systemMicros = fields[3]
                maxRSSKiB = fields[4]
                outOfMemory = fields[5] != 0
                finished = true
            default:
                continue
            }
        }
    }
}
