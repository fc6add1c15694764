# hostile: create a nested user namespace with unshare(CLONE_NEWUSER) and the unshare(1) tool
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: unshare(CLONE_NEWUSER) -> EPERM
# expect-stdout: SAFE: unshare(CLONE_NEWUSER|CLONE_NEWNS) -> EPERM
# expect-stdout: SAFE: unshare -r tool
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
import subprocess

CLONE_NEWUSER = 0x10000000
CLONE_NEWNS = 0x00020000

before = os.readlink("/proc/self/ns/user")
expect("unshare(CLONE_NEWUSER)", raw(272, CLONE_NEWUSER))
expect("unshare(CLONE_NEWUSER|CLONE_NEWNS)", raw(272, CLONE_NEWUSER | CLONE_NEWNS))
after = os.readlink("/proc/self/ns/user")
if before != after:
    say(f"ESCAPE: user namespace changed from {before} to {after}")

tool = "/usr/bin/unshare"
if os.path.exists(tool):
    try:
        p = subprocess.run([tool, "-r", "/usr/bin/id", "-u"], capture_output=True, text=True, timeout=3)
        if p.returncode == 0:
            say(f"ESCAPE: unshare -r tool succeeded (id -u = {p.stdout.strip()!r})")
        else:
            say(f"SAFE: unshare -r tool failed (rc={p.returncode}: {p.stderr.strip()[:120]})")
    except subprocess.TimeoutExpired:
        say("UNEXPECTED: unshare -r tool hung")
else:
    say("SAFE: unshare -r tool not present")
