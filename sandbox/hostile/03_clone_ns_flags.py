# hostile: raw clone() with CLONE_NEWUSER / CLONE_NEWNS / other CLONE_NEW* flags
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: clone(CLONE_NEWUSER) -> EPERM
# expect-stdout: SAFE: clone(CLONE_NEWNS) -> EPERM
# expect-stdout: SAFE: clone(CLONE_NEWUSER|CLONE_NEWNS) -> EPERM
# expect-stdout: SAFE: clone(CLONE_NEWPID) -> EPERM
# expect-stdout: SAFE: clone(CLONE_NEWNET) -> EPERM
# expect-stdout: OK: plain clone(SIGCHLD) works
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
SIGCHLD = 17
FLAGS = {
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWUSER|CLONE_NEWNS": 0x10000000 | 0x00020000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWCGROUP": 0x02000000,
}


def do_clone(flags):
    # clone(flags, newsp=0, parent_tid=0, child_tid=0, tls=0): fork-like, child shares nothing
    r, e = raw(56, flags | SIGCHLD, 0, 0, 0, 0)
    if r == 0:
        os._exit(0)  # child: leave immediately
    if r > 0:
        os.waitpid(r, 0)
    return r, e


for name, flag in FLAGS.items():
    expect(f"clone({name})", do_clone(flag))

# Positive control: the filter must not simply block every clone.
r, e = do_clone(0)
if r > 0:
    say("OK: plain clone(SIGCHLD) works")
else:
    say(f"UNEXPECTED: plain clone(SIGCHLD) failed with {ename(e)}")
