/// The seccomp policy, parsed from `sandbox/seccomp.policy`.
///
/// Each line is `ACTION SYSCALL [CONDITION]  # reason`; the first rule is `default errno ENOSYS`.
/// Rules without a condition form the main filter (default: the `default` action); rules with a
/// condition form a second, stacked filter whose default is allow, because libseccomp 2.5.4
/// silently drops a conditional rule on a syscall that also has an unconditional one.
public struct SeccompPolicy: Sendable, Equatable {
    /// What the kernel does with a matching syscall.
    public enum Action: Sendable, Equatable {
        case allow
        case kill
        case errno(Int32)
    }

    /// An argument test; 32-bit arguments are compared through a 0xffffffff mask.
    public enum Condition: Sendable, Equatable {
        case equal(argument: Int, value: UInt64)
        case greater(argument: Int, value: UInt64)
        case maskedEqual(argument: Int, mask: UInt64, value: UInt64)
        /// `(arg & mask) != 0`, compiled as one masked-equal rule per bit.
        case anyBit(argument: Int, mask: UInt64)
        /// `(arg & mask)` is none of `values`: compiled as the masked-equal rules that cover
        /// every other value (see `SeccompPolicy+Compile`), since a filter cannot carve an
        /// allowed value out of a broader rule.
        case noneOf(argument: Int, mask: UInt64, values: [UInt64])
    }

    /// One line of the policy.
    public struct Rule: Sendable, Equatable {
        public var action: Action
        public var syscall: String
        public var condition: Condition?
        public var reason: String
        public var line: Int
    }

    public var defaultAction: Action
    public var rules: [Rule]

    /// Rules of the main filter (no condition).
    public var mainRules: [Rule] { rules.filter { $0.condition == nil } }
    /// Rules of the argument filter (with a condition).
    public var argumentRules: [Rule] { rules.filter { $0.condition != nil } }

    /// Parses a policy text.
    /// - Throws: ``SandboxError/Code/policy`` naming the line for an unknown action or errno, a
    ///   malformed condition, a missing reason, a missing `default`, or a syscall with two
    ///   unconditional rules.
    public init(parsing text: String) throws(SandboxError) {
        var defaultAction: Action?
        var rules: [Rule] = []
        var unconditional: Set<String> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let trimmed = rawLine.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let hash = trimmed.firstIndex(of: "#") else {
                throw Self.error(number, "every rule needs a '# reason'")
            }
            let reason = trimmed[trimmed.index(after: hash)...].trimmingWhitespace()
            guard !reason.isEmpty else { throw Self.error(number, "the reason after '#' is empty") }
            var words = trimmed[..<hash].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else { throw Self.error(number, "missing action") }
            if words.first == "default" {
                words.removeFirst()
                guard defaultAction == nil else { throw Self.error(number, "a second 'default'") }
                guard !words.isEmpty else { throw Self.error(number, "'default' needs an action") }
                defaultAction = try Self.parseAction(&words, line: number)
                guard words.isEmpty else { throw Self.error(number, "'default' takes only an action") }
                continue
            }
            let action = try Self.parseAction(&words, line: number)
            guard !words.isEmpty else { throw Self.error(number, "missing syscall name") }
            let name = words.removeFirst()
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw Self.error(number, "invalid syscall name '\(name)'")
            }
            var condition: Condition?
            if let token = words.first {
                guard words.count == 1 else { throw Self.error(number, "unexpected '\(words[1])'") }
                condition = try Self.parseCondition(token, line: number)
            } else {
                guard unconditional.insert(name).inserted else {
                    throw Self.error(number, "'\(name)' already has an unconditional rule")
                }
            }
            rules.append(
                Rule(action: action, syscall: name, condition: condition, reason: String(reason), line: number)
            )
        }
        guard let defaultAction else { throw SandboxError(.policy, "the policy has no 'default' rule") }
        self.defaultAction = defaultAction
        self.rules = rules
    }

    private static func error(_ line: Int, _ text: String) -> SandboxError {
        SandboxError(.policy, "seccomp policy line \(line): \(text)")
    }

    private static func parseAction(_ words: inout [String], line: Int) throws(SandboxError) -> Action {
        switch words.removeFirst() {
        case "allow": return .allow
        case "kill": return .kill
        case "errno":
            guard let name = words.first else { throw error(line, "'errno' needs a name such as EPERM") }
            words.removeFirst()
            guard let value = ErrnoName.value(of: name) else { throw error(line, "unknown errno '\(name)'") }
            return .errno(value)
        case let other: throw error(line, "unknown action '\(other)'")
        }
    }

    private static func parseCondition(_ token: String, line: Int) throws(SandboxError) -> Condition {
        guard token.hasPrefix("arg"), let digit = token.dropFirst(3).first, let argument = digit.wholeNumberValue,
            argument <= 5
        else { throw error(line, "a condition starts with arg0…arg5: '\(token)'") }
        let rest = String(token.dropFirst(4))
        if rest.hasPrefix("==") {
            return .equal(argument: argument, value: try number(rest.dropFirst(2), line: line))
        }
        if rest.hasPrefix(">") {
            return .greater(argument: argument, value: try number(rest.dropFirst(1), line: line))
        }
        if rest.hasPrefix("&") {
            let body = rest.dropFirst()
            if let range = body.firstRange(of: "!=") {
                let mask = try number(body[..<range.lowerBound], line: line)
                guard mask != 0 else { throw error(line, "a masked test needs a non-zero mask") }
                if body[range.upperBound...] == "0" { return .anyBit(argument: argument, mask: mask) }
                var values: [UInt64] = []
                for text in body[range.upperBound...].split(separator: ",", omittingEmptySubsequences: false) {
                    let value = try number(text, line: line)
                    guard value & ~mask == 0 else { throw error(line, "\(text) has bits outside the mask") }
                    values.append(value)
                }
                return .noneOf(argument: argument, mask: mask, values: values)
            }
            if let range = body.firstRange(of: "==") {
                return .maskedEqual(
                    argument: argument,
                    mask: try number(body[..<range.lowerBound], line: line),
                    value: try number(body[range.upperBound...], line: line)
                )
            }
        }
        throw error(line, "unknown condition '\(token)'")
    }

    private static func number(_ text: Substring, line: Int) throws(SandboxError) -> UInt64 {
        let value = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let value else { throw error(line, "invalid number '\(text)'") }
        return value
    }
}

extension StringProtocol where SubSequence == Substring {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = lastIndex(where: { !$0.isWhitespace }).map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }
}
