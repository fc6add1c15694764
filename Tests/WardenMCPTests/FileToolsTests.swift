import Foundation
import Glibc
import Logging
import MCP
import Testing
import WardenEngine

@testable import WardenMCP

/// The file tools' result shaping: hostile names, times and sizes must give bounded replies.
@Suite(.serialized) final class FileToolsTests {
    let host: SandboxHost
    let store: WorkspaceStore
    let workspace: Workspace
    let tools = FileTools()

    init() throws {
        var sandbox = SandboxConfiguration()
        sandbox.identityBase = 320_000
        host = try SandboxHost.prepare(
            sandbox,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        store = try WorkspaceStore(host: host, capacity: 1)
        workspace = try store.create()
    }

    deinit {
        store.removeAll()
        host.cleanUp()
    }

    private func encodedSize(_ result: CallTool.Result) throws -> Int {
        try JSONEncoder().encode(result).count
    }

    @Test func anyModificationTimeFormats() {
        for seconds in [Double(Int64.max), -1e30, .nan, .infinity, 0, 1_795_589_298.365] {
            let text = FileTools.isoDate(seconds)
            #expect(text.count == 24, "\(seconds): \(text)")
        }
        #expect(FileTools.isoDate(0) == "1970-01-01T00:00:00.000Z")
        #expect(FileTools.isoDate(1_795_589_298.365) == "2026-11-25T06:48:18.365Z")
    }

    @Test func aListingOfHostileNamesStaysFarBelowOneMebibyte() throws {
        let name = String(repeating: "\u{01}", count: 250)
        for index in 0..<600 {
            try workspace.files.write(WorkspacePath("d/\(index)\(name)"), [1], mode: .create)
        }
        let result = tools.call("list_files", ["path": "d", "max_entries": 10_000], in: workspace)
        #expect(result.isError == false)
        #expect(try encodedSize(result) < 700 << 10)
        guard case .object(let structured)? = result.structuredContent else {
            Issue.record("no structured content")
            return
        }
        #expect(structured["truncated"] == .bool(true))
    }

    @Test func anEditThatWouldGrowPastTheCapIsRefusedWithoutLeakingAnFd() throws {
        try workspace.files.write(
            WorkspacePath("a.txt"),
            Array(repeating: UInt8(ascii: "a"), count: 100_000),
            mode: .create
        )
        let before = openDescriptors()
        let arguments: [String: Value] = [
            "path": "a.txt", "old_text": "a", "new_text": .string(String(repeating: "b", count: 1024)),
            "replace_all": true,
        ]
        // Other suites open and close fds meanwhile: a leak shows as one more fd per call.
        for _ in 0..<64 {
            let result = tools.call("edit_file", arguments, in: workspace)
            #expect(result.isError == true)
            if case .text(let text, _, _)? = result.content.first { #expect(text.hasPrefix("too_large:")) }
        }
        #expect(openDescriptors() < before + 32)
        #expect(try workspace.files.read(WorkspacePath("a.txt"), cap: 1 << 20).bytes.count == 100_000)
    }

    private func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count
    }
}
