import Testing

@testable import WardenEngine

@Suite struct SeccompPolicyTests {
    @Test func parsesRulesAndConditions() throws {
        let policy = try SeccompPolicy(
            parsing: """
                # comment
                default errno ENOSYS   # unknown syscalls fall back
                allow read             # reading
                errno EPERM mount      # no mounts
                errno EPERM ioctl arg1&0xffffffff==0x5412  # TIOCSTI
                errno EAFNOSUPPORT socket arg0>10          # exotic families
                errno EPERM clone arg0&0x7e020000!=0       # namespaces
                """
        )
        #expect(policy.defaultAction == .errno(38))
        #expect(policy.mainRules.map(\.syscall) == ["read", "mount"])
        #expect(policy.argumentRules.count == 3)
        #expect(policy.argumentRules[0].condition == .maskedEqual(argument: 1, mask: 0xffff_ffff, value: 0x5412))
        #expect(policy.argumentRules[1].condition == .greater(argument: 0, value: 10))
        #expect(policy.argumentRules[2].condition == .anyBit(argument: 0, mask: 0x7e02_0000))
    }

    @Test func aValueListParsesAndItsComplementCoversEveryOtherValueOnce() throws {
        let policy = try SeccompPolicy(
            parsing: "default errno ENOSYS # d\nerrno EPERM personality arg0&0xffffffff!=0,0xffffffff # p"
        )
        #expect(
            policy.argumentRules[0].condition == .noneOf(argument: 0, mask: 0xffff_ffff, values: [0, 0xffff_ffff])
        )
        // Over a small mask, every value is checked: matched by exactly one pattern, or by none
        // when it is one of the allowed values.
        let allowed: Set<UInt64> = [0b0000, 0b1111, 0b0101]
        let patterns = SeccompPolicy.complement(of: allowed, within: 0b1111)
        for value in UInt64(0)...0b1111 {
            let matches = patterns.filter { value & $0.mask == $0.value }.count
            #expect(matches == (allowed.contains(value) ? 0 : 1), "value \(value) matched \(matches) patterns")
        }
        #expect(SeccompPolicy.complement(of: [0, 0xffff_ffff], within: 0xffff_ffff).count == 62)
    }

    @Test(arguments: [
        "errno EPERM personality arg0&0xff!=0x100 # x",  // a value outside the mask
        "allow read",  // no reason
        "allow read #",  // empty reason
        "permit read # x",  // unknown action
        "errno EWHAT read # x",  // unknown errno
        "errno EPERM ioctl arg9==1 # x",  // bad argument index
        "errno EPERM ioctl arg1~1 # x",  // bad operator
        "allow re/ad # x",  // bad name
    ])
    func rejectsMalformedLines(_ line: String) {
        #expect(throws: SandboxError.self) {
            try SeccompPolicy(parsing: "default errno ENOSYS # d\n\(line)")
        }
    }

    @Test func rejectsDuplicateUnconditionalRuleAndMissingDefault() {
        #expect(throws: SandboxError.self) {
            try SeccompPolicy(parsing: "default errno ENOSYS # d\nallow read # a\nallow read # b")
        }
        #expect(throws: SandboxError.self) { try SeccompPolicy(parsing: "allow read # a") }
    }

    @Test func theShippedPolicyParsesAndCompiles() throws {
        let text = try #require(readWholeFile(SandboxConfiguration.defaultPolicyPath()))
        let policy = try SeccompPolicy(parsing: text)
        #expect(policy.defaultAction == .errno(38))
        // The decisions docs/ARCHITECTURE.md records.
        let rules = Dictionary(policy.mainRules.map { ($0.syscall, $0.action) }, uniquingKeysWith: { a, _ in a })
        #expect(rules["clone3"] == .errno(38))
        #expect(rules["io_uring_setup"] == .errno(38))
        #expect(rules["mount"] == .errno(1))
        #expect(rules["ptrace"] == .errno(1))
        #expect(rules["read"] == .allow)
        let (bytes, _) = try policy.compile()
        #expect(bytes.count > 100)
    }
}
