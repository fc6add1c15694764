# Proves output is streamed while the script runs: three ticks one second apart.
import time

for i in (1, 2, 3):
    print(f"tick {i}", flush=True)
    if i < 3:
        time.sleep(1)
