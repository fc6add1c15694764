# hostile: fork bomb (capped at 2000 forks / 4 s); the process limit must stop it with EAGAIN
# language: python
# timeout: 10
# expect-status: completed|failed|timeout|memory_limit
# expect-stdout: SAFE: fork bomb hit the process limit
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import signal
import time

MAX_FORKS = 2000
deadline = time.monotonic() + 4.0
children = []
hit = None
try:
    while len(children) < MAX_FORKS and time.monotonic() < deadline:
        try:
            pid = os.fork()
        except OSError as e:
            hit = e
            break
        if pid == 0:
            try:
                os.execv("/usr/bin/sleep", ["sleep", "5"])  # small, bounded child
            finally:
                os._exit(0)
        children.append(pid)
    if hit is not None:
        say(f"SAFE: fork bomb hit the process limit after {len(children)} children ({ename(hit.errno)})")
        if hit.errno != errno.EAGAIN:
            say(f"NOTE: limit reported {ename(hit.errno)} instead of EAGAIN")
    elif len(children) >= MAX_FORKS:
        say(f"ESCAPE: created {len(children)} processes without hitting a limit")
    else:
        say(f"ESCAPE: forked for 4 s ({len(children)} children) without hitting a limit")
finally:
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
