# hostile: double-fork + setsid daemon (keeps stdout/stderr open) that tries to outlive the run for 30 s
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: main process exits immediately; daemon must die with the namespace
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import signal

# The daemon re-execs Python with a recognizable argv marker so the runner can look for
# "warden-hostile-daemon" in the host's /proc/*/cmdline after the run. It appends a line every
# 100 ms to /tmp/warden-daemon-marker and /workspace/warden-daemon-marker.txt for at most 30 s.
DAEMON = r'''
import os, signal, time
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(s, signal.SIG_IGN)
end = time.monotonic() + 30
n = 0
while time.monotonic() < end:
    n += 1
    for p in ("/tmp/warden-daemon-marker", "/workspace/warden-daemon-marker.txt"):
        try:
            with open(p, "a") as f:
                f.write(f"{n} {time.time():.3f}\n")
        except OSError:
            pass
    time.sleep(0.1)
'''

pid = os.fork()
if pid == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            os.execv(sys.executable, [sys.executable, "-c", DAEMON, "warden-hostile-daemon"])
    finally:
        os._exit(0)
os.waitpid(pid, 0)
say("SAFE: main process exits immediately; daemon must die with the namespace")
sys.exit(0)
