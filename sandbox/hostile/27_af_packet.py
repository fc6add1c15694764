# hostile: AF_PACKET raw link-layer sockets (and the obsolete SOCK_PACKET)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: socket(AF_PACKET, SOCK_RAW, ETH_P_ALL) -> EAFNOSUPPORT
# expect-stdout: SAFE: socket(AF_PACKET, SOCK_DGRAM, ETH_P_ALL) -> EAFNOSUPPORT
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
import socket

AF_PACKET = 17
ETH_P_ALL = socket.htons(3)
for what, family, type_ in [
    ("socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)", AF_PACKET, socket.SOCK_RAW),
    ("socket(AF_PACKET, SOCK_DGRAM, ETH_P_ALL)", AF_PACKET, socket.SOCK_DGRAM),
    ("socket(AF_INET, SOCK_PACKET, ETH_P_ALL)", socket.AF_INET, 10),
]:
    res = raw(41, family, type_, ETH_P_ALL)
    ok = (errno.EAFNOSUPPORT,) if family == AF_PACKET else (errno.EPERM, errno.EINVAL, errno.ESOCKTNOSUPPORT)
    expect(what, res, ok=ok)
    if res[0] >= 0:
        os.close(res[0])
