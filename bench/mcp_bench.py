"""MCP server benchmark: `warden serve` against a direct spawn of the same interpreter.

Measures, in one run on this machine:
  - a run_code round trip of print(1) over Streamable HTTP and over HTTP+SSE (p50, p99), with
    Python started ahead in the session's ready sandbox (the default), and started by the run
    (a second server, WARDEN_WARM_STANDBYS=false);
  - the first progress event, timed two ways: from sending the call (against a direct
    spawn's first line, so the run's start is in it), and from the child writing that line
    (the child prints its own clock) to the client receiving it (against the same line read
    from a direct child's pipe), which is delivery alone;
  - the same two for `sh` (`echo 1`), whose start-up (~1 ms) hides less of the server's cost;
  - calls per second with 16 concurrent sessions (compared with 16 concurrent direct spawns);
  - the server's memory: base, per idle session (1,000 open), per open SSE stream (200 open);
  - session workspaces: opening a session (which mounts its workspace), write_file, read_file
    and list_files round trips, each against a `ping` round trip (the transport's own cost), and
    run_code in a workspace of 1,000 files (its before/after snapshots) against an empty one.

Latency rows use a blocking raw-socket client (bench/raw_http.py) and time the direct baseline
the same way (posix_spawn, pipe reads), each server sample right after its baseline sample;
"paired" is the median of those per-pair differences, which drifts less on a busy VM than the
difference of two medians. Every latency sample starts after 100 ms of quiet (see `quiet`).
The concurrent and memory rows use httpx and asyncio.

Usage: .venv/bin/python bench/mcp_bench.py [--runs 200] [--warden .build/release/warden]
"""
import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time

import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from raw_http import LegacySession, StreamableSession, first_output, since_stamp, spawn  # noqa: E402

JSON = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p * len(values) + 0.5)) - 1))]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, binary, environment=None):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [binary, "serve", "--port", str(self.port), "--log-level", "error", "--max-sessions", "5000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, **(environment or {})))
        for _ in range(300):
            try:
                if httpx.get(self.url("/healthz"), timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        self.interpreters = httpx.get(self.url("/healthz")).json()["interpreters"]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


class Rows:
    """Table rows: each measured row with its baseline, as medians, p99 and paired differences."""

    def __init__(self):
        self.rows = []

    def baseline(self, name, samples):
        ms = [v * 1000 for v in samples]
        self.rows.append((name, statistics.median(ms), pct(ms, 0.99), "baseline", ""))

    def measured(self, name, samples, base):
        ms = [v * 1000 for v in samples]
        base_ms = [v * 1000 for v in base]
        added = statistics.median(ms) - statistics.median(base_ms)
        paired = statistics.median(a - b for a, b in zip(ms, base_ms))
        self.rows.append((name, statistics.median(ms), pct(ms, 0.99), f"{added:+.2f} ms", f"{paired:+.2f} ms"))


def quiet():
    """100 ms with nothing sent before each latency sample, direct or not: a call then meets an
    idle server, as an agent's calls do, whose next standby is ready, not still being built
    beside the sample (~4 ms of kernel work, and after a Python run Python's own start in it,
    ~45 ms here; that load is the 16-session row's)."""
    time.sleep(0.1)


def timed(action):
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def run_code_rows(rows, server, language, code, runs, note=""):
    """Round trips over both transports and the first progress event, against direct spawns;
    `note` says how the server was started, when not as `make run` starts it."""
    program = server.interpreters[language]["path"]
    streamable = StreamableSession(server.port)
    legacy = LegacySession(server.port)
    arguments = {"code": code, "language": language}
    direct, over_streamable, over_sse = [], [], []
    calls = {
        "streamable": lambda: streamable.call("run_code", arguments),
        "sse": lambda: legacy.request("tools/call", {"name": "run_code", "arguments": arguments}),
    }
    for i in range(runs + 10):
        quiet()
        d = spawn(program, ["-c", code])[1]
        # Which transport follows the direct spawn alternates: the later sample drifts further
        # from its baseline (+0.6 ms for either transport in one test of both orders).
        taken = {}
        for name in (["streamable", "sse"] if i % 2 == 0 else ["sse", "streamable"]):
            quiet()
            taken[name], response = timed(calls[name])
            assert response["result"]["structuredContent"]["stdout"] == "1\n", response
        if i >= 10:
            direct.append(d)
            over_streamable.append(taken["streamable"])
            over_sse.append(taken["sse"])
    rows.baseline(f"direct spawn of `{program}`, `{code}` (baseline)", direct)
    rows.measured(f"run_code `{code}` ({language}) round trip over Streamable HTTP{note}", over_streamable, direct)
    rows.measured(f"run_code `{code}` ({language}) round trip over HTTP+SSE{note}", over_sse, direct)

    waiting = "import time\nprint(1)\ntime.sleep(0.05)" if language == "python" else "echo 1; sleep 0.05"
    direct_first, firsts = [], []
    for i in range(runs + 10):
        quiet()
        d = spawn(program, ["-c", waiting])[0]
        seen = []
        quiet()
        start = time.perf_counter()
        streamable.call("run_code", {"code": waiting, "language": language}, token=f"t{i}",
                        on_message=lambda arrived, message: seen.append(arrived)
                        if message.get("method") == "notifications/progress" and not seen else None)
        if i >= 10:
            direct_first.append(d)
            firsts.append(seen[0] - start)
    rows.baseline(f"first output read from a direct spawn ({language}, baseline)", direct_first)
    rows.measured(f"first progress event over Streamable HTTP ({language}){note}", firsts, direct_first)
    if language == "python" and not note:
        delivery_rows(rows, streamable, program, runs)
    streamable.close()
    legacy.close()


def delivery_rows(rows, streamable, program, runs):
    """From the child writing its first line to the client receiving it: the child prints its
    own `time.perf_counter()` (CLOCK_MONOTONIC, shared by every process here: Warden gives the
    sandbox no time namespace) and the reader subtracts it from the moment the line arrived;
    the baseline is the same line read from a direct child's pipe."""
    stamped = "import time\nprint(time.perf_counter())\ntime.sleep(0.05)"
    direct, delivered = [], []
    for i in range(runs + 10):
        quiet()
        arrived, data = first_output(program, ["-c", stamped])
        seen = []
        quiet()
        streamable.call("run_code", {"code": stamped, "language": "python"}, token=f"d{i}",
                        on_message=lambda arrived, message: seen.append((arrived, message["params"]["message"]))
                        if message.get("method") == "notifications/progress" and not seen else None)
        if i >= 10:
            direct.append(since_stamp(arrived, data))
            delivered.append(since_stamp(*seen[0]))
    rows.baseline("first line, written to read, from a direct child's pipe (python, baseline)", direct)
    rows.measured("first line, written to received as a progress event over Streamable HTTP (python)",
                  delivered, direct)


def workspace_rows(rows, server, runs):
    """Session opening, file tools and run_code snapshots, each against its baseline."""
    session = StreamableSession(server.port)
    tool = lambda name, **arguments: session.call(name, arguments)["result"]
    tool("write_file", path="data/a.txt", content="x" * 1024)
    for i in range(100):
        tool("write_file", path=f"list/{i}.txt", content="y")
    samples = {"ping": [], "open": [], "write": [], "read": [], "list": []}
    for i in range(runs):
        quiet()
        samples["ping"].append(timed(lambda: session.request("ping"))[0])
        quiet()
        elapsed, opened = timed(lambda: StreamableSession(server.port))
        samples["open"].append(elapsed)
        opened.close()
        quiet()
        elapsed, result = timed(lambda: tool("write_file", path="data/b.txt", content="z" * 1024))
        assert not result.get("isError"), result
        samples["write"].append(elapsed)
        quiet()
        elapsed, result = timed(lambda: tool("read_file", path="data/a.txt"))
        assert result["content"][0]["text"] == "x" * 1024, result
        samples["read"].append(elapsed)
        quiet()
        elapsed, result = timed(lambda: tool("list_files", path="list"))
        assert len(result["structuredContent"]["entries"]) == 100, result
        samples["list"].append(elapsed)
    rows.baseline("`ping` round trip (baseline for the rows below)", samples["ping"])
    for key, name in (("open", "open a session (initialize + initialized; mounts its workspace)"),
                      ("write", "`write_file` of 1 KiB"), ("read", "`read_file` of 1 KiB"),
                      ("list", "`list_files` of 100 entries")):
        rows.measured(name, samples[key], samples["ping"])

    # run_code in an empty workspace against one holding 1,000 files (two snapshots per run).
    empty = StreamableSession(server.port)
    full = StreamableSession(server.port)
    full.call("run_code", {"code": "import os\nfor i in range(1000): open(f'f{i}', 'w').write('x')"})
    e, f = [], []
    for i in range(runs):
        quiet()
        e.append(timed(lambda: empty.call("run_code", {"code": "print(1)"}))[0])
        quiet()
        f.append(timed(lambda: full.call("run_code", {"code": "print(1)"}))[0])
    rows.baseline("`run_code` `print(1)` in an empty workspace (baseline)", e)
    rows.measured("`run_code` `print(1)` in a workspace of 1,000 files", f, e)
    for opened in (session, empty, full):
        opened.close()


async def open_session(client, server):
    r = await client.post(server.url("/mcp"), headers=JSON, json=INIT)
    session = r.headers["mcp-session-id"]
    headers = dict(JSON, **{"Mcp-Session-Id": session})
    await client.post(server.url("/mcp"), headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    return headers


async def call_streamable(client, server, headers, code):
    body = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "run_code", "arguments": {"code": code}}}
    async with client.stream("POST", server.url("/mcp"), headers=headers, json=body) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: ") and '"result"' in line:
                return line


async def open_sse_stream(client, server):
    """An HTTP+SSE session, left open: its stream's context manager, response and line
    iterator (all kept: a dropped response would close its connection when collected)."""
    manager = client.stream("GET", server.url("/sse"), headers={"Accept": "text/event-stream"})
    response = await manager.__aenter__()
    lines = response.aiter_lines()
    endpoint = None
    async for line in lines:
        if line.startswith("data: /messages"):
            endpoint = server.url(line[6:])
            break
    await client.post(endpoint, headers={"Content-Type": "application/json"}, json=dict(INIT, params=dict(
        INIT["params"], protocolVersion="2024-11-05")))
    async for line in lines:
        if line.startswith("data: {"):
            break
    await client.post(endpoint, headers={"Content-Type": "application/json"},
                      json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    return manager, response, lines


async def concurrent_and_memory(server, runs, base):
    """Calls per second with 16 sessions against 16 direct spawns, then memory per session
    and per open SSE stream."""
    python = server.interpreters["python"]["path"]
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=2000)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        # Alternating rounds, so that drift in the machine's speed hits both alike.
        rounds = 4
        per_round = max(2, runs // 16 // rounds)
        sessions = [await open_session(client, server) for _ in range(16)]

        async def direct_worker():
            for _ in range(per_round):
                process = await asyncio.create_subprocess_exec(python, "-c", "print(1)", stdout=subprocess.PIPE)
                await process.communicate()

        async def warden_worker(headers):
            for _ in range(per_round):
                await call_streamable(client, server, headers, "print(1)")

        direct_time = warden_time = 0.0
        for _ in range(rounds):
            t = time.perf_counter(); await asyncio.gather(*(direct_worker() for _ in range(16))); direct_time += time.perf_counter() - t
            t = time.perf_counter(); await asyncio.gather(*(warden_worker(h) for h in sessions)); warden_time += time.perf_counter() - t
        direct_rate = 16 * per_round * rounds / direct_time
        warden_rate = 16 * per_round * rounds / warden_time

        await asyncio.sleep(0.5)
        before = rss_kib(server.process.pid)
        for _ in range(1000):
            await open_session(client, server)
        await asyncio.sleep(0.5)
        per_session = (rss_kib(server.process.pid) - before) / 1000
        before = rss_kib(server.process.pid)
        streams = [await open_sse_stream(client, server) for _ in range(200)]
        await asyncio.sleep(0.5)
        per_stream = (rss_kib(server.process.pid) - before) / 200
        for manager, _, _ in streams:
            await manager.__aexit__(None, None, None)
    return [
        ("calls per second, 16 concurrent direct spawns (baseline)", f"{direct_rate:.1f}"),
        ("calls per second, 16 concurrent sessions over Streamable HTTP",
         f"{warden_rate:.1f} ({100 * warden_rate / direct_rate:.0f}% of direct)"),
        ("server base memory (RSS after start)", f"{base / 1024:.1f} MiB"),
        ("memory per idle session (1,000 open)", f"{per_session:.1f} KiB"),
        ("memory per open HTTP+SSE stream (200 open)", f"{per_stream:.1f} KiB"),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warden", default=".build/release/warden")
    args = parser.parse_args()
    server = Server(args.warden)
    base = rss_kib(server.process.pid)
    rows = Rows()
    try:
        run_code_rows(rows, server, "python", "print(1)", args.runs)
        # The same with Python started by each run in its ready sandbox, not ahead of it.
        plain = Server(args.warden, {"WARDEN_WARM_STANDBYS": "false"})
        try:
            run_code_rows(rows, plain, "python", "print(1)", args.runs, note=", Python not started ahead")
        finally:
            plain.stop()
        run_code_rows(rows, server, "sh", "echo 1", args.runs)
        workspace_rows(rows, server, min(args.runs, 100))
        values = asyncio.run(concurrent_and_memory(server, args.runs, base))
    finally:
        server.stop()

    print("| what | p50 ms | p99 ms | added (difference of medians) | added (median of pairs) |")
    print("|---|---:|---:|---:|---:|")
    for name, p50, p99, added, paired in rows.rows:
        print(f"| {name} | {p50:.2f} | {p99:.2f} | {added} | {paired} |")
    print()
    print("| what | value |")
    print("|---|---:|")
    for name, value in values:
        print(f"| {name} | {value} |")
    print(f"\n{args.runs} samples per latency row ({min(args.runs, 100)} for the workspace rows).")


if __name__ == "__main__":
    main()
