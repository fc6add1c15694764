# hostile: x32 ABI syscall (nr | 0x40000000, getpid) -> must be killed with SIGSYS
# language: python
# timeout: 5
# expect-status: failed
# expect-signal: 31
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
import mmap

# mov eax, 0x40000027 (x32 getpid) ; syscall ; ret
CODE = bytes([0xB8, 0x27, 0x00, 0x00, 0x40, 0x0F, 0x05, 0xC3])

mem = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
mem.write(CODE)
addr = ctypes.addressof(ctypes.c_char.from_buffer(mem))
func = ctypes.CFUNCTYPE(ctypes.c_long)(addr)
say("calling x32 getpid via syscall ...")
ret = func()
if ret == os.getpid():
    say(f"ESCAPE: x32 ABI syscall executed (getpid = {ret})")
else:
    say(f"NOT-KILLED: x32 ABI syscall returned {ret} instead of killing the process")
