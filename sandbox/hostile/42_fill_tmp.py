# hostile: fill /tmp with one huge file and then with many 1 MiB files (capped at 500 MiB total)
# language: python
# timeout: 10
# expect-status: completed
# expect-stdout: SAFE: single file in /tmp stopped
# expect-stdout: SAFE: many files in /tmp stopped
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import shutil

ROOT = "/tmp"
CAP = 500 << 20
CHUNK = b"x" * (1 << 20)
LIMIT_ERRNOS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
total = 0


def write_file(path, max_bytes):
    global total
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while written < max_bytes and total < CAP:
            n = os.write(fd, CHUNK[: max_bytes - written])
            written += n
            total += n
    except OSError as e:
        return written, e.errno
    finally:
        os.close(fd)
    return written, None


# Phase 1: one file (RLIMIT_FSIZE -> EFBIG, or tmpfs size -> ENOSPC)
path = os.path.join(ROOT, f"warden-fill-{os.getpid()}.bin")
written, err = write_file(path, CAP)
if err in LIMIT_ERRNOS:
    say(f"SAFE: single file in /tmp stopped at {written >> 20} MiB ({ename(err)})")
elif err is None:
    say(f"ESCAPE: wrote {written >> 20} MiB into one /tmp file without hitting a limit")
else:
    say(f"UNEXPECTED: single /tmp file failed with {ename(err)} after {written >> 20} MiB")
os.unlink(path)

# Phase 2: many 1 MiB files (only the tmpfs size / inode limit can stop this)
total = 0
d = os.path.join(ROOT, f"warden-fill-dir-{os.getpid()}")
os.mkdir(d)
err = None
i = 0
while total < CAP:
    try:
        _, err = write_file(os.path.join(d, f"f{i}"), 1 << 20)
    except OSError as e:
        err = e.errno
    if err is not None:
        break
    i += 1
if err in LIMIT_ERRNOS:
    say(f"SAFE: many files in /tmp stopped at {total >> 20} MiB / {i} files ({ename(err)})")
elif err is None:
    say(f"ESCAPE: wrote {total >> 20} MiB into /tmp without hitting a limit")
else:
    say(f"UNEXPECTED: /tmp fill failed with {ename(err)} after {total >> 20} MiB")
shutil.rmtree(d, ignore_errors=True)
