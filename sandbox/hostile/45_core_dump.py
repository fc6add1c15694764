# hostile: core dumps: RLIMIT_CORE must be (0, 0) and unraisable; abort() must leave no core file
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: RLIMIT_CORE is (0, 0)
# expect-stdout: SAFE: raising RLIMIT_CORE failed
# expect-stdout: SAFE: aborted child did not dump core
# expect-stdout: SAFE: no core file
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import glob
import resource
import signal

lim = resource.getrlimit(resource.RLIMIT_CORE)
if lim == (0, 0):
    say("SAFE: RLIMIT_CORE is (0, 0)")
else:
    say(f"ESCAPE: RLIMIT_CORE is {lim}")

raised = False
for new in [(resource.RLIM_INFINITY, resource.RLIM_INFINITY), (1 << 20, 1 << 20), (0, 1 << 20)]:
    try:
        resource.setrlimit(resource.RLIMIT_CORE, new)
        raised = True
        say(f"ESCAPE: setrlimit(RLIMIT_CORE, {new}) succeeded")
    except (ValueError, OSError):
        pass
try:
    resource.prlimit(0, resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    raised = True
    say("ESCAPE: prlimit(RLIMIT_CORE, unlimited) succeeded")
except (ValueError, OSError):
    pass
if not raised:
    say("SAFE: raising RLIMIT_CORE failed")

try:
    with open("/proc/sys/kernel/core_pattern") as f:
        say(f"INFO: core_pattern = {f.read().strip()!r}")
except OSError as e:
    say(f"INFO: core_pattern unreadable ({ename(e.errno)})")

os.chdir("/workspace" if os.path.isdir("/workspace") else "/tmp")
before = set(glob.glob("core*")) | set(glob.glob("/tmp/core*"))
pid = os.fork()
if pid == 0:
    os.abort()
_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
    if os.WCOREDUMP(status):
        say("ESCAPE: aborted child dumped core")
    else:
        say("SAFE: aborted child did not dump core")
else:
    say(f"UNEXPECTED: child status {status:#x}")
after = set(glob.glob("core*")) | set(glob.glob("/tmp/core*"))
if after - before:
    say(f"ESCAPE: core file(s) appeared: {sorted(after - before)}")
else:
    say("SAFE: no core file in the working directory or /tmp")
