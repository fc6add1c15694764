"""Before and after: two `warden` builds against each other, call by call, in one run.

A change worth a fraction of a millisecond is lost in this VM's drift between two separate
benchmark runs (the same interpreter start moves by 30% between phases of a day). This script
runs both builds at once and alternates single `run_code` calls between them (which goes first
alternates too), with a direct spawn of the same interpreter after each pair and 100 ms of quiet
before every call (a run's next standby is built meanwhile). It reports, per build, the median
first progress event and round trip and their median paired difference to the direct spawn,
then the median of the paired differences between the builds: the change's own effect. For
Python it also reports delivery: from the child writing its line to the client receiving it.

Build the baseline in a separate clone (each build finds its own `warden-launch` beside it):
    git clone -q . /tmp/before && git -C /tmp/before checkout -q <commit>
    (cd /tmp/before && swift build -c release --static-swift-stdlib)
    .venv/bin/python bench/mcp_ab.py --before /tmp/before/.build/release/warden --language sh
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcp_bench import Server  # noqa: E402
from raw_http import StreamableSession, since_stamp, spawn  # noqa: E402

# Python prints its own clock (CLOCK_MONOTONIC, as the client's perf_counter), so its rows
# also time delivery alone: from the child's write to the client receiving the event.
CODE = {"python": "import time\nprint(time.perf_counter())", "sh": "echo 1"}


def call(session, language):
    """One run_code call with a progress token: seconds to the first progress event and to the
    result, and (python) from the child's write to the client receiving it."""
    seen = []
    start = time.perf_counter()
    session.call("run_code", {"code": CODE[language], "language": language}, token="t",
                 on_message=lambda arrived, message: seen.append((arrived, message["params"]["message"]))
                 if message.get("method") == "notifications/progress" and not seen else None)
    total = time.perf_counter() - start
    delivery = since_stamp(*seen[0]) if language == "python" else 0.0
    return seen[0][0] - start, total, delivery


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="the baseline build's warden binary")
    parser.add_argument("--after", default=".build/release/warden")
    parser.add_argument("--language", choices=sorted(CODE), default="sh")
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    servers = {"before": Server(args.before), "after": Server(args.after)}
    try:
        sessions = {name: StreamableSession(server.port) for name, server in servers.items()}
        program = servers["after"].interpreters[args.language]["path"]
        samples = {name: ([], [], []) for name in ["before", "after", "direct"]}
        for i in range(args.runs + 10):
            order = ["before", "after"] if i % 2 == 0 else ["after", "before"]
            for name in order + ["direct"]:
                time.sleep(0.1)
                if name == "direct":
                    first, total = spawn(program, ["-c", CODE[args.language]])
                    delivery = 0.0
                else:
                    first, total, delivery = call(sessions[name], args.language)
                if i >= 10:
                    samples[name][0].append(first * 1000)
                    samples[name][1].append(total * 1000)
                    samples[name][2].append(delivery * 1000)
        for index, what in enumerate(["first progress", "round trip", "delivery"]):
            if what == "delivery" and args.language != "python":
                continue
            direct = samples["direct"][index]
            for name in ["before", "after"]:
                values = samples[name][index]
                paired = statistics.median(a - b for a, b in zip(values, direct))
                over = "" if what == "delivery" else f", {paired:+.2f} ms over the direct spawn (median of pairs)"
                print(f"{args.language} {what}, {name}: median {statistics.median(values):.2f} ms{over}")
            change = statistics.median(a - b for a, b in zip(samples["after"][index], samples["before"][index]))
            print(f"{args.language} {what}, after - before (median of pairs): {change:+.2f} ms")
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
