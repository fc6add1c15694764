# hostile: AF_VSOCK sockets (talk to the hypervisor / host over virtio-vsock)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: socket(AF_VSOCK, SOCK_STREAM) -> EAFNOSUPPORT
# expect-stdout: SAFE: socket(AF_VSOCK, SOCK_DGRAM) -> EAFNOSUPPORT
# expect-stdout: SAFE: /dev/vsock
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

AF_VSOCK = 40
for what, type_ in [("SOCK_STREAM", socket.SOCK_STREAM), ("SOCK_DGRAM", socket.SOCK_DGRAM),
                    ("SOCK_SEQPACKET", socket.SOCK_SEQPACKET)]:
    res = raw(41, AF_VSOCK, type_, 0)
    expect(f"socket(AF_VSOCK, {what})", res, ok=(errno.EAFNOSUPPORT,))
    if res[0] >= 0:
        os.close(res[0])
for dev in ("/dev/vsock", "/dev/vhost-vsock"):
    try:
        os.close(os.open(dev, os.O_RDWR))
        say(f"ESCAPE: {dev} opened")
    except OSError as e:
        say(f"SAFE: {dev} not openable ({ename(e.errno)})")
