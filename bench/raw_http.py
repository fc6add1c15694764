"""A minimal blocking HTTP/1.1 client over one keep-alive socket, for latency benchmarks.

httpx and the official MCP client spend a millisecond or more of Python per request (a `ping`
through httpx: 1.6 ms, of which 0.3 ms is the server). The latency rows of `mcp_bench.py` use
this client instead, so that what they report is mostly the server's own cost; the direct
baseline is timed the same way (a blocking `posix_spawn` and pipe reads).
"""
import json
import os
import socket
import time

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


class Connection:
    def __init__(self, port):
        self.port = port
        self.socket = socket.create_connection(("127.0.0.1", port))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self):
        self.socket.close()

    def send(self, method, path, headers, body=b""):
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.socket.sendall(head.encode() + b"\r\n" + body)

    def _more(self):
        data = self.socket.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        self.buffer += data

    def head(self):
        """The status and lower-cased headers of the next response."""
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), headers

    def chunks(self):
        """The payloads of a chunked body, as they arrive."""
        while True:
            while b"\r\n" not in self.buffer:
                self._more()
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            size = int(line.split(b";")[0], 16)
            while len(self.buffer) < size + 2:
                self._more()
            data, self.buffer = self.buffer[:size], self.buffer[size + 2:]
            if size == 0:
                return
            yield data

    def body(self, headers):
        if "content-length" in headers:
            size = int(headers["content-length"])
            while len(self.buffer) < size:
                self._more()
            data, self.buffer = self.buffer[:size], self.buffer[size:]
            return data
        if headers.get("transfer-encoding") == "chunked":
            return b"".join(self.chunks())
        return b""


def sse_messages(chunks):
    """JSON-RPC messages from SSE `data:` lines in a stream of chunks, with arrival times."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.startswith(b"data: ") and len(line) > 7:
                yield time.perf_counter(), json.loads(line[6:])


class StreamableSession:
    """One Streamable HTTP session on one connection; each call reads its SSE response."""

    def __init__(self, port):
        self.connection = Connection(port)
        self.headers = dict(JSON_HEADERS)
        _, headers, _ = self.post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}})
        self.headers["Mcp-Session-Id"] = headers["mcp-session-id"]
        self.headers["MCP-Protocol-Version"] = "2025-11-25"
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        self.next_id = 1

    def post(self, message):
        self.connection.send("POST", "/mcp", self.headers, json.dumps(message).encode())
        status, headers = self.connection.head()
        return status, headers, self.connection.body(headers)

    def request(self, method, params=None, on_message=None):
        """Sends one request; returns its result (or error) message. `on_message(time, message)`
        sees every message of the response stream as it arrives."""
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.connection.send("POST", "/mcp", self.headers, json.dumps(message).encode())
        _, headers = self.connection.head()
        if headers.get("content-type", "").startswith("application/json"):
            return json.loads(self.connection.body(headers))
        response = None
        for arrived, received in sse_messages(self.connection.chunks()):
            if on_message:
                on_message(arrived, received)
            if received.get("id") == self.next_id:
                response = received
        return response

    def call(self, name, arguments, token=None, on_message=None):
        params = {"name": name, "arguments": arguments}
        if token is not None:
            params["_meta"] = {"progressToken": token}
        return self.request("tools/call", params, on_message)

    def close(self):
        self.connection.send("DELETE", "/mcp", {"Mcp-Session-Id": self.headers["Mcp-Session-Id"]})
        self.connection.body(self.connection.head()[1])
        self.connection.close()


class LegacySession:
    """One HTTP+SSE session: the event stream on one connection, POSTs on another."""

    def __init__(self, port):
        self.stream = Connection(port)
        self.stream.send("GET", "/sse", {"Accept": "text/event-stream"})
        self.stream.head()
        self.lines = self._lines(self.stream.chunks())
        self.endpoint = next(line[6:].decode() for line in self.lines if line.startswith(b"data: /messages"))
        self.posts = Connection(port)
        self.next_id = 0
        self.request("initialize", {"protocolVersion": "2024-11-05", "capabilities": {},
                                    "clientInfo": {"name": "bench", "version": "1"}})
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    @staticmethod
    def _lines(chunks):
        pending = b""
        for chunk in chunks:
            pending += chunk
            *lines, pending = pending.split(b"\n")
            yield from lines

    def post(self, message):
        self.posts.send("POST", self.endpoint, {"Content-Type": "application/json"}, json.dumps(message).encode())
        self.posts.body(self.posts.head()[1])

    def request(self, method, params=None):
        """Sends one request; returns its response, read from the event stream."""
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.post(message)
        for line in self.lines:
            if line.startswith(b"data: {"):
                received = json.loads(line[6:])
                if received.get("id") == self.next_id:
                    return received

    def close(self):
        self.stream.close()
        self.posts.close()


def _run_piped(program, arguments):
    """Runs `program` directly (posix_spawn, stdout piped, a minimal environment) until it has
    exited and its output ended; returns the `time.perf_counter` instants of its start, of its
    first output read and of its end, and that first output."""
    read_end, write_end = os.pipe()
    start = time.perf_counter()
    pid = os.posix_spawn(program, [program] + arguments, {"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
                         file_actions=[(os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_CLOSE, read_end)])
    os.close(write_end)
    first_at, first = None, b""
    while data := os.read(read_end, 65536):
        if first_at is None:
            first_at, first = time.perf_counter(), data
    os.waitpid(pid, 0)
    end = time.perf_counter()
    os.close(read_end)
    return start, first_at, first, end


def spawn(program, arguments):
    """Runs `program` directly; returns the seconds until its first output and until it had
    exited and its output ended."""
    start, first_at, _, end = _run_piped(program, arguments)
    return first_at - start, end - start


def first_output(program, arguments):
    """Runs `program` directly; returns when its first output was read (a `time.perf_counter`
    instant, the clock a child's `time.perf_counter()` reads too) and that output."""
    _, first_at, first, _ = _run_piped(program, arguments)
    return first_at, first


def since_stamp(arrived, line):
    """Seconds from the clock a child printed at the start of `line` to `arrived`."""
    return arrived - float(line.split()[0])
