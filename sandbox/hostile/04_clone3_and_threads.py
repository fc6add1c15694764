# hostile: clone3() must be ENOSYS (so it cannot bypass clone flag filtering) while Python threads still work
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: clone3(exit_signal=SIGCHLD) -> ENOSYS
# expect-stdout: SAFE: clone3(CLONE_NEWUSER|CLONE_NEWNS) -> ENOSYS
# expect-stdout: SAFE: 4 threads started and joined with correct results
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
import threading


class CloneArgs(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint64) for n in (
        "flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack",
        "stack_size", "tls", "set_tid", "set_tid_size", "cgroup")]


def clone3(flags):
    args = CloneArgs(flags=flags, exit_signal=17)
    r, e = raw(435, ctypes.byref(args), ctypes.sizeof(args))
    if r == 0:
        os._exit(0)  # child of a successful clone3: leave at once
    if r > 0:
        os.waitpid(r, 0)
    return r, e


expect("clone3(exit_signal=SIGCHLD)", clone3(0), ok=(errno.ENOSYS,))
expect("clone3(CLONE_NEWUSER|CLONE_NEWNS)", clone3(0x10000000 | 0x00020000), ok=(errno.ENOSYS,))

# glibc falls back from clone3 to clone on ENOSYS; threads must keep working.
results = [None] * 4


def work(i):
    results[i] = sum(k * k for k in range(50000 * (i + 1)))


threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=5)
expected = [sum(k * k for k in range(50000 * (i + 1))) for i in range(4)]
if results == expected:
    say("SAFE: 4 threads started and joined with correct results")
else:
    say(f"UNEXPECTED: thread results wrong: {results}")
