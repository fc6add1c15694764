# Proves stdin is delivered: reports the byte count, then echoes the input upper-cased.
import sys

data = sys.stdin.buffer.read()
print(f"got {len(data)} bytes", flush=True)
sys.stdout.buffer.write(data.upper())
sys.stdout.buffer.flush()
