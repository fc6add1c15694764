# hostile: allocate and touch 64 MiB blocks up to 4 GiB; the memory limit must kill it
# language: python
# timeout: 10
# expect-status: memory_limit
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

BLOCK = 64 << 20
LIMIT = 4 << 30
blocks = []
while len(blocks) * BLOCK < LIMIT:
    blocks.append(b"\x01" * BLOCK)  # bytes * n memsets every page: real, resident memory
    say(f"allocated {len(blocks) * 64} MiB")
say(f"ESCAPE: allocated {len(blocks) * 64} MiB without hitting the memory limit")
