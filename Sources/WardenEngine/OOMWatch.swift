import Glibc

/// The OOM kill counts of a run's memory groups, read before its program starts, so the pump
/// can tell whether the memory limit struck before it answers without the launcher's report.
struct OOMWatch: Sendable {
    let groups: [String]
    let baseline: Int

    init(groups: [String]) {
        self.groups = groups
        baseline = Self.kills(in: groups)
    }

    /// Whether any process of the run was OOM-killed since the baseline.
    var fired: Bool { Self.kills(in: groups) > baseline }

    /// `oom_kill N` from v1 `memory.oom_control` or v2 `memory.events`, summed; groups
    /// without a memory controller count 0 (as in the launcher's own check).
    static func kills(in groups: [String]) -> Int {
        var total = 0
        for group in groups {
            for file in ["memory.oom_control", "memory.events"] {
                guard let text = readWholeFile(group + "/" + file, limit: 4096) else { continue }
                for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
                    total += Int(line.dropFirst(9)) ?? 0
                }
                break
            }
        }
        return total
    }
}
