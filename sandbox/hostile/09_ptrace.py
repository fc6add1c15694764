# hostile: ptrace(PTRACE_TRACEME) and PTRACE_ATTACH / PTRACE_SEIZE / PEEKDATA on a child and on pid 1
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: ptrace(PTRACE_TRACEME) -> EPERM
# expect-stdout: SAFE: ptrace(PTRACE_ATTACH, child) -> EPERM
# expect-stdout: SAFE: ptrace(PTRACE_SEIZE, child) -> EPERM
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
import signal
import time

PTRACE_TRACEME, PTRACE_PEEKDATA, PTRACE_ATTACH, PTRACE_SEIZE = 0, 2, 16, 0x4206

# TRACEME in a throwaway child so a success cannot leave the main process traced.
pid = os.fork()
if pid == 0:
    try:
        expect("ptrace(PTRACE_TRACEME)", raw(101, PTRACE_TRACEME, 0, 0, 0))
    finally:
        os._exit(0)
os.waitpid(pid, 0)

victim = os.fork()
if victim == 0:
    time.sleep(5)
    os._exit(0)
try:
    time.sleep(0.1)
    expect("ptrace(PTRACE_ATTACH, child)", raw(101, PTRACE_ATTACH, victim, 0, 0))
    expect("ptrace(PTRACE_SEIZE, child)", raw(101, PTRACE_SEIZE, victim, 0, 0))
    expect("ptrace(PTRACE_PEEKDATA, child)", raw(101, PTRACE_PEEKDATA, victim, id(victim), 0),
           ok=(errno.EPERM, errno.ESRCH))
    expect("ptrace(PTRACE_ATTACH, pid 1)", raw(101, PTRACE_ATTACH, 1, 0, 0))
finally:
    os.kill(victim, signal.SIGKILL)
    os.waitpid(victim, 0)
