# hostile: io_uring_setup / io_uring_enter / io_uring_register (io_uring bypasses seccomp for its ops)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: io_uring_setup(8) -> ENOSYS
# expect-stdout: SAFE: io_uring_enter(-1) -> ENOSYS
# expect-stdout: SAFE: io_uring_register(-1) -> ENOSYS
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

params = ctypes.create_string_buffer(120)  # struct io_uring_params
res = raw(425, 8, params)
expect("io_uring_setup(8)", res, ok=(errno.ENOSYS,))
if res[0] >= 0:
    os.close(res[0])
expect("io_uring_enter(-1)", raw(426, -1, 0, 0, 0, None, 0), ok=(errno.ENOSYS,))
expect("io_uring_register(-1)", raw(427, -1, 0, None, 0), ok=(errno.ENOSYS,))
