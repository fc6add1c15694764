# hostile: open /dev/null until the fd limit (capped at 100k); RLIMIT_NOFILE must stop it early and not be raisable
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: fd exhaustion stopped by EMFILE
# expect-stdout: SAFE: RLIMIT_NOFILE hard limit cannot be raised
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import resource

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
say(f"INFO: RLIMIT_NOFILE = ({soft}, {hard})")
fds = []
err = None
try:
    while len(fds) < 100_000:
        fds.append(os.open("/dev/null", os.O_RDONLY))
except OSError as e:
    err = e.errno
finally:
    for fd in fds:
        os.close(fd)
if err == errno.EMFILE and len(fds) <= 4096:
    say(f"SAFE: fd exhaustion stopped by EMFILE after {len(fds)} fds")
elif err is None:
    say(f"ESCAPE: opened {len(fds)} fds without hitting a limit")
else:
    say(f"UNEXPECTED: stopped after {len(fds)} fds with {ename(err) if err else None}")
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard * 4 if hard != resource.RLIM_INFINITY else 1 << 20,) * 2)
    say(f"ESCAPE: raised RLIMIT_NOFILE to {resource.getrlimit(resource.RLIMIT_NOFILE)}")
except (ValueError, OSError) as e:
    say(f"SAFE: RLIMIT_NOFILE hard limit cannot be raised ({e})")
