# hostile: process_vm_readv / process_vm_writev on a forked child
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: process_vm_readv(child) -> EPERM
# expect-stdout: SAFE: process_vm_writev(child) -> EPERM
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
import signal
import time


class IOVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


remote = ctypes.create_string_buffer(b"child-secret-data", 64)  # same address in the forked child
child = os.fork()
if child == 0:
    time.sleep(5)
    os._exit(0)
try:
    local = ctypes.create_string_buffer(64)
    liov = IOVec(ctypes.cast(local, ctypes.c_void_p), 64)
    riov = IOVec(ctypes.cast(remote, ctypes.c_void_p), 64)
    res = raw(310, child, ctypes.byref(liov), 1, ctypes.byref(riov), 1, 0)
    expect("process_vm_readv(child)", res)
    if res[0] > 0:
        say(f"ESCAPE: read {res[0]} bytes from the child: {local.value!r}")
    payload = ctypes.create_string_buffer(b"overwritten!!", 64)
    wiov = IOVec(ctypes.cast(payload, ctypes.c_void_p), 13)
    expect("process_vm_writev(child)", raw(311, child, ctypes.byref(wiov), 1, ctypes.byref(riov), 1, 0))
    expect("process_vm_readv(pid 1)", raw(310, 1, ctypes.byref(liov), 1, ctypes.byref(riov), 1, 0),
           ok=(errno.EPERM,))
finally:
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
