# hostile: settimeofday / clock_settime / sethostname / setdomainname (host-wide state)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: settimeofday(now) -> EPERM
# expect-stdout: SAFE: clock_settime(CLOCK_REALTIME, now) -> EPERM
# expect-stdout: SAFE: sethostname(current name) -> EPERM
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
import time


class Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


# Safe by design: the clock is set to "now" and the host name to its current value, so even a
# broken sandbox changes nothing.
now = time.time()
tv = Timeval(int(now), int((now % 1) * 1e6))
expect("settimeofday(now)", raw(164, ctypes.byref(tv), None))
now = time.time()
ts = Timespec(int(now), int((now % 1) * 1e9))
expect("clock_settime(CLOCK_REALTIME, now)", raw(227, 0, ctypes.byref(ts)))
name = os.uname().nodename.encode()
expect("sethostname(current name)", raw(170, name, len(name)))
try:
    with open("/proc/sys/kernel/domainname", "rb") as f:
        dom = f.read().strip()
except OSError:
    dom = b"(none)"
expect("setdomainname(current name)", raw(171, dom, len(dom)), ok=(errno.EPERM, errno.ENOSYS))
