# hostile: new mount API fsopen/fsconfig/fsmount/open_tree/move_mount/fspick/mount_setattr
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: fsopen(tmpfs) -> EPERM
# expect-stdout: SAFE: fsmount(-1) -> EPERM
# expect-stdout: SAFE: open_tree(/tmp, OPEN_TREE_CLONE) -> EPERM
# expect-stdout: SAFE: open_tree(/, O_PATH-like) -> EPERM
# expect-stdout: SAFE: move_mount -> EPERM
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
import tempfile

AT_FDCWD = -100
OPEN_TREE_CLONE = 1
AT_RECURSIVE = 0x8000
MOVE_MOUNT_F_EMPTY_PATH = 0x4
target = tempfile.mkdtemp(prefix="warden-nm-", dir="/tmp")


def closing(res):
    if res[0] >= 0:
        os.close(res[0])
    return res


expect("fsopen(tmpfs)", closing(raw(430, b"tmpfs", 0)))
expect("fsmount(-1)", closing(raw(432, -1, 0, 0)))
expect("open_tree(/tmp, OPEN_TREE_CLONE)", closing(raw(428, AT_FDCWD, b"/tmp", OPEN_TREE_CLONE | AT_RECURSIVE)))
expect("open_tree(/, O_PATH-like)", closing(raw(428, AT_FDCWD, b"/", 0)))
expect("move_mount", raw(429, -1, b"", AT_FDCWD, target.encode(), MOVE_MOUNT_F_EMPTY_PATH))
# Not named explicitly in the policy: any failure other than success is acceptable.
expect("fsconfig(-1)", raw(431, -1, 0, None, None, 0), ok=(errno.EPERM, errno.ENOSYS))
expect("fspick(/)", closing(raw(433, AT_FDCWD, b"/", 0)), ok=(errno.EPERM, errno.ENOSYS))
expect("mount_setattr(/)", raw(442, AT_FDCWD, b"/", 0, None, 0), ok=(errno.EPERM, errno.ENOSYS))
expect("open_tree_attr(/tmp)", closing(raw(467, AT_FDCWD, b"/tmp", OPEN_TREE_CLONE, None, 0)), ok=(errno.EPERM, errno.ENOSYS))
if os.path.ismount(target):
    say("ESCAPE: target became a mount point")
os.rmdir(target)
