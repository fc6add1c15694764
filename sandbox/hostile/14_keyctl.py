# hostile: kernel keyring access with add_key / keyctl / request_key
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: add_key(user, process keyring) -> EPERM
# expect-stdout: SAFE: keyctl(KEYCTL_GET_KEYRING_ID, session) -> EPERM
# expect-stdout: SAFE: keyctl(KEYCTL_JOIN_SESSION_KEYRING) -> EPERM
# expect-stdout: SAFE: request_key(user) -> EPERM
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

KEY_SPEC_PROCESS_KEYRING = -2
KEY_SPEC_SESSION_KEYRING = -3
KEY_SPEC_USER_KEYRING = -4
buf = ctypes.create_string_buffer(4096)

expect("add_key(user, process keyring)",
       raw(248, b"user", b"warden-hostile", b"x", 1, KEY_SPEC_PROCESS_KEYRING))
expect("keyctl(KEYCTL_GET_KEYRING_ID, session)", raw(250, 0, KEY_SPEC_SESSION_KEYRING, 0))
expect("keyctl(KEYCTL_JOIN_SESSION_KEYRING)", raw(250, 1, b"warden-hostile"))
expect("keyctl(KEYCTL_READ, session keyring)", raw(250, 11, KEY_SPEC_SESSION_KEYRING, buf, 4096))
expect("keyctl(KEYCTL_READ, user keyring)", raw(250, 11, KEY_SPEC_USER_KEYRING, buf, 4096))
expect("request_key(user)", raw(249, b"user", b"warden-nonexistent", None, 0))
