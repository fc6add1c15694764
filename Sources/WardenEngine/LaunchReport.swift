/// What `warden-launch` reported on its status pipe, parsed from its lines:
/// `landlock <abi>`, `error <step> <errno> <text>`,
/// `child <code> <signal> [<user-µs> <system-µs> <max-rss-KiB>]` (from init, as the program
/// ends) and `exit <code> <signal> <user-µs> <system-µs> <max-rss-KiB> <oom> <killed>` (from
/// the launcher, once the sandbox is gone; its usage figures win).
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
    /// The launcher's `exit` line arrived: the sandbox is gone.
    var finished = false

    /// Whether the result is known before the sandbox is torn down: the program exited or was
    /// killed by a signal other than SIGKILL (which may be the memory cgroup's OOM kill, only
    /// the launcher's `exit` line can tell) and init reported its usage.
    var isCompleteWithoutExit: Bool {
        guard let exit = programExit else { return false }
        return exit.signal != 9 && maxRSSKiB > 0
    }

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
            case "child":
                let fields = line.split(separator: " ").dropFirst().compactMap { Int($0) }
                guard fields.count == 2 || fields.count == 5 else { continue }
                programExit = (fields[0], fields[1])
                if fields.count == 5, !finished {
                    (userMicros, systemMicros, maxRSSKiB) = (fields[2], fields[3], fields[4])
                }
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
