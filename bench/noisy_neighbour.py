"""Noisy-neighbour benchmark: a quiet session's `print(1)` round trip while another tenant
attacks the same `warden serve`, against the same round trip on the idle server, in one run.

Each attack (bench/attacks.py) starts, reaches full swing, and the quiet session (its own
Streamable HTTP session, bench/raw_http.py's blocking client) makes its calls, each after
100 ms of quiet as in bench/mcp_bench.py (an agent's calls come seconds apart; a sandbox for
the next call is prepared meanwhile); idle samples are taken before the first attack and
after the last, and the idle figure is their median. The goal: p50 under every attack within
2x of idle.

Usage: .venv/bin/python bench/noisy_neighbour.py [--runs 30] [--warden .build/release/warden]
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attacks  # noqa: E402
from mcp_bench import Server, pct  # noqa: E402
from raw_http import StreamableSession  # noqa: E402


def samples(session, runs):
    """Seconds per `print(1)` round trip; a call that fails counts as its time and is reported."""
    times, failures = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response = session.call("run_code", {"code": "print(1)"})
        times.append(time.perf_counter() - start)
        result = (response or {}).get("result", {})
        if result.get("structuredContent", {}).get("status") != "completed":
            failures += 1
        time.sleep(0.1)  # as bench/mcp_bench.py: the next call meets its standby ready
    return times, failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warden", default=".build/release/warden")
    arguments = parser.parse_args()
    server = Server(arguments.warden)
    rows = []
    try:
        quiet = StreamableSession(server.port)
        samples(quiet, 5)  # warm-up
        idle, _ = samples(quiet, arguments.runs)
        measured = []
        for attack_type in attacks.ALL:
            attack = attack_type(server.port)
            try:
                attack.start()
                times, failures = samples(quiet, arguments.runs)
            finally:
                attack.stop()
            measured.append((attack.name, times, failures))
            time.sleep(1)
        idle_after, _ = samples(quiet, arguments.runs)
        idle_p50 = statistics.median(idle + idle_after)
        idle_p99 = pct(idle + idle_after, 0.99)
        rows.append(("idle server", idle_p50, idle_p99, 1.0, 0))
        for name, times, failures in measured:
            p50 = statistics.median(times)
            rows.append((name, p50, pct(times, 0.99), p50 / idle_p50, failures))
        quiet.close()
    finally:
        server.stop()
    print(f"Quiet session: print(1) round trip, {arguments.runs} calls per row (Streamable HTTP)\n")
    print("| while another tenant runs | p50 ms | p99 ms | p50 / idle | failed calls |")
    print("|---|---:|---:|---:|---:|")
    for name, p50, p99, ratio, failures in rows:
        print(f"| {name} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | {ratio:.2f}x | {failures} |")
    print(f"\nIdle before and after the attacks: p50 {idle_p50 * 1000:.1f} ms. Goal: every p50 within 2x of idle.")


if __name__ == "__main__":
    main()
