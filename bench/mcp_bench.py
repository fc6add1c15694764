"""MCP server benchmark: `warden serve` against a direct spawn of the same interpreter.

Measures, in one run on this machine:
  - a run_code round trip of print(1) over Streamable HTTP and over HTTP+SSE (p50, p99);
  - the time from the child writing its first line to the client receiving that progress
    event (compared with reading the first line of a directly spawned child);
  - calls per second with 16 concurrent sessions (compared with 16 concurrent direct spawns);
  - the server's memory: base, per idle session (1,000 open), per open SSE stream (200 open);
  - session workspaces: opening a session (which mounts its workspace), write_file, read_file
    and list_files round trips, each against a `ping` round trip (the transport's own cost), and
    run_code in a workspace of 1,000 files (its before/after snapshots) against an empty one.

Usage: .venv/bin/python bench/mcp_bench.py [--runs 200] [--warden .build/release/warden]
Raw HTTP (httpx) keeps client overhead out of the numbers; the interop tests cover the
official client.
"""
import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import time

import httpx

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
    def __init__(self, binary):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [binary, "serve", "--port", str(self.port), "--log-level", "error", "--max-sessions", "5000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                if httpx.get(self.url("/healthz"), timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        self.python = httpx.get(self.url("/healthz")).json()["interpreters"]["python"]["path"]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


async def open_session(client, server):
    r = await client.post(server.url("/mcp"), headers=JSON, json=INIT)
    session = r.headers["mcp-session-id"]
    headers = dict(JSON, **{"Mcp-Session-Id": session})
    await client.post(server.url("/mcp"), headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    return headers


async def call_streamable(client, server, headers, code, token=None, on_progress=None):
    params = {"name": "run_code", "arguments": {"code": code}}
    if token:
        params["_meta"] = {"progressToken": token}
    body = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": params}
    async with client.stream("POST", server.url("/mcp"), headers=headers, json=body) as response:
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or len(line) < 8:
                continue
            message = json.loads(line[6:])
            if message.get("method") == "notifications/progress" and on_progress:
                on_progress()
            if "result" in message:
                return message["result"]


async def rpc(client, server, headers, method, params=None):
    """One JSON-RPC request over Streamable HTTP; returns its result (SSE or JSON response)."""
    body = {"jsonrpc": "2.0", "id": 7, "method": method}
    if params is not None:
        body["params"] = params
    async with client.stream("POST", server.url("/mcp"), headers=headers, json=body) as response:
        async for line in response.aiter_lines():
            text = line[6:] if line.startswith("data: ") else line
            if text.startswith("{") and '"id":7' in text.replace(" ", ""):
                message = json.loads(text)
                assert "result" in message, message
                return message["result"]


async def workspace_rows(client, server, runs):
    """Session opening, file tools and run_code snapshots, each against its baseline."""
    rows = []
    headers = await open_session(client, server)
    tool = lambda name, **arguments: rpc(client, server, headers, "tools/call", {"name": name, "arguments": arguments})
    await tool("write_file", path="data/a.txt", content="x" * 1024)
    for i in range(100):
        await tool("write_file", path=f"list/{i}.txt", content="y")
    samples = {"ping": [], "open": [], "write": [], "read": [], "list": []}
    for i in range(runs):
        t = time.perf_counter(); await rpc(client, server, headers, "ping"); samples["ping"].append(time.perf_counter() - t)
        t = time.perf_counter(); h = await open_session(client, server); samples["open"].append(time.perf_counter() - t)
        await client.delete(server.url("/mcp"), headers={"Mcp-Session-Id": h["Mcp-Session-Id"]})
        t = time.perf_counter(); r = await tool("write_file", path="data/b.txt", content="z" * 1024); samples["write"].append(time.perf_counter() - t)
        assert not r.get("isError"), r
        t = time.perf_counter(); r = await tool("read_file", path="data/a.txt"); samples["read"].append(time.perf_counter() - t)
        assert r["content"][0]["text"] == "x" * 1024, r
        t = time.perf_counter(); r = await tool("list_files", path="list"); samples["list"].append(time.perf_counter() - t)
        assert len(r["structuredContent"]["entries"]) == 100, r
    ms = {k: [v * 1000 for v in values] for k, values in samples.items()}
    base = statistics.median(ms["ping"])
    rows.append(("`ping` round trip (baseline for the rows below)", base, pct(ms["ping"], 0.99), "baseline"))
    for key, name in (("open", "open a session (initialize + initialized; mounts its workspace)"),
                      ("write", "`write_file` of 1 KiB"), ("read", "`read_file` of 1 KiB"),
                      ("list", "`list_files` of 100 entries")):
        rows.append((name, statistics.median(ms[key]), pct(ms[key], 0.99), f"+{statistics.median(ms[key]) - base:.2f} ms"))

    # run_code in an empty workspace against one holding 1,000 files (two snapshots per run).
    empty = await open_session(client, server)
    full = await open_session(client, server)
    await call_streamable(client, server, full, "import os\nfor i in range(1000): open(f'f{i}', 'w').write('x')")
    e, f = [], []
    for i in range(runs):
        t = time.perf_counter(); await call_streamable(client, server, empty, "print(1)"); e.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter(); await call_streamable(client, server, full, "print(1)"); f.append((time.perf_counter() - t) * 1000)
    rows.append(("`run_code` `print(1)` in an empty workspace (baseline)", statistics.median(e), pct(e, 0.99), "baseline"))
    rows.append(("`run_code` `print(1)` in a workspace of 1,000 files", statistics.median(f), pct(f, 0.99),
                 f"+{statistics.median(f) - statistics.median(e):.2f} ms"))
    return rows


class LegacySession:
    """One HTTP+SSE session: the stream stays open, results are read from it."""

    async def open(self, client, server):
        self.server, self.client = server, client
        self.stream_cm = client.stream("GET", server.url("/sse"), headers={"Accept": "text/event-stream"})
        self.response = await self.stream_cm.__aenter__()
        self.lines = self.response.aiter_lines()
        event = None
        async for line in self.lines:
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "endpoint":
                self.endpoint = server.url(line[6:])
                break
        await self.post(INIT)
        await self.read_until(1)
        await self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return self

    async def post(self, message):
        await self.client.post(self.endpoint, headers={"Content-Type": "application/json"}, json=message)

    async def read_until(self, request_id):
        async for line in self.lines:
            if line.startswith("data: "):
                message = json.loads(line[6:])
                if message.get("id") == request_id:
                    return message

    async def call(self, code, request_id):
        await self.post({"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
                         "params": {"name": "run_code", "arguments": {"code": code}}})
        return await self.read_until(request_id)

    async def close(self):
        await self.stream_cm.__aexit__(None, None, None)


async def direct(python, code):
    process = await asyncio.create_subprocess_exec(python, "-u", "-c", code, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, _ = await process.communicate()
    return out


async def direct_first_line(python, code):
    start = time.perf_counter()
    process = await asyncio.create_subprocess_exec(python, "-u", "-c", code, stdout=subprocess.PIPE)
    await process.stdout.readline()
    first = time.perf_counter() - start
    await process.communicate()
    return first


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warden", default=".build/release/warden")
    args = parser.parse_args()
    server = Server(args.warden)
    python = server.python
    rows = []
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=2000)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        base = rss_kib(server.process.pid)

        # Round trips, interleaved with the direct baseline.
        headers = await open_session(client, server)
        legacy = await LegacySession().open(client, server)
        samples = {"direct": [], "streamable": [], "sse": []}
        for i in range(args.runs + 10):
            t = time.perf_counter(); await direct(python, "print(1)"); d = time.perf_counter() - t
            t = time.perf_counter(); r = await call_streamable(client, server, headers, "print(1)"); s = time.perf_counter() - t
            assert r["structuredContent"]["stdout"] == "1\n", r
            t = time.perf_counter(); r = await legacy.call("print(1)", 100 + i); l = time.perf_counter() - t
            assert r["result"]["structuredContent"]["stdout"] == "1\n", r
            if i >= 10:
                samples["direct"].append(d * 1000); samples["streamable"].append(s * 1000); samples["sse"].append(l * 1000)
        p50 = {k: statistics.median(v) for k, v in samples.items()}
        rows.append(("direct spawn of the interpreter, `print(1)` (baseline)", p50["direct"], pct(samples["direct"], 0.99), "baseline"))
        for key, name in (("streamable", "Streamable HTTP"), ("sse", "HTTP+SSE")):
            rows.append((f"run_code round trip over {name}", p50[key], pct(samples[key], 0.99),
                         f"+{p50[key] - p50['direct']:.2f} ms"))

        # First progress event against the direct first line.
        code = "import time\nprint('ready')\ntime.sleep(0.2)"
        firsts, directs = [], []
        for i in range(min(args.runs, 100)):
            directs.append(await direct_first_line(python, code) * 1000)
            start = time.perf_counter(); seen = []
            await call_streamable(client, server, headers, code, token=f"t{i}",
                                  on_progress=lambda: seen.append(time.perf_counter()) if not seen else None)
            firsts.append((seen[0] - start) * 1000)
        rows.append(("first line read from a direct spawn (baseline)", statistics.median(directs), pct(directs, 0.99), "baseline"))
        rows.append(("first progress event over Streamable HTTP", statistics.median(firsts), pct(firsts, 0.99),
                     f"+{statistics.median(firsts) - statistics.median(directs):.2f} ms"))

        # Throughput with 16 concurrent sessions against 16 concurrent direct spawns, in
        # alternating rounds so that drift in the machine's speed hits both alike.
        rounds = 4
        per_round = max(2, args.runs // 16 // rounds)
        sessions = [await open_session(client, server) for _ in range(16)]
        async def direct_worker():
            for _ in range(per_round):
                await direct(python, "print(1)")
        async def warden_worker(h):
            for _ in range(per_round):
                await call_streamable(client, server, h, "print(1)")
        direct_time = warden_time = 0.0
        for _ in range(rounds):
            t = time.perf_counter(); await asyncio.gather(*(direct_worker() for _ in range(16))); direct_time += time.perf_counter() - t
            t = time.perf_counter(); await asyncio.gather(*(warden_worker(h) for h in sessions)); warden_time += time.perf_counter() - t
        direct_rate = 16 * per_round * rounds / direct_time
        warden_rate = 16 * per_round * rounds / warden_time

        rows += await workspace_rows(client, server, min(args.runs, 100))

        # Memory: idle sessions, then open SSE streams.
        await asyncio.sleep(0.5)
        before = rss_kib(server.process.pid)
        for _ in range(1000):
            await open_session(client, server)
        await asyncio.sleep(0.5)
        per_session = (rss_kib(server.process.pid) - before) / 1000
        before = rss_kib(server.process.pid)
        streams = [await LegacySession().open(client, server) for _ in range(200)]
        await asyncio.sleep(0.5)
        per_stream = (rss_kib(server.process.pid) - before) / 200
        for s in streams:
            await s.close()
        await legacy.close()
    server.stop()

    print("| what | p50 ms | p99 ms | added |")
    print("|---|---:|---:|---:|")
    for name, a, b, c in rows:
        print(f"| {name} | {a:.2f} | {b:.2f} | {c} |")
    print()
    print("| what | value |")
    print("|---|---:|")
    print(f"| calls per second, 16 concurrent direct spawns (baseline) | {direct_rate:.1f} |")
    print(f"| calls per second, 16 concurrent sessions over Streamable HTTP | {warden_rate:.1f} ({100 * warden_rate / direct_rate:.0f}% of direct) |")
    print(f"| server base memory (RSS after start) | {base / 1024:.1f} MiB |")
    print(f"| memory per idle session (1,000 open) | {per_session:.1f} KiB |")
    print(f"| memory per open HTTP+SSE stream (200 open) | {per_stream:.1f} KiB |")
    print(f"\n{args.runs} round trips per row; interpreter: {python}.")


if __name__ == "__main__":
    asyncio.run(main())
