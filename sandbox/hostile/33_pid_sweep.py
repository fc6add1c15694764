# hostile: probe pids 1..5000 with kill(pid, 0) and list /proc; only the sandbox's own processes may be visible
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: kill(pid, 0) sweep sees
# expect-stdout: SAFE: /proc lists
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

visible = []
for pid in range(1, 5001):
    try:
        os.kill(pid, 0)
        visible.append(pid)
    except ProcessLookupError:
        pass
    except PermissionError:
        visible.append(pid)
if len(visible) < 20:
    say(f"SAFE: kill(pid, 0) sweep sees {len(visible)} pids: {visible}")
else:
    say(f"ESCAPE: kill(pid, 0) sweep sees {len(visible)} pids (host processes?) first: {visible[:20]}")

procs = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
if len(procs) < 20:
    say(f"SAFE: /proc lists {len(procs)} pids: {procs}")
else:
    say(f"ESCAPE: /proc lists {len(procs)} pids (host processes?)")
for pid in procs[:20]:
    try:
        with open(f"/proc/{pid}/comm") as f:
            say(f"INFO: pid {pid} comm={f.read().strip()!r}")
    except OSError as e:
        say(f"INFO: pid {pid} comm unreadable ({ename(e.errno)})")
