# hostile: kill(-1, SIGKILL) from the main process and then from a forked child; must only hit sandbox processes
# language: python
# timeout: 5
# expect-status: completed|failed
# expect-stdout: SAFE: main survived its own kill(-1, SIGKILL)
# expect-stdout: SAFE: kill(-1) killed only the sandbox's own helpers
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import signal
import time

# Safety guard: only ever send kill(-1) from inside an isolated PID namespace as a non-root user.
visible = [p for p in os.listdir("/proc") if p.isdigit()]
if os.getuid() == 0 or os.geteuid() == 0 or len(visible) > 20 or os.getpid() > 1000:
    say(f"ESCAPE: not isolated (uid={os.getuid()}, pid={os.getpid()}, {len(visible)} pids visible); refusing to send kill(-1)")
    sys.exit(1)

# Phase 1: the main process sends kill(-1). The kernel spares the caller and the namespace init.
helpers = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        time.sleep(10)
        os._exit(0)
    helpers.append(pid)
time.sleep(0.1)
os.kill(-1, signal.SIGKILL)
say("SAFE: main survived its own kill(-1, SIGKILL)")
killed = 0
for pid in helpers:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        killed += 1
try:
    os.kill(1, 0)
    init_alive = True
except ProcessLookupError:
    init_alive = False
except PermissionError:
    init_alive = True
if killed == len(helpers) and init_alive:
    say("SAFE: kill(-1) killed only the sandbox's own helpers (sandbox init untouched)")
else:
    say(f"UNEXPECTED: helpers killed={killed}/{len(helpers)}, init alive={init_alive}")

# Phase 2: a forked child sends kill(-1). This kills the main process (it is not init), which
# ends the run with SIGKILL -> status failed. The runner checks the host for damage.
child = os.fork()
if child == 0:
    time.sleep(0.05)
    os.kill(-1, signal.SIGKILL)
    say("INFO: child survived its own kill(-1); main process should be gone")
    os._exit(0)
os.waitpid(child, 0)
say("INFO: main process survived the child's kill(-1)")
