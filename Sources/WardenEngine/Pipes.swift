import CWardenShims
import Glibc

/// The four pipes between the server and one launcher: stdin, stdout, stderr and status.
/// The parent ends are close-on-exec and non-blocking; the spawn shim dup2s the child ends.
struct Pipes {
    var childStdin: Int32 = -1
    var childStdout: Int32 = -1
    var childStderr: Int32 = -1
    var childStatus: Int32 = -1
    var stdin: Int32 = -1
    var stdout: Int32 = -1
    var stderr: Int32 = -1
    var status: Int32 = -1

    mutating func open(withStdin: Bool) throws(SandboxError) {
        if withStdin {
            (childStdin, stdin) = try Self.pipe()
        } else {
            childStdin = Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard childStdin >= 0 else { throw SandboxError(.spawnFailed, "cannot open /dev/null", errno: errno) }
        }
        (stdout, childStdout) = try Self.pipe()
        (stderr, childStderr) = try Self.pipe()
        (status, childStatus) = try Self.pipe()
        for fd in [stdin, stdout, stderr, status] where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    private static func pipe() throws(SandboxError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard CWardenShims_pipe2(&fds, O_CLOEXEC) == 0 else {
            throw SandboxError(.spawnFailed, "pipe failed", errno: errno)
        }
        return (fds[0], fds[1])
    }

    mutating func closeChildEnds() {
        for fd in [childStdin, childStdout, childStderr, childStatus] where fd >= 0 { close(fd) }
        (childStdin, childStdout, childStderr, childStatus) = (-1, -1, -1, -1)
    }

    mutating func closeParentEnds() {
        for fd in [stdin, stdout, stderr, status] where fd >= 0 { close(fd) }
        (stdin, stdout, stderr, status) = (-1, -1, -1, -1)
    }
}
