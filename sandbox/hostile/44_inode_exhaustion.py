# hostile: create empty files in /tmp until the inode limit (capped at 100k files / 8 s)
# language: python
# timeout: 10
# expect-status: completed
# expect-stdout: SAFE: inode limit hit
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import time

CAP = 100_000
d = f"/tmp/warden-inodes-{os.getpid()}"
os.mkdir(d)
deadline = time.monotonic() + 8.0
n = 0
err = None
while n < CAP and time.monotonic() < deadline:
    try:
        os.close(os.open(f"{d}/{n}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as e:
        err = e.errno
        break
    n += 1
if err in (errno.ENOSPC, errno.EDQUOT):
    say(f"SAFE: inode limit hit after {n} files ({ename(err)})")
elif err is None and n >= CAP:
    say(f"ESCAPE: created {n} files in /tmp without hitting an inode limit")
elif err is None:
    say(f"UNEXPECTED: still creating files after 8 s ({n} files)")
else:
    say(f"UNEXPECTED: file creation failed with {ename(err)} after {n} files")
