# hostile: TIOCSTI terminal input injection on fds 0/1/2, /dev/tty and a fresh pty
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: ioctl(0, TIOCSTI) -> EPERM
# expect-stdout: SAFE: ioctl(1, TIOCSTI) -> EPERM
# expect-stdout: SAFE: ioctl(2, TIOCSTI) -> EPERM
# expect-stdout: SAFE: /dev/tty
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

TIOCSTI = 0x5412
ch = ctypes.c_char(b"#")  # a comment character: harmless even if it were injected

for fd in (0, 1, 2):
    expect(f"ioctl({fd}, TIOCSTI)", raw(16, fd, TIOCSTI, ctypes.byref(ch)))

try:
    tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
except OSError as e:
    say(f"SAFE: /dev/tty not openable ({ename(e.errno)})")
else:
    expect("/dev/tty opened; ioctl(/dev/tty, TIOCSTI)", raw(16, tty, TIOCSTI, ctypes.byref(ch)))
    os.close(tty)

# If a pty can be allocated, TIOCSTI on it must be refused by the filter too.
try:
    master = os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY)
except OSError as e:
    say(f"INFO: /dev/ptmx not openable ({ename(e.errno)})")
else:
    expect("ioctl(ptmx, TIOCSTI)", raw(16, master, TIOCSTI, ctypes.byref(ch)))
    os.close(master)
