import Glibc
import Synchronization
import Testing

@testable import WardenEngine

/// Session workspaces: persistence, isolation, quotas, and file operations that no planted
/// link, special file or race can lead outside.
@Suite(.serialized, .timeLimit(.minutes(5))) final class WorkspaceTests {
    let supervisor: Supervisor
    let store: WorkspaceStore
    let workspace: Workspace
    var files: WorkspaceFiles { workspace.files }

    init() throws {
        supervisor = try TestSandbox.supervisor { $0.workspaceQuota = WorkspaceQuota(bytes: 4 << 20, entries: 64) }
        store = try WorkspaceStore(host: supervisor.host, capacity: 4)
        workspace = try store.create()
    }

    deinit {
        store.removeAll()
        supervisor.host.cleanUp()
    }

    private func run(_ code: String, in workspace: Workspace? = nil, language: Language = .sh) async throws -> RunResult
    {
        try await supervisor.execute(
            RunRequest(
                language: language,
                code: code,
                timeout: .seconds(20),
                workspace: .session(workspace ?? self.workspace)
            )
        )
    }

    private func text(_ path: String) throws -> String {
        String(decoding: try files.read(WorkspacePath(path), cap: 1 << 20).bytes, as: UTF8.self)
    }

    private func code(_ body: () throws -> Void) -> FileError.Code? {
        do {
            try body()
            return nil
        } catch let error as FileError {
            return error.code
        } catch {
            return .ioError
        }
    }

    @Test func filesPersistAcrossRunsAndTools() async throws {
        try files.write(WorkspacePath("src/hello.txt"), Array("hello\n".utf8), mode: .create)
        let first = try await run("cat src/hello.txt; echo more >> src/hello.txt; echo made > made.txt; pwd")
        #expect(first.status == .completed)
        #expect(first.stdout.text == "hello\n/workspace\n")
        #expect(try text("src/hello.txt") == "hello\nmore\n")
        #expect(try text("/workspace/made.txt") == "made\n")
        let second = try await run("cat made.txt src/hello.txt")
        #expect(second.stdout.text == "made\nhello\nmore\n")
    }

    @Test func concurrentRunsInOneWorkspaceDoNotEndEachOther() async throws {
        // They share a uid and a memory group, but each has its own leaf cgroup: the end of one
        // (and its cgroup.kill) must not take the other down.
        let supervisor = supervisor
        let workspace = workspace
        let long = Task {
            try await supervisor.execute(
                RunRequest(language: .sh, code: "sleep 1; echo long", workspace: .session(workspace))
            )
        }
        try await Task.sleep(for: .milliseconds(200))
        let short = try await run("echo short")
        #expect(short.stdout.text == "short\n")
        let finished = try await long.value
        #expect(finished.status == .completed)
        #expect(finished.stdout.text == "long\n")
    }

    @Test func aWorkspaceRootServesOneServerAtATime() throws {
        #expect(throws: SandboxError.self) {
            _ = try WorkspaceStore(root: self.store.root, quota: WorkspaceQuota(), firstIdentity: 399_000, capacity: 1)
        }
        #expect(access(workspace.path, F_OK) == 0)
    }

    @Test func workspacesAreIsolatedAndRemovedWhole() async throws {
        let other = try store.create()
        try files.write(WorkspacePath("secret.txt"), Array("mine".utf8), mode: .create)
        let peek = try await run("ls -A /workspace; cat \(workspace.path)/secret.txt 2>&1; echo end", in: other)
        #expect(peek.stdout.text.hasPrefix("cat:"))
        #expect(!peek.stdout.text.contains("mine"))
        #expect(try other.files.list(WorkspacePath("."), recursive: true, limit: 100).entries.isEmpty)
        #expect(other.identity != workspace.identity)
        let path = other.path
        store.remove(other)
        #expect(access(path, F_OK) != 0)
        #expect(readWholeFile("/proc/self/mountinfo")?.contains(path) == false)
        #expect(code { _ = try other.files.read(WorkspacePath("x"), cap: 10) } == .notFound)
    }

    @Test func quotaHoldsAgainstRuns() async throws {
        let result = try await run(
            """
            import errno
            try:
                with open("big", "wb") as f:
                    for _ in range(64): f.write(b"x" * (1 << 20))
            except OSError as e: print("bytes", errno.errorcode[e.errno])
            made = 0
            try:
                for i in range(1000): open(f"f{i}", "w").close(); made += 1
            except OSError as e: print("entries", errno.errorcode[e.errno], made < 64)
            """,
            language: .python
        )
        #expect(result.stdout.text == "bytes ENOSPC\nentries ENOSPC True\n")
        var info = statvfs()
        #expect(statvfs(workspace.path, &info) == 0)
        #expect(Int(info.f_blocks) * Int(info.f_frsize) <= 4 << 20)
    }

    @Test func quotaHoldsAgainstTools() throws {
        try files.write(WorkspacePath("keep.txt"), Array("original".utf8), mode: .create)
        let big = [UInt8](repeating: 7, count: 5 << 20)
        #expect(code { try self.files.write(WorkspacePath("big.bin"), big, mode: .create) } == .quotaExceeded)
        #expect(code { try self.files.write(WorkspacePath("keep.txt"), big, mode: .overwrite) } == .quotaExceeded)
        #expect(code { try self.files.write(WorkspacePath("keep.txt"), big, mode: .append) } == .quotaExceeded)
        #expect(try text("keep.txt") == "original")
        let names = try files.list(WorkspacePath("."), recursive: true, limit: 100).entries.map(\.path.relative)
        #expect(names == ["keep.txt"])
        var made = 0
        while made < 200, code({ try self.files.write(WorkspacePath("n/\(made)"), [1], mode: .create) }) == nil {
            made += 1
        }
        #expect(made < 64)
        #expect(code { try self.files.write(WorkspacePath("n/extra"), [1], mode: .create) } == .quotaExceeded)
    }

    @Test(arguments: [
        ("", FileError.Code.invalidPath), ("a\0b", .invalidPath), (String(repeating: "a/", count: 2100), .invalidPath),
        (String(repeating: "n", count: 256), .invalidPath), ("../x", .outsideWorkspace),
        ("a/../../x", .outsideWorkspace),
        ("/etc/passwd", .outsideWorkspace), ("/workspace/../etc", .outsideWorkspace),
        ("/workspacex", .outsideWorkspace),
    ])
    func badPathsAreRefused(_ path: String, _ expected: FileError.Code) {
        #expect(code { _ = try WorkspacePath(path) } == expected)
    }

    @Test func pathsNormalise() throws {
        #expect(try WorkspacePath("/workspace/a/./b//c/../d").relative == "a/b/d")
        #expect(try WorkspacePath("/workspace").isRoot)
        #expect(try WorkspacePath("./").isRoot)
        #expect(try WorkspacePath("données/日本.txt").description == "/workspace/données/日本.txt")
    }

    /// A host directory outside the workspace with a known file: the target of every planted
    /// link, so a broken file tool fails the test without touching real host files.
    private func canary() throws -> String {
        let directory = "\(supervisor.host.configuration.runtimeDirectory)/canary"
        #expect(mkdir(directory, 0o755) == 0 || errno == EEXIST)
        #expect(writeWholeFile(directory + "/secret", Array("host secret\n".utf8), mode: 0o644))
        return directory
    }

    @Test func plantedLinksAndSpecialFilesAreRefused() async throws {
        let canary = try canary()
        let climb = String(repeating: "../", count: workspace.path.split(separator: "/").count)
        let planted = try await run(
            """
            ln -s \(canary)/secret secret; ln -s /proc/self/root root; ln -s \(climb)\(canary.dropFirst()) up
            ln -s \(canary) outside; mkfifo fifo; mkdir real; echo inside > real/f; ln -s real/f good
            ln /etc/hostname hard 2>/dev/null && echo linked || echo nolink
            """
        )
        #expect(planted.stdout.text == "nolink\n")
        let outside = ["secret", "root\(canary)/secret", "up/secret", "outside/secret", "root", "outside", "up"]
        for path in outside {
            let p = try WorkspacePath(path)
            #expect(code { _ = try self.files.read(p, cap: 1 << 20) } == .outsideWorkspace, "read \(path)")
            #expect(
                code { _ = try self.files.list(p, recursive: true, limit: 10) } == .outsideWorkspace,
                "list \(path)"
            )
            #expect(code { try self.files.write(p, [1], mode: .overwrite) } == .outsideWorkspace, "write \(path)")
            #expect(code { try self.files.write(p, [1], mode: .append) } == .outsideWorkspace, "append \(path)")
            #expect(
                code { _ = try self.files.edit(p, old: "host", new: "x", all: true, cap: 1 << 20) }
                    == .outsideWorkspace,
                "edit \(path)"
            )
            #expect(code { try self.files.delete(p, recursive: true) } == .outsideWorkspace, "delete \(path)")
            #expect(code { try self.files.move(p, to: WorkspacePath("moved")) } == .outsideWorkspace, "move \(path)")
        }
        #expect(
            code { try self.files.move(WorkspacePath("real/f"), to: WorkspacePath("outside/f")) } == .outsideWorkspace
        )
        #expect(code { try self.files.write(WorkspacePath("outside/new"), [1], mode: .create) } == .outsideWorkspace)
        #expect(readWholeFile(canary + "/secret") == "host secret\n")
        #expect(directoryNames(canary) == ["secret"])

        // A link that stays inside is read through, but never written through.
        #expect(try text("good") == "inside\n")
        #expect(code { try self.files.write(WorkspacePath("good"), [1], mode: .overwrite) } == .notARegularFile)
        // A FIFO is refused at once, never waited on.
        #expect(code { _ = try self.files.read(WorkspacePath("fifo"), cap: 10) } == .notARegularFile)
        let listed = try files.list(WorkspacePath("."), recursive: true, limit: 100).entries
        #expect(listed.first { $0.path.relative == "secret" }?.type == .symlink)
        #expect(listed.first { $0.path.relative == "secret" }?.target == canary + "/secret")
        #expect(listed.first { $0.path.relative == "fifo" }?.type == .fifo)
        #expect(!listed.contains { $0.path.relative.hasPrefix("outside/") || $0.path.relative.hasPrefix("root/") })
        // Deleting the inside link removes the link, not its target.
        try files.delete(WorkspacePath("good"), recursive: false)
        #expect(try text("real/f") == "inside\n")
    }

    @Test func editReplacesExactlyWhatWasAsked() throws {
        let path = try WorkspacePath("code.py")
        try files.write(path, Array("a = 1\nb = 1\nc = 2\n".utf8), mode: .create)
        #expect(
            code { _ = try self.files.edit(path, old: "= 1", new: "= 3", all: false, cap: 1 << 20) } == .ambiguousMatch
        )
        #expect(code { _ = try self.files.edit(path, old: "= 9", new: "", all: false, cap: 1 << 20) } == .noMatch)
        #expect(try files.edit(path, old: "c = 2", new: "c = 4", all: false, cap: 1 << 20) == 1)
        #expect(try files.edit(path, old: "= 1", new: "= 0", all: true, cap: 1 << 20) == 2)
        #expect(try text("code.py") == "a = 0\nb = 0\nc = 4\n")
        try files.write(WorkspacePath("blob"), [0xff, 0xfe, 0x41], mode: .create)
        #expect(
            code { _ = try self.files.edit(WorkspacePath("blob"), old: "A", new: "B", all: false, cap: 1 << 20) }
                == .invalidEncoding
        )
        #expect(
            code { _ = try self.files.edit(WorkspacePath("none"), old: "A", new: "B", all: false, cap: 1 << 20) }
                == .notFound
        )
        #expect(code { _ = try self.files.edit(path, old: "a", new: "b", all: true, cap: 4) } == .tooLarge)
    }

    @Test func moveDeleteAndReadRanges() throws {
        try files.write(WorkspacePath("d/one.txt"), Array("0123456789".utf8), mode: .create)
        try files.write(WorkspacePath("two.txt"), Array("2".utf8), mode: .create)
        #expect(code { try self.files.write(WorkspacePath("two.txt"), [1], mode: .create) } == .exists)
        #expect(code { try self.files.move(WorkspacePath("two.txt"), to: WorkspacePath("d/one.txt")) } == .exists)
        #expect(code { try self.files.move(WorkspacePath("d"), to: WorkspacePath("d/inner")) } == .invalidPath)
        try files.move(WorkspacePath("two.txt"), to: WorkspacePath("e/f/two.txt"))
        #expect(try text("e/f/two.txt") == "2")
        #expect(code { try self.files.delete(WorkspacePath("d"), recursive: false) } == .isDirectory)
        #expect(code { try self.files.delete(WorkspacePath("missing"), recursive: false) } == .notFound)
        #expect(code { try self.files.delete(WorkspacePath("."), recursive: true) } == .invalidPath)
        #expect(code { _ = try self.files.read(WorkspacePath("d"), cap: 100) } == .isDirectory)
        #expect(code { _ = try self.files.read(WorkspacePath("d/one.txt"), cap: 5) } == .tooLarge)
        #expect(code { _ = try self.files.read(WorkspacePath("d/one.txt"), offset: 0, length: 6, cap: 5) } == .tooLarge)
        let range = try files.read(WorkspacePath("d/one.txt"), offset: 3, length: 4, cap: 5)
        #expect(String(decoding: range.bytes, as: UTF8.self) == "3456" && range.size == 10)
        try files.write(WorkspacePath("d/one.txt"), Array("ab".utf8), mode: .append)
        #expect(try text("d/one.txt") == "0123456789ab")
        try files.delete(WorkspacePath("d"), recursive: true)
        #expect(
            try files.list(WorkspacePath("."), recursive: true, limit: 10).entries.map(\.path.relative) == [
                "e", "e/f", "e/f/two.txt",
            ]
        )
        #expect(try files.list(WorkspacePath("."), recursive: true, limit: 2).truncated)
        // A trailing slash names a directory; moving a directory into itself creates nothing.
        #expect(code { try self.files.write(WorkspacePath("e/new/"), [1], mode: .create) } == .invalidPath)
        #expect(code { _ = try self.files.read(WorkspacePath("e/f/two.txt/"), cap: 10) } == .invalidPath)
        #expect(code { try self.files.move(WorkspacePath("e"), to: WorkspacePath("e/x/y")) } == .invalidPath)
        #expect(code { _ = try self.files.entry(WorkspacePath("e/x")) } == .notFound)
    }

    @Test func recursiveDeleteRemovesNamesThatAreNotUTF8() async throws {
        let made = try await run(
            "mkdir -p d/sub; printf x > \"d/$(printf '\\377\\376')\"; printf y > \"d/sub/$(printf '\\300')\"; ls d | wc -l"
        )
        #expect(made.stdout.text == "2\n")
        // Listed (the name shown decoded), and deleted with their directory.
        let listed = try files.list(WorkspacePath("d"), recursive: true, limit: 100).entries
        #expect(listed.count == 3)
        #expect(listed.contains { $0.path.name.contains("\u{FFFD}") && $0.type == .file })
        try files.delete(WorkspacePath("d"), recursive: true)
        #expect(code { _ = try self.files.entry(WorkspacePath("d")) } == .notFound)
    }

    @Test func workspacesPastTheMemoryBudgetAreRefusedWithQuota() throws {
        // Room for two 4 MiB workspaces: a third would overcommit the budget.
        let budgeted = try WorkspaceStore(
            root: supervisor.host.configuration.runtimeDirectory + "/budgeted",
            quota: WorkspaceQuota(bytes: 4 << 20, entries: 64),
            firstIdentity: supervisor.host.configuration.workspaceIdentityBase + 24,
            capacity: 4,
            budget: 9 << 20
        )
        defer { budgeted.removeAll() }
        let first = try budgeted.create()
        _ = try budgeted.create()
        #expect {
            _ = try budgeted.create()
        } throws: { error in
            (error as? SandboxError)?.code == .quota
        }
        budgeted.remove(first)
        _ = try budgeted.create()
    }

    @Test func aWalkPastItsTimeBoundIsCutShortAndSaysSo() throws {
        for index in 0..<8 { try files.write(WorkspacePath("d/f\(index)"), [1], mode: .create) }
        let whole = files.snapshot(limit: 100)
        #expect(whole.complete && whole.entries.count == 9)
        let cut = files.snapshot(limit: 100, time: .zero)
        #expect(!cut.complete)
        #expect(try files.list(WorkspacePath("."), recursive: true, limit: 100, time: .zero).truncated)
        #expect(try !files.list(WorkspacePath("."), recursive: true, limit: 100).truncated)
    }

    @Test func deepTreesAreWalkedPastPathMaxButBounded() async throws {
        let deep = try WorkspaceStore(
            root: supervisor.host.configuration.runtimeDirectory + "/deep",
            quota: WorkspaceQuota(bytes: 64 << 20, entries: 5000),
            firstIdentity: supervisor.host.configuration.workspaceIdentityBase + 20,
            capacity: 1
        )
        let workspace = try deep.create()
        defer { deep.remove(workspace) }
        // 200 levels of 30-byte names: 6,000 bytes, beyond PATH_MAX, within the depth bound.
        let shallow = try await run(
            "import os\nfor _ in range(200): os.mkdir('d' * 30); os.chdir('d' * 30)\nopen('leaf', 'w').write('x')",
            in: workspace,
            language: .python
        )
        #expect(shallow.status == .completed)
        let listed = try workspace.files.list(WorkspacePath("."), recursive: true, limit: 10_000)
        #expect(listed.entries.count == 201 && !listed.truncated)
        #expect(listed.entries.contains { $0.path.name == "leaf" && $0.path.relative.utf8.count > 6000 })
        try workspace.files.delete(WorkspacePath(String(repeating: "d", count: 30)), recursive: true)
        #expect(try workspace.files.list(WorkspacePath("."), recursive: true, limit: 10).entries.isEmpty)
        // 2,000 levels: walks stop at maxWalkDepth and say so, instead of costing depth squared.
        let chain = try await run(
            "import os\nfor _ in range(2000): os.mkdir('d'); os.chdir('d')\nprint('ok')",
            in: workspace,
            language: .python
        )
        #expect(chain.stdout.text == "ok\n")
        let bounded = try workspace.files.list(WorkspacePath("."), recursive: true, limit: 10_000)
        #expect(bounded.truncated && bounded.entries.count == WorkspaceFiles.maxWalkDepth)
    }

    @Test func aSymlinkSwapRaceNeverLeadsOutside() async throws {
        let canary = try canary()
        try files.write(WorkspacePath("real/f"), Array("inside\n".utf8), mode: .create)
        let supervisor = supervisor
        let workspace = workspace
        let finished = Mutex(false)
        let racer = Task {
            defer { finished.withLock { $0 = true } }
            return try await supervisor.execute(
                RunRequest(
                    language: .sh,
                    code: """
                        end=$(( $(date +%s) + 4 ))
                        while [ "$(date +%s)" -lt "$end" ]; do
                          for i in 1 2 3 4 5 6 7 8 9 10; do
                            mv real held; ln -s \(canary) real; rm real; mv held real
                            mv real held; ln -s /proc/self/root\(canary) real; rm real; mv held real
                          done
                        done
                        echo done
                        """,
                    timeout: .seconds(20),
                    workspace: .session(workspace)
                )
            )
        }
        var attempts = 0
        var leaked: [String] = []
        while !finished.withLock({ $0 }), attempts < 200_000 {
            attempts += 1
            for path in ["real/secret", "real/f"] {
                if let bytes = try? files.read(WorkspacePath(path), cap: 1 << 20).bytes,
                    String(decoding: bytes, as: UTF8.self) != "inside\n"
                {
                    leaked.append(path)
                }
            }
            if let listing = try? files.list(WorkspacePath("real"), recursive: true, limit: 100).entries,
                listing.contains(where: { $0.path.relative != "real/f" && $0.path.relative != "real" })
            {
                leaked.append("list: \(listing.map(\.path.relative))")
            }
            if attempts % 50 == 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
        let result = try await racer.value
        #expect(result.stdout.text == "done\n")
        #expect(attempts > 100)
        #expect(leaked.isEmpty, "\(leaked.prefix(5))")
        #expect(readWholeFile(canary + "/secret") == "host secret\n")
    }
}
