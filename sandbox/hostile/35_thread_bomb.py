# hostile: thread bomb (capped at 2000 threads / 4 s); thread creation must be refused by a limit
# language: python
# timeout: 10
# expect-status: completed|failed|timeout|memory_limit
# expect-stdout: SAFE: thread bomb hit a limit
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import threading
import time

MAX_THREADS = 2000
threading.stack_size(256 * 1024)
stop = threading.Event()
threads = []
deadline = time.monotonic() + 4.0
err = None
while len(threads) < MAX_THREADS and time.monotonic() < deadline:
    t = threading.Thread(target=stop.wait, args=(6,), daemon=True)
    try:
        t.start()
    except (RuntimeError, MemoryError, OSError) as e:
        err = e
        break
    threads.append(t)
if err is not None:
    say(f"SAFE: thread bomb hit a limit after {len(threads)} threads ({type(err).__name__}: {err})")
else:
    say(f"ESCAPE: started {len(threads)} threads without hitting a limit")
stop.set()
for t in threads:
    t.join(timeout=2)
