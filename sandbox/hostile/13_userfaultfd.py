# hostile: userfaultfd(2) (classic kernel race primitive) and /dev/userfaultfd
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: userfaultfd(O_CLOEXEC|O_NONBLOCK) -> EPERM
# expect-stdout: SAFE: userfaultfd(UFFD_USER_MODE_ONLY) -> EPERM
# expect-stdout: SAFE: /dev/userfaultfd
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


def check(what, res):
    expect(what, res)
    if res[0] >= 0:
        os.close(res[0])


check("userfaultfd(O_CLOEXEC|O_NONBLOCK)", raw(323, os.O_CLOEXEC | os.O_NONBLOCK))
check("userfaultfd(UFFD_USER_MODE_ONLY)", raw(323, os.O_CLOEXEC | 1))
try:
    fd = os.open("/dev/userfaultfd", os.O_RDWR)
    os.close(fd)
    say("ESCAPE: /dev/userfaultfd opened")
except OSError as e:
    say(f"SAFE: /dev/userfaultfd not openable ({ename(e.errno)})")
