# hostile: socket families other than AF_UNIX/AF_INET/AF_INET6 (AF_ALG, AF_BLUETOOTH, AF_KEY, AF_XDP, ...)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: socket(AF_ALG) -> EAFNOSUPPORT
# expect-stdout: SAFE: socket(AF_BLUETOOTH) -> EAFNOSUPPORT
# expect-stdout: SAFE: every non-IP family refused with EAFNOSUPPORT
# expect-stdout: OK: AF_UNIX socket allowed
# expect-stdout: OK: AF_INET socket allowed
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

FAMILIES = {
    "AF_ALG": (38, socket.SOCK_SEQPACKET), "AF_BLUETOOTH": (31, socket.SOCK_RAW),
    "AF_AX25": (3, socket.SOCK_DGRAM), "AF_IPX": (4, socket.SOCK_DGRAM),
    "AF_APPLETALK": (5, socket.SOCK_DGRAM), "AF_NETROM": (6, socket.SOCK_SEQPACKET),
    "AF_ATMPVC": (8, socket.SOCK_DGRAM), "AF_X25": (9, socket.SOCK_SEQPACKET),
    "AF_ROSE": (11, socket.SOCK_SEQPACKET), "AF_DECnet": (12, socket.SOCK_SEQPACKET),
    "AF_KEY": (15, socket.SOCK_RAW), "AF_RDS": (21, socket.SOCK_SEQPACKET),
    "AF_PPPOX": (24, socket.SOCK_STREAM), "AF_LLC": (26, socket.SOCK_DGRAM),
    "AF_IB": (27, socket.SOCK_DGRAM), "AF_MPLS": (28, socket.SOCK_DGRAM),
    "AF_CAN": (29, socket.SOCK_RAW), "AF_TIPC": (30, socket.SOCK_RDM),
    "AF_ISDN": (34, socket.SOCK_RAW), "AF_PHONET": (35, socket.SOCK_DGRAM),
    "AF_IEEE802154": (36, socket.SOCK_RAW), "AF_CAIF": (37, socket.SOCK_SEQPACKET),
    "AF_NFC": (39, socket.SOCK_SEQPACKET), "AF_KCM": (41, socket.SOCK_DGRAM),
    "AF_QIPCRTR": (42, socket.SOCK_DGRAM), "AF_SMC": (43, socket.SOCK_STREAM),
    "AF_XDP": (44, socket.SOCK_RAW), "AF_MCTP": (45, socket.SOCK_DGRAM),
}
all_ok = True
for name, (family, type_) in FAMILIES.items():
    res = raw(41, family, type_, 0)
    all_ok &= expect(f"socket({name})", res, ok=(errno.EAFNOSUPPORT,))
    if res[0] >= 0:
        os.close(res[0])
if all_ok:
    say(f"SAFE: every non-IP family refused with EAFNOSUPPORT ({len(FAMILIES)} tried)")

# positive controls
for name, fam in [("AF_UNIX", socket.AF_UNIX), ("AF_INET", socket.AF_INET), ("AF_INET6", socket.AF_INET6)]:
    try:
        socket.socket(fam, socket.SOCK_STREAM).close()
        say(f"OK: {name} socket allowed")
    except OSError as e:
        say(f"{'INFO' if name == 'AF_INET6' else 'UNEXPECTED'}: {name} socket failed ({ename(e.errno)})")
