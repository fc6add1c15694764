# hostile: TIOCSTI with the high 32 bits set (0x100005412) to slip past a 64-bit seccomp compare
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: ioctl(0, 0x100005412) -> EPERM
# expect-stdout: SAFE: ioctl(1, 0x100005412) -> EPERM
# expect-stdout: SAFE: ioctl(2, 0x100005412) -> EPERM
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

ch = ctypes.c_char(b"#")
for cmd in (0x100005412, 0xffffffff00005412):
    for fd in (0, 1, 2):
        # the kernel truncates cmd to 32 bits, so this is TIOCSTI unless the filter catches it
        expect(f"ioctl({fd}, {cmd:#x})", raw(16, fd, ctypes.c_ulong(cmd), ctypes.byref(ch)))
