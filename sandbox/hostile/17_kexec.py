# hostile: kexec_load / kexec_file_load (replace the running kernel)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: kexec_load -> EPERM
# expect-stdout: SAFE: kexec_file_load
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

# Harmless if it reached the kernel: 0 segments with a foreign arch (KEXEC_ARCH_ARM) -> EINVAL,
# never an unload of a loaded image.
KEXEC_ARCH_ARM = 40 << 16
expect("kexec_load", raw(246, 0, 0, None, KEXEC_ARCH_ARM))
expect("kexec_file_load", raw(320, -1, -1, 0, None, 0), ok=(errno.EPERM, errno.ENOSYS))
