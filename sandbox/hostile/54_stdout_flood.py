# hostile: flood stdout with 1 MiB chunks (capped at 64 MiB); must end with output_limit
# language: python
# timeout: 10
# expect-status: output_limit
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

CHUNK = (b"A" * 1023 + b"\n") * 1024  # 1 MiB
out = sys.stdout.buffer
for i in range(64):
    out.write(CHUNK)
    out.flush()
say("flooded 64 MiB without being stopped")
