import Glibc
import Synchronization

/// An exclusive `flock` on a file, held until ``release()`` or the process's exit. It marks a
/// runtime directory as in use, which a pid cannot do across PID namespaces sharing /tmp.
package final class FileLock: Sendable {
    private let fd: Mutex<Int32>

    private init(fd: Int32) {
        self.fd = Mutex(fd)
    }

    /// Creates (if needed) and locks `path`; `nil` when another process holds it.
    static func acquire(_ path: String) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return FileLock(fd: fd)
    }

    /// Whether a live process holds the lock on an existing `path`.
    static func isHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    deinit {
        release()
    }

    package func release() {
        fd.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }
}
