import CSeccomp
import CWardenShims
import Glibc

extension SeccompPolicy {
    /// Compiles the policy for x86_64 into the launcher's filter file: for each of the two
    /// filters, a native-endian `UInt32` instruction count followed by the BPF instructions.
    ///
    /// Both filters kill the process on a foreign ABI (i386 `int 0x80`, x32), so a syscall number
    /// that means something else there cannot slip past the checks.
    /// - Returns: the bytes and the names libseccomp did not know (skipped: the default applies).
    public func compile() throws(SandboxError) -> (bytes: [UInt8], unknownSyscalls: [String]) {
        var unknown: [String] = []
        var bytes: [UInt8] = []
        for (rules, fallback) in [(mainRules, defaultAction), (argumentRules, Action.allow)] {
            guard let context = seccomp_init(Self.raw(fallback)) else {
                throw SandboxError(.policy, "seccomp_init failed")
            }
            defer { seccomp_release(context) }
            guard seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, Self.raw(.kill)) == 0 else {
                throw SandboxError(.policy, "cannot set the bad-architecture action")
            }
            // A binary tree of syscall numbers instead of a linear chain: each syscall runs a few
            // comparisons, not hundreds, and the kernel's per-syscall action cache, which runs the
            // filter once for every syscall number when it is loaded, is built faster.
            _ = seccomp_attr_set(context, SCMP_FLTATR_CTL_OPTIMIZE, 2)
            // libseccomp refuses a rule that repeats the filter's default; it is a no-op anyway.
            for rule in rules where rule.action != fallback {
                let number = seccomp_syscall_resolve_name(rule.syscall)
                guard number != __NR_SCMP_ERROR else {
                    unknown.append(rule.syscall)
                    continue
                }
                for comparison in Self.comparisons(rule.condition) {
                    var arguments = comparison
                    let result = seccomp_rule_add_exact_array(
                        context,
                        Self.raw(rule.action),
                        number,
                        UInt32(arguments.count),
                        &arguments
                    )
                    guard result == 0 else {
                        throw SandboxError(
                            .policy,
                            "line \(rule.line): libseccomp rejected the rule for \(rule.syscall)",
                            errno: -result
                        )
                    }
                }
            }
            bytes += try Self.export(context)
        }
        return (bytes, unknown)
    }

    static func raw(_ action: Action) -> UInt32 {
        switch action {
        case .allow: return 0x7fff_0000
        case .kill: return 0x8000_0000
        case .errno(let value): return 0x0005_0000 | (UInt32(value) & 0xffff)
        }
    }

    /// One comparison list per libseccomp rule; several lists mean the rules are OR'ed.
    private static func comparisons(_ condition: Condition?) -> [[scmp_arg_cmp]] {
        func compare(_ argument: Int, _ op: scmp_compare, _ a: UInt64, _ b: UInt64 = 0) -> scmp_arg_cmp {
            scmp_arg_cmp(arg: UInt32(argument), op: op, datum_a: a, datum_b: b)
        }
        switch condition {
        case nil: return [[]]
        case .equal(let argument, let value): return [[compare(argument, SCMP_CMP_EQ, value)]]
        case .greater(let argument, let value): return [[compare(argument, SCMP_CMP_GT, value)]]
        case .maskedEqual(let argument, let mask, let value):
            return [[compare(argument, SCMP_CMP_MASKED_EQ, mask, value)]]
        case .anyBit(let argument, let mask):
            return (0..<64).compactMap { bit in
                let flag = UInt64(1) << UInt64(bit)
                return mask & flag == 0 ? nil : [compare(argument, SCMP_CMP_MASKED_EQ, flag, flag)]
            }
        case .noneOf(let argument, let mask, let values):
            return complement(of: Set(values), within: mask).map { prefix in
                [compare(argument, SCMP_CMP_MASKED_EQ, prefix.mask, prefix.value)]
            }
        }
    }

    /// Masked patterns that match every value of `mask`'s bits except `values`, and never
    /// overlap: the subtrees holding none of `values` in a binary trie over the mask's bits,
    /// lowest first (at most one pattern per value and bit).
    static func complement(of values: Set<UInt64>, within mask: UInt64) -> [(mask: UInt64, value: UInt64)] {
        let bits = (0..<64).map { UInt64(1) << UInt64($0) }.filter { mask & $0 != 0 }
        var patterns: [(mask: UInt64, value: UInt64)] = []
        func descend(_ level: Int, _ prefixMask: UInt64, _ prefixValue: UInt64, _ candidates: [UInt64]) {
            guard !candidates.isEmpty else {
                patterns.append((prefixMask, prefixValue))
                return
            }
            guard level < bits.count else { return }  // an excluded value itself
            let bit = bits[level]
            descend(level + 1, prefixMask | bit, prefixValue, candidates.filter { $0 & bit == 0 })
            descend(level + 1, prefixMask | bit, prefixValue | bit, candidates.filter { $0 & bit != 0 })
        }
        descend(0, 0, 0, Array(values))
        return patterns
    }

    private static func export(_ context: scmp_filter_ctx) throws(SandboxError) -> [UInt8] {
        var fds: [Int32] = [0, 0]
        guard CWardenShims_pipe2(&fds, O_CLOEXEC) == 0 else { throw SandboxError(.policy, "pipe failed", errno: errno) }
        defer { close(fds[0]) }
        // A filter is at most 4096 instructions (32 KiB), well under a pipe's 64 KiB buffer.
        let result = seccomp_export_bpf(context, fds[1])
        close(fds[1])
        guard result == 0 else { throw SandboxError(.policy, "cannot export the filter", errno: -result) }
        var program: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            program += buffer[..<count]
        }
        guard !program.isEmpty, program.count % 8 == 0 else { throw SandboxError(.policy, "empty filter") }
        var count = UInt32(program.count / 8)
        return withUnsafeBytes(of: &count) { Array($0) } + program
    }
}
