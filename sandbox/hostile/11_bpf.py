# hostile: bpf(2) map creation and program load
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: bpf(BPF_MAP_CREATE) -> EPERM
# expect-stdout: SAFE: bpf(BPF_PROG_LOAD) -> EPERM
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
import struct

attr = ctypes.create_string_buffer(128)
# BPF_MAP_CREATE: map_type=BPF_MAP_TYPE_ARRAY(2), key_size=4, value_size=8, max_entries=1
struct.pack_into("<IIII", attr, 0, 2, 4, 8, 1)
res = raw(321, 0, attr, 128)
expect("bpf(BPF_MAP_CREATE)", res)
if res[0] >= 0:
    os.close(res[0])

# BPF_PROG_LOAD of "r0 = 0; exit" as a socket filter
insns = ctypes.create_string_buffer(struct.pack("<BBhiBBhi", 0xb7, 0, 0, 0, 0x95, 0, 0, 0), 16)
lic = ctypes.create_string_buffer(b"GPL")
attr = ctypes.create_string_buffer(128)
struct.pack_into("<IIQQ", attr, 0, 1, 2, ctypes.addressof(insns), ctypes.addressof(lic))
res = raw(321, 5, attr, 128)
expect("bpf(BPF_PROG_LOAD)", res)
if res[0] >= 0:
    os.close(res[0])
expect("bpf(BPF_BTF_LOAD, empty)", raw(321, 18, ctypes.create_string_buffer(128), 128))
