# hostile: flood stdout and stderr interleaved, 256 KiB at a time (capped at 64 MiB total); must end with output_limit
# language: python
# timeout: 10
# expect-status: output_limit
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

OUT = (b"O" * 1023 + b"\n") * 256  # 256 KiB
ERR = (b"E" * 1023 + b"\n") * 256
total = 0
while total < (64 << 20):
    sys.stdout.buffer.write(OUT)
    sys.stdout.buffer.flush()
    sys.stderr.buffer.write(ERR)
    sys.stderr.buffer.flush()
    total += len(OUT) + len(ERR)
say("flooded 64 MiB on both streams without being stopped")
