# hostile: perf_event_open(2) on self, on pid 1 and system-wide
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: perf_event_open(sw cpu-clock, self) -> EPERM
# expect-stdout: SAFE: perf_event_open(hw cycles, all cpus) -> EPERM
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
import struct


def attr(type_, config):
    a = ctypes.create_string_buffer(128)
    struct.pack_into("<IIQ", a, 0, type_, 128, config)
    struct.pack_into("<Q", a, 40, 1 | (1 << 5) | (1 << 6))  # disabled, exclude_kernel, exclude_hv
    return a


def check(what, res):
    expect(what, res)
    if res[0] >= 0:
        os.close(res[0])


check("perf_event_open(sw cpu-clock, self)", raw(298, attr(1, 0), 0, -1, -1, 0))
check("perf_event_open(sw cpu-clock, pid 1)", raw(298, attr(1, 0), 1, -1, -1, 0))
check("perf_event_open(hw cycles, all cpus)", raw(298, attr(0, 0), -1, 0, -1, 0))
