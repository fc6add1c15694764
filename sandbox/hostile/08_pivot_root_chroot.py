# hostile: pivot_root(2), chroot(2) and the chroot(8) tool
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: pivot_root(/tmp, /tmp/old) -> EPERM
# expect-stdout: SAFE: chroot(/tmp) -> EPERM
# expect-stdout: SAFE: os.chroot
# expect-stdout: SAFE: chroot tool
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

try:
    os.mkdir("/tmp/old")
except FileExistsError:
    pass
expect("pivot_root(/tmp, /tmp/old)", raw(155, b"/tmp", b"/tmp/old"))
expect("pivot_root(., .)", raw(155, b".", b"."))
expect("chroot(/tmp)", raw(161, b"/tmp"))
try:
    os.chroot("/tmp")
    say("ESCAPE: os.chroot(/tmp) succeeded")
except OSError as e:
    say(f"SAFE: os.chroot failed ({ename(e.errno)})")

for tool in ["/usr/sbin/chroot", "/usr/bin/chroot"]:
    if os.path.exists(tool):
        try:
            p = subprocess.run([tool, "/", "/usr/bin/true"], capture_output=True, timeout=3)
            if p.returncode == 0:
                say("ESCAPE: chroot tool succeeded")
            else:
                say(f"SAFE: chroot tool failed (rc={p.returncode})")
        except subprocess.TimeoutExpired:
            say("UNEXPECTED: chroot tool hung")
        break
else:
    say("SAFE: chroot tool not present")
if os.path.exists("/tmp/old/tmp"):
    say("ESCAPE: root appears to have pivoted")
