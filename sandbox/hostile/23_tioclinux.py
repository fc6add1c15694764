# hostile: TIOCLINUX (virtual console selection/paste) on fds 0/1/2, also with high bits set
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: ioctl(0, TIOCLINUX) -> EPERM
# expect-stdout: SAFE: ioctl(1, TIOCLINUX) -> EPERM
# expect-stdout: SAFE: ioctl(2, TIOCLINUX) -> EPERM
# expect-stdout: SAFE: ioctl(1, TIOCLINUX|1<<32) -> EPERM
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

TIOCLINUX = 0x541C
sub = ctypes.c_char(b"\x06")  # TIOCL_GETSHIFTSTATE: a read-only subcode
for fd in (0, 1, 2):
    expect(f"ioctl({fd}, TIOCLINUX)", raw(16, fd, TIOCLINUX, ctypes.byref(sub)))
expect("ioctl(1, TIOCLINUX|1<<32)", raw(16, 1, (1 << 32) | TIOCLINUX, ctypes.byref(sub)))
