# hostile: assorted privileged syscalls: swapon/swapoff, acct, quotactl, iopl/ioperm, syslog, vhangup, fanotify, lookup_dcookie
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: swapon -> EPERM
# expect-stdout: SAFE: acct -> EPERM
# expect-stdout: SAFE: quotactl -> EPERM
# expect-stdout: SAFE: syslog(READ_ALL)
# expect-stdout: SAFE: iopl(3)
# expect-stdout: SAFE: ioperm
import ctypes, errno, os, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
MASK = (1 << 64) - 1


def say(msg):
    print(msg, flush=True)


def raw(nr, *args):
    """Raw x86_64 syscall via libc.syscall. Returns (ret, errno)."""
    conv = []
    for a in args:
        if isinstance(a, int):
            conv.append(ctypes.c_ulong(a & MASK))
        elif a is None:
            conv.append(ctypes.c_void_p(None))
        else:
            conv.append(a)
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *conv)
    return r, (ctypes.get_errno() if r == -1 else 0)


def ename(e):
    return errno.errorcode.get(e, str(e))


def expect(what, res, ok=(errno.EPERM,)):
    """SAFE if the call failed with one of `ok`, ESCAPE if it succeeded."""
    r, e = res
    if r != -1:
        say(f"ESCAPE: {what} succeeded (ret={r})")
        return False
    if e in ok:
        say(f"SAFE: {what} -> {ename(e)}")
        return True
    want = "/".join(ename(x) for x in ok)
    say(f"UNEXPECTED: {what} failed with {ename(e)}, wanted {want}")
    return False

# Arguments point at nonexistent paths / harmless values so a broken sandbox cannot do damage.
EITHER = (errno.EPERM, errno.ENOSYS)
expect("swapon", raw(167, b"/workspace/warden-no-such-swapfile", 0))
expect("swapoff", raw(168, b"/workspace/warden-no-such-swapfile"), ok=EITHER)
expect("acct", raw(163, b"/workspace/warden-no-such-dir/acct"))
buf = ctypes.create_string_buffer(256)
Q_GETQUOTA = 0x800007
expect("quotactl", raw(179, Q_GETQUOTA, b"/dev/null", 0, buf))
expect("syslog(READ_ALL)", raw(103, 3, buf, 256), ok=EITHER)
expect("syslog(SIZE_BUFFER)", raw(103, 10, None, 0), ok=EITHER)
expect("iopl(3)", raw(172, 3), ok=EITHER)
expect("ioperm(0x80, 1, on)", raw(173, 0x80, 1, 1), ok=EITHER)
expect("vhangup", raw(153), ok=EITHER)
res = raw(300, 0, 0)  # fanotify_init(FAN_CLASS_NOTIF, O_RDONLY)
expect("fanotify_init", res, ok=EITHER)
if res[0] >= 0:
    os.close(res[0])
expect("lookup_dcookie", raw(212, 0, buf, 256), ok=EITHER)
expect("nfsservctl", raw(180, 0, None, None), ok=EITHER)
expect("uselib(/dev/null)", raw(134, b"/dev/null"), ok=EITHER + (errno.EACCES, errno.ENOEXEC))
