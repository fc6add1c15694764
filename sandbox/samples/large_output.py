# Proves large output passes intact: exactly 3 MiB of "x" lines (3072 lines of 1023 x + newline), then END.
import sys

line = b"x" * 1023 + b"\n"  # 1024 bytes
out = sys.stdout.buffer
for _ in range(3 * 1024):
    out.write(line)
out.write(b"END\n")
out.flush()
