# hostile: unshare() mount, network, pid, ipc, uts, cgroup and time namespaces
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: unshare(CLONE_NEWNS) -> EPERM
# expect-stdout: SAFE: unshare(CLONE_NEWNET) -> EPERM
# expect-stdout: SAFE: unshare(CLONE_NEWPID) -> EPERM
# expect-stdout: SAFE: unshare(CLONE_NEWIPC) -> EPERM
# expect-stdout: SAFE: unshare(CLONE_NEWUTS) -> EPERM
# expect-stdout: SAFE: unshare(CLONE_NEWCGROUP) -> EPERM
# expect-stdout: SAFE: unshare(CLONE_NEWTIME) -> EPERM
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

FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWNET": 0x40000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWTIME": 0x00000080,
}
NS_FILES = ["mnt", "net", "pid", "ipc", "uts", "cgroup", "time", "user"]


def ns_ids():
    out = {}
    for n in NS_FILES:
        try:
            out[n] = os.readlink(f"/proc/self/ns/{n}")
        except OSError as e:
            out[n] = f"<{ename(e.errno)}>"
    return out


before = ns_ids()
for name, flag in FLAGS.items():
    expect(f"unshare({name})", raw(272, flag))
expect("unshare(all namespace flags)", raw(272, sum(FLAGS.values()) | 0x10000000))
after = ns_ids()
for n in NS_FILES:
    if before[n] != after[n]:
        say(f"ESCAPE: namespace {n} changed: {before[n]} -> {after[n]}")
