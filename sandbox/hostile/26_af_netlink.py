# hostile: AF_NETLINK sockets (route, audit, uevent, netfilter ...) incl. a high-bit family value
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) -> EAFNOSUPPORT
# expect-stdout: SAFE: socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE) -> EAFNOSUPPORT
# expect-stdout: SAFE: socket(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT) -> EAFNOSUPPORT
# expect-stdout: SAFE: socket(AF_NETLINK|1<<32, SOCK_RAW, NETLINK_ROUTE) -> EAFNOSUPPORT
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

AF_NETLINK = 16


def sock(what, family, type_, proto):
    res = raw(41, family, type_, proto)
    expect(what, res, ok=(errno.EAFNOSUPPORT,))
    if res[0] >= 0:
        os.close(res[0])


sock("socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)", AF_NETLINK, socket.SOCK_RAW, 0)
sock("socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE)", AF_NETLINK, socket.SOCK_DGRAM, 0)
sock("socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)", AF_NETLINK, socket.SOCK_RAW, 9)
sock("socket(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT)", AF_NETLINK, socket.SOCK_RAW, 15)
sock("socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER)", AF_NETLINK, socket.SOCK_RAW, 12)
sock("socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG)", AF_NETLINK, socket.SOCK_RAW, 4)
# the kernel reads the family as a 32-bit int; a filter comparing 64-bit values must not be fooled
sock("socket(AF_NETLINK|1<<32, SOCK_RAW, NETLINK_ROUTE)", (1 << 32) | AF_NETLINK, socket.SOCK_RAW, 0)
try:
    socket.socket(AF_NETLINK, socket.SOCK_RAW, 0).close()
    say("ESCAPE: Python socket module opened AF_NETLINK")
except OSError as e:
    say(f"SAFE: python socket(AF_NETLINK) -> {ename(e.errno)}")
