# hostile: mount a tmpfs / bind mount with mount(2), umount2(2) and the mount(8) tool
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: mount(tmpfs) -> EPERM
# expect-stdout: SAFE: mount(MS_BIND /tmp) -> EPERM
# expect-stdout: SAFE: mount tool
# expect-stdout: SAFE: target is not a mount point
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
import tempfile

MS_BIND = 4096
target = tempfile.mkdtemp(prefix="warden-mnt-", dir="/tmp")


def check(what, res):
    ok = expect(what, res)
    if res[0] == 0:
        raw(166, target.encode(), 2)  # undo: umount2(target, MNT_DETACH)
    return ok


check("mount(tmpfs)", raw(165, b"none", target.encode(), b"tmpfs", 0, b"size=1m"))
check("mount(MS_BIND /tmp)", raw(165, b"/tmp", target.encode(), None, MS_BIND, None))
# umount2 on a directory that is NOT a mount point: EPERM if blocked, EINVAL would mean it reached the kernel check
expect("umount2(non-mountpoint)", raw(166, target.encode(), 0), ok=(errno.EPERM, errno.ENOSYS))

tool = "/usr/bin/mount"
if os.path.exists(tool):
    try:
        p = subprocess.run([tool, "-t", "tmpfs", "none", target], capture_output=True, text=True, timeout=3)
        if p.returncode == 0:
            say("ESCAPE: mount tool mounted a tmpfs")
            subprocess.run(["/usr/bin/umount", "-l", target], capture_output=True, timeout=3)
        else:
            say(f"SAFE: mount tool failed (rc={p.returncode})")
    except subprocess.TimeoutExpired:
        say("UNEXPECTED: mount tool hung")
else:
    say("SAFE: mount tool not present")

if os.path.ismount(target):
    say("ESCAPE: target became a mount point")
else:
    say("SAFE: target is not a mount point")
os.rmdir(target)
