# Proves stdout and stderr are captured as separate streams: five interleaved lines on each.
import sys
import time

for _ in range(5):
    print("to-stdout", flush=True)
    print("to-stderr", file=sys.stderr, flush=True)
    time.sleep(0.01)
