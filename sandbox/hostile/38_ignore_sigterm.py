# hostile: ignore SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR* and sleep (bounded at 300 s); must end by timeout
# language: python
# timeout: 2
# expect-status: timeout
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import signal
import time

for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
          signal.SIGPIPE, signal.SIGXCPU):
    signal.signal(s, signal.SIG_IGN)
say("ignoring termination signals and sleeping")
end = time.monotonic() + 300
while time.monotonic() < end:
    time.sleep(1)
say("slept 300 s without being stopped")
