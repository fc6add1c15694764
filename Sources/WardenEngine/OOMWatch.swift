import Glibc

/// The OOM kill counts of a run's memory groups, read before its program starts, so the pump
/// can tell whether the memory limit struck before it answers without the launcher's report.
struct OOMWatch: Sendable {
    /// The kill counter of each group that has one: v1 `memory.oom_control` or v2
    /// `memory.events`. Found once, when the sandbox is built, so the check at the run's end
    /// reads one file per memory group and tries none in the others (a pids group).
    let files: [String]
    let baseline: Int

    init(groups: [String]) {
        files = groups.compactMap { group in
            ["memory.oom_control", "memory.events"].map { group + "/" + $0 }.first { access($0, R_OK) == 0 }
        }
        baseline = Self.kills(in: files)
    }

    /// Whether any process of the run was OOM-killed since the baseline.
    var fired: Bool { Self.kills(in: files) > baseline }

    /// The `oom_kill N` lines of `files`, summed; a file that cannot be read counts 0 (as in
    /// the launcher's own check).
    private static func kills(in files: [String]) -> Int {
        var total = 0
        for file in files {
            guard let text = readWholeFile(file, limit: 4096) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
                total += Int(line.dropFirst(9)) ?? 0
            }
        }
        return total
    }
}
