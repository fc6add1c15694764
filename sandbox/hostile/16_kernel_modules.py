# hostile: load/unload kernel modules with init_module / finit_module / delete_module
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: init_module(garbage) -> EPERM
# expect-stdout: SAFE: finit_module(/dev/null) -> EPERM
# expect-stdout: SAFE: delete_module(warden_nonexistent) -> EPERM
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

# Arguments are harmless even if they reached the kernel: a garbage image, /dev/null and a bogus name.
image = ctypes.create_string_buffer(b"\x7fELF-not-a-module", 64)
expect("init_module(garbage)", raw(175, image, 64, b""))
fd = os.open("/dev/null", os.O_RDONLY)
expect("finit_module(/dev/null)", raw(313, fd, b"", 0))
os.close(fd)
expect("delete_module(warden_nonexistent)", raw(176, b"warden_nonexistent", os.O_NONBLOCK))
