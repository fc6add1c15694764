# hostile: name_to_handle_at / open_by_handle_at ("shocker" style host filesystem access)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: name_to_handle_at(/tmp) -> EPERM
# expect-stdout: SAFE: open_by_handle_at(forged root inode) -> EPERM
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

AT_FDCWD = -100
handle = ctypes.create_string_buffer(8 + 128)
struct.pack_into("<Ii", handle, 0, 128, 0)
mount_id = ctypes.c_int(0)
expect("name_to_handle_at(/tmp)", raw(303, AT_FDCWD, b"/tmp", handle, ctypes.byref(mount_id), 0))
expect("name_to_handle_at(/etc/passwd)", raw(303, AT_FDCWD, b"/etc/passwd", handle, ctypes.byref(mount_id), 0))

# forged FILEID_INO32_GEN handle for inode 2 (the root of most ext4 filesystems)
forged = ctypes.create_string_buffer(8 + 8)
struct.pack_into("<IiII", forged, 0, 8, 1, 2, 0)
mfd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
res = raw(304, mfd, forged, os.O_RDONLY)
expect("open_by_handle_at(forged root inode)", res)
if res[0] >= 0:
    try:
        say(f"ESCAPE: opened foreign inode, entries: {os.listdir(res[0])[:10]}")
    finally:
        os.close(res[0])
os.close(mfd)
