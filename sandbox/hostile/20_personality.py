# hostile: personality(READ_IMPLIES_EXEC), personality(ADDR_NO_RANDOMIZE) and other personas; the query and PER_LINUX pass
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: personality(READ_IMPLIES_EXEC) -> EPERM
# expect-stdout: SAFE: personality(ADDR_NO_RANDOMIZE) -> EPERM
# expect-stdout: SAFE: personality(PER_LINUX32) -> EPERM
# expect-stdout: SAFE: personality(0xfffffffe) -> EPERM
# expect-stdout: ALLOWED: personality query -> 0x0
# expect-stdout: ALLOWED: personality(PER_LINUX)
# expect-stdout: ALLOWED: personality query with upper bits
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

READ_IMPLIES_EXEC = 0x0400000
ADDR_NO_RANDOMIZE = 0x0040000
expect("personality(READ_IMPLIES_EXEC)", raw(135, READ_IMPLIES_EXEC))
expect("personality(ADDR_NO_RANDOMIZE)", raw(135, ADDR_NO_RANDOMIZE))
expect("personality(READ_IMPLIES_EXEC|ADDR_NO_RANDOMIZE)", raw(135, READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE))
expect("personality(PER_LINUX32)", raw(135, 0x0008))
expect("personality(0xfffffffe)", raw(135, 0xfffffffe))
# Allowed: the query and PER_LINUX, which change nothing.
r, e = raw(135, 0xffffffff)
say(f"ALLOWED: personality query -> {r:#x}" if r == 0 else f"UNEXPECTED: personality query -> ret={r} errno={ename(e)}")
r, e = raw(135, 0)
say("ALLOWED: personality(PER_LINUX)" if r == 0 else f"UNEXPECTED: personality(PER_LINUX) -> ret={r} errno={ename(e)}")
r, e = raw(135, (1 << 32) | 0xffffffff)  # the kernel reads the low half: still the query
say("ALLOWED: personality query with upper bits" if r == 0 else f"UNEXPECTED: upper bits -> ret={r} errno={ename(e)}")
r, e = raw(135, (1 << 32) | READ_IMPLIES_EXEC)  # garbage above a refused persona changes nothing
if r != -1:
    say(f"ESCAPE: personality(READ_IMPLIES_EXEC) with upper bits succeeded (ret={r})")
