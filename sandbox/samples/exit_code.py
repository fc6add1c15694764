# Proves non-zero exit codes are reported (status failed, exit code 3) and stderr is captured.
import sys

print("exiting with 3", file=sys.stderr, flush=True)
sys.exit(3)
