import CWardenShims
import Glibc

/// Runs a trusted host command outside the sandbox and returns its stdout; used at start-up
/// only (interpreter discovery), never for user code.
enum HostCommand {
    static func run(
        _ path: String,
        _ arguments: [String],
        environment: [String] = ["PATH=/usr/bin:/bin"]
    )
        -> (status: Int32, output: String)?
    {
        var pipe: [Int32] = [0, 0]
        guard CWardenShims_pipe2(&pipe, O_CLOEXEC) == 0 else { return nil }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer {
            close(pipe[0])
            close(null)
        }
        var pid: pid_t = 0
        let fds: [Int32] = [null, pipe[1], null, null]
        let result = withCStrings([path] + arguments) { argv in
            withCStrings(environment) { envp in CWardenShims_spawn(path, argv, envp, fds, &pid) }
        }
        close(pipe[1])
        guard result == 0 else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while output.count < 1 << 20 {
            let count = read(pipe[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            output += buffer[..<count]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, String(decoding: output, as: UTF8.self))
    }
}

/// Calls `body` with a NULL-terminated C array of the strings, valid only inside the call.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
