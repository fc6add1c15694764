# Proves binary output is byte-exact: all 256 byte values in order, repeated 4 times (1024 bytes).
import sys

sys.stdout.buffer.write(bytes(range(256)) * 4)
sys.stdout.buffer.flush()
