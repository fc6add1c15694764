"""What one tenant can do to a shared `warden serve`, for the noisy-neighbour benchmark
(bench/noisy_neighbour.py) and the fairness tests (Tests/interop/test_fair_shares.py).

Each attack runs from background threads against a server on loopback, is bounded in count
and time (every bomb is capped, every loop stops by itself), and ends what it started on
`stop()`: it deletes its sessions (which kills their runs) and closes its sockets.

    with CPUSpinners(port):
        ...  # the quiet session measures here
"""
import json
import re
import socket
import threading
import time

import httpx

JSON = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def init_message(version="2025-11-25"):
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "attack", "version": "1"}}}


def url(port, path):
    return f"http://127.0.0.1:{port}{path}"


def new_session(port, version="2025-11-25"):
    """Opens a Streamable HTTP session; returns its headers."""
    response = httpx.post(url(port, "/mcp"), headers=JSON, json=init_message(version), timeout=30)
    headers = dict(JSON, **{"Mcp-Session-Id": response.headers["mcp-session-id"],
                            "MCP-Protocol-Version": version})
    httpx.post(url(port, "/mcp"), headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"},
               timeout=30)
    return headers


def call(port, headers, name, arguments, timeout=120, call_id=2, on_line=None):
    """Calls a tool over Streamable HTTP; returns the result message (or None if the stream
    ended without one). `on_line` sees each SSE data line."""
    message = {"jsonrpc": "2.0", "id": call_id, "method": "tools/call",
               "params": {"name": name, "arguments": arguments, "_meta": {"progressToken": f"p{call_id}"}}}
    with httpx.Client(timeout=timeout) as client:
        with client.stream("POST", url(port, "/mcp"), headers=headers, json=message) as stream:
            if stream.status_code != 200:
                stream.read()
                return {"http_status": stream.status_code, "body": stream.text}
            for line in stream.iter_lines():
                if not line.startswith("data: {"):
                    continue
                if on_line:
                    on_line(line)
                received = json.loads(line[6:])
                if received.get("id") == call_id:
                    return received
    return None


def delete_session(port, headers):
    try:
        httpx.delete(url(port, "/mcp"), headers={"Mcp-Session-Id": headers["Mcp-Session-Id"]}, timeout=30)
    except httpx.HTTPError:
        pass


class Attack:
    """Runs `worker` in `threads` threads until `stop()`; `prepare()` runs first, once."""
    name = "attack"
    threads = 1

    def __init__(self, port):
        self.port = port
        self.stopping = threading.Event()
        self.workers = []
        self.sessions = []

    def session(self, version="2025-11-25"):
        headers = new_session(self.port, version)
        self.sessions.append(headers)
        return headers

    def prepare(self):
        pass

    def worker(self, index):
        pass

    def ready(self):
        """Waits until the attack is in full swing."""
        time.sleep(1)

    def _run(self, index):
        try:
            self.worker(index)
        except (httpx.HTTPError, OSError, EOFError):
            pass  # the server cut the attacker off, as it should

    def start(self):
        self.prepare()
        for index in range(self.threads):
            thread = threading.Thread(target=self._run, args=(index,), daemon=True)
            thread.start()
            self.workers.append(thread)
        self.ready()
        return self

    def stop(self):
        self.stopping.set()
        for headers in self.sessions:
            delete_session(self.port, headers)
        for thread in self.workers:
            thread.join(timeout=30)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class FillSlots(Attack):
    """One session sends 80 sleeping runs at once: more than every run slot and queue place."""
    name = "one session fills the run slots and queue"
    threads = 80

    def prepare(self):
        self.headers = self.session()

    def worker(self, index):
        call(self.port, self.headers, "run_code",
             {"code": "import time\ntime.sleep(60)", "timeout_seconds": 90}, call_id=100 + index)

    def ready(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if httpx.get(url(self.port, "/healthz"), timeout=10).json().get("running", 0) >= 1:
                break
            time.sleep(0.1)
        time.sleep(1)


SPINNERS = """
import os, time
for _ in range({count}):
    if os.fork() == 0:
        os.setsid()
        while True:
            pass
print('up', flush=True)
time.sleep(60)
"""


class CPUSpinners(Attack):
    """Two runs of one session fork 120 CPU spinners each, every spinner in a session of its own."""
    name = "2 runs x 120 setsid CPU spinners"
    threads = 2

    def prepare(self):
        self.headers = self.session()
        self.up = threading.Semaphore(0)

    def worker(self, index):
        call(self.port, self.headers, "run_code", {"code": SPINNERS.format(count=120), "timeout_seconds": 90},
             call_id=100 + index, on_line=lambda line: "notifications/progress" in line and self.up.release())

    def ready(self):
        for _ in range(self.threads):
            self.up.acquire(timeout=30)
        time.sleep(0.5)


# 250 levels, 37 files each: 9,500 entries in a chain far deeper than PATH_MAX.
DEEP_TREE = """
import os
for _ in range(250):
    os.mkdir('d')
    os.chdir('d')
    for i in range(37):
        open(f'f{i}', 'w').close()
print('built')
"""

TOUCH_TREE = """
import os
count = 0
for root, dirs, files in os.walk('d'):
    for name in files:
        os.utime(os.path.join(root, name))
        count += 1
print(count)
"""


class DeepTreeListing(Attack):
    """A session builds ~9,500 entries 250 levels deep, then keeps 4 recursive listings in flight."""
    name = "4 recursive list_files of a 250-deep tree"
    threads = 4

    def prepare(self):
        self.headers = self.session()
        call(self.port, self.headers, "run_code", {"code": DEEP_TREE, "timeout_seconds": 120})

    def worker(self, index):
        number = 0
        while not self.stopping.is_set() and number < 2000:
            number += 1
            call(self.port, self.headers, "list_files", {"path": ".", "recursive": True, "max_entries": 1},
                 call_id=1000 * (index + 1) + number)


class DeepTreeRuns(Attack):
    """A session's runs touch every file of a 250-deep tree of ~9,500 entries, again and again."""
    name = "runs touching 9,500 files 250 deep"

    def prepare(self):
        self.headers = self.session()
        call(self.port, self.headers, "run_code", {"code": DEEP_TREE, "timeout_seconds": 120})

    def worker(self, index):
        number = 0
        while not self.stopping.is_set() and number < 500:
            number += 1
            call(self.port, self.headers, "run_code", {"code": TOUCH_TREE, "timeout_seconds": 60},
                 call_id=100 + number)


class RawSocket:
    def __init__(self, port, receive_buffer=None):
        self.socket = socket.socket()
        if receive_buffer:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.socket.connect(("127.0.0.1", port))

    def send(self, data):
        self.socket.sendall(data)

    def close(self):
        self.socket.close()


class NeverReadingSSE(Attack):
    """An HTTP+SSE client that never reads its stream asks for a 190 KiB file 300 times."""
    name = "HTTP+SSE client never reads, 300 x read_file 190 KiB"

    def prepare(self):
        self.stream = RawSocket(self.port, receive_buffer=4096)
        self.stream.send(f"GET /sse HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: text/event-stream\r\n\r\n"
                         .encode())
        data = b""
        while not (found := re.search(rb"data: (/messages\?session_id=[0-9a-f]+)\r?\n", data)):
            data += self.stream.socket.recv(4096)
        self.endpoint = found.group(1).decode()

    def post(self, client, message):
        return client.post(url(self.port, self.endpoint), headers={"Content-Type": "application/json"}, json=message)

    def worker(self, index):
        with httpx.Client(timeout=30) as client:
            self.post(client, init_message("2024-11-05"))
            self.post(client, {"jsonrpc": "2.0", "method": "notifications/initialized"})
            self.post(client, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
                "name": "write_file", "arguments": {"path": "big.txt", "content": "x" * (190 << 10)}}})
            for number in range(300):
                if self.stopping.is_set():
                    break
                response = self.post(client, {"jsonrpc": "2.0", "id": 10 + number, "method": "tools/call", "params": {
                    "name": "read_file", "arguments": {"path": "big.txt"}}})
                if response.status_code == 404:
                    break  # the server closed the session
                time.sleep(0.005)

    def stop(self):
        super().stop()
        self.stream.close()


class BatchFlood(Attack):
    """Batches of 600 `tools/list` (33 KB each), in a session that allows batches (2025-03-26)."""
    name = "JSON-RPC batches of 600 tools/list"
    threads = 2

    def prepare(self):
        self.headers = self.session("2025-03-26")
        self.body = json.dumps([{"jsonrpc": "2.0", "id": i, "method": "tools/list"} for i in range(600)])

    def worker(self, index):
        with httpx.Client(timeout=60) as client:
            for _ in range(200):
                if self.stopping.is_set():
                    break
                client.post(url(self.port, "/mcp"), headers=self.headers, content=self.body)


class Slowloris(Attack):
    """100 connections that each send half a request, reopened when the server closes them."""
    name = "100 half-sent requests (slowloris)"

    def worker(self, index):
        sockets = []
        for _ in range(3000):
            if self.stopping.is_set():
                break
            alive = []
            for held in sockets:
                try:
                    held.send(b"X")
                    alive.append(held)
                except OSError:
                    held.close()
            sockets = alive
            while len(sockets) < 100:
                try:
                    held = RawSocket(self.port)
                    held.send(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nX-Slow: ".encode())
                    sockets.append(held)
                except OSError:
                    break
            time.sleep(0.2)
        for held in sockets:
            held.close()


class DeepNesting(Attack):
    """Requests of ~560 bytes nested 250 deep, to a method the SDK decodes (resources/list)."""
    name = "requests nested 250 deep"
    threads = 2

    def prepare(self):
        self.headers = self.session()
        self.body = ('{"jsonrpc":"2.0","id":7,"method":"resources/list","params":{"x":' + "[" * 250 + "]" * 250 + "}}")

    def worker(self, index):
        with httpx.Client(timeout=60) as client:
            for _ in range(5000):
                if self.stopping.is_set():
                    break
                client.post(url(self.port, "/mcp"), headers=self.headers, content=self.body)


ALL = [FillSlots, CPUSpinners, DeepTreeListing, DeepTreeRuns, NeverReadingSSE, BatchFlood, Slowloris, DeepNesting]
