# hostile: setns() into namespaces via /proc/self/ns/*, /proc/1/ns/* and a pidfd; nsenter(1)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: setns(/proc/self/ns/user) -> EPERM
# expect-stdout: SAFE: setns(/proc/self/ns/mnt) -> EPERM
# expect-stdout: SAFE: setns(/proc/self/ns/net) -> EPERM
# expect-stdout: SAFE: setns(/proc/self/ns/pid) -> EPERM
# expect-stdout: SAFE: nsenter tool
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

for ns in ["user", "mnt", "net", "pid", "ipc", "uts", "cgroup", "time"]:
    for base in ["/proc/self/ns", "/proc/1/ns"]:
        path = f"{base}/{ns}"
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as e:
            say(f"SAFE: setns({path}) -> cannot open ({ename(e.errno)})")
            continue
        try:
            expect(f"setns({path})", raw(308, fd, 0))
        finally:
            os.close(fd)

# pidfd-based setns (kernel >= 5.8) on the sandbox init
r, e = raw(434, 1, 0)  # pidfd_open(1, 0)
if r >= 0:
    expect("setns(pidfd of pid 1, CLONE_NEWNS|CLONE_NEWNET)", raw(308, r, 0x00020000 | 0x40000000))
    os.close(r)
else:
    say(f"SAFE: pidfd_open(1) -> {ename(e)}")

tool = "/usr/bin/nsenter"
if os.path.exists(tool):
    try:
        p = subprocess.run([tool, "-t", "1", "-m", "-n", "-U", "/usr/bin/id", "-u"],
                           capture_output=True, text=True, timeout=3)
        if p.returncode == 0:
            say(f"ESCAPE: nsenter tool succeeded ({p.stdout.strip()!r})")
        else:
            say(f"SAFE: nsenter tool failed (rc={p.returncode})")
    except subprocess.TimeoutExpired:
        say("UNEXPECTED: nsenter tool hung")
else:
    say("SAFE: nsenter tool not present")
