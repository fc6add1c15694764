# hostile: mknod character/block devices (a /dev/mem or disk clone) in writable places
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: mknod char 1:1 (mem) in /workspace -> refused
# expect-stdout: SAFE: mknod char 1:1 (mem) in /tmp -> refused
# expect-stdout: SAFE: mknod block 8:0 (sda) in /tmp -> refused
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import stat

tag = f"warden-node-{os.getpid()}"
for d in ["/workspace", "/tmp", "/dev/shm"]:
    for what, mode, dev in [("char 1:1 (mem)", stat.S_IFCHR, os.makedev(1, 1)),
                            ("char 1:3 (null)", stat.S_IFCHR, os.makedev(1, 3)),
                            ("block 8:0 (sda)", stat.S_IFBLK, os.makedev(8, 0))]:
        path = os.path.join(d, tag)
        try:
            os.mknod(path, mode | 0o666, dev)
        except OSError as e:
            # EPERM: no CAP_MKNOD; EACCES: Landlock refuses device nodes even before that.
            if e.errno in (errno.EPERM, errno.EACCES):
                say(f"SAFE: mknod {what} in {d} -> refused")
            else:
                say(f"UNEXPECTED: mknod {what} in {d} -> {ename(e.errno)}")
        else:
            say(f"ESCAPE: mknod {what} in {d} succeeded")
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
                os.close(fd)
                say(f"ESCAPE: the new {what} node could be opened")
            except OSError as e:
                say(f"INFO: the new node is not openable ({ename(e.errno)}, nodev mount?)")
            os.unlink(path)
