import Glibc

/// The errno names a seccomp policy may use.
enum ErrnoName {
    static func value(of name: String) -> Int32? { table[name] }

    private static let table: [String: Int32] = [
        "EPERM": EPERM, "ENOENT": ENOENT, "EIO": EIO, "EBADF": EBADF, "EAGAIN": EAGAIN, "ENOMEM": ENOMEM,
        "EACCES": EACCES, "EFAULT": EFAULT, "EBUSY": EBUSY, "EEXIST": EEXIST, "EINVAL": EINVAL,
        "ENOSPC": ENOSPC, "ESPIPE": ESPIPE, "EROFS": EROFS, "ENOSYS": ENOSYS, "ENOTSUP": ENOTSUP,
        "EOPNOTSUPP": EOPNOTSUPP, "EAFNOSUPPORT": EAFNOSUPPORT, "EPROTONOSUPPORT": EPROTONOSUPPORT,
        "ENOTTY": ENOTTY, "ENODEV": ENODEV, "ENXIO": ENXIO, "ESRCH": ESRCH,
    ]
}
