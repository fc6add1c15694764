# hostile: busy CPU loop (bounded at 300 s); must end by wall-clock timeout
# language: python
# timeout: 3
# expect-status: timeout
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import time

say("spinning")
end = time.monotonic() + 300
n = 0
while True:
    n += 1
    if n % 100000 == 0 and time.monotonic() > end:
        break
say("spun for 300 s without being stopped")
