"""Interop tests: the official MCP Python client against a real `warden serve`, both transports."""
import json
import os
import time

import anyio
import httpx
import pytest
from mcp.client.client import Client
from mcp.client.session import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from conftest import WARDEN

pytestmark = pytest.mark.anyio

JSON = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}


class session_for:
    """An initialized ClientSession over the named transport."""

    def __init__(self, server, transport):
        self.server, self.transport = server, transport

    async def __aenter__(self):
        if self.transport == "sse":
            self.streams = sse_client(self.server.url("/sse"))
        else:
            self.streams = streamable_http_client(self.server.url("/mcp"))
        read, write = (await self.streams.__aenter__())[:2]
        self.session = ClientSession(read, write)
        await self.session.__aenter__()
        self.init = await self.session.initialize()
        return self.session

    async def __aexit__(self, *exc):
        await self.session.__aexit__(*exc)
        await self.streams.__aexit__(*exc)


def new_session(server):
    """Initializes a session over raw HTTP; returns its id."""
    return httpx.post(server.url("/mcp"), headers=JSON, json=INIT).headers["mcp-session-id"]


def is_sandbox_uid(uid):
    """A uid of a `warden serve` with the default base: 200000 and up, 65536 per server instance
    on the host (the Swift tests' servers, which use other bases, are not counted)."""
    return uid >= 200000 and (uid - 200000) % 65536 < 20000


def sandbox_processes(include_standbys=False):
    """Host processes running as a sandbox uid: there must be none between runs,
    except those of a standby sandbox (unless `include_standbys`): its init (PID 1 of its namespace, the launcher's image)
    and the process that waits for a program (PID 2, no children): the launcher's image not yet
    exec'd (checked by /proc/PID/exe, which sandboxed code cannot fake), or an interpreter
    running Warden's warm loader, blocked reading its stdin."""
    launcher = os.path.realpath(os.path.join(os.path.dirname(WARDEN), "warden-launch"))

    def exe(pid):
        try:
            return os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return None

    def children(pid):
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return f.read().split()

    def is_waiting(pid):
        if children(pid):
            return False
        if exe(pid) == launcher:
            return True
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        if not (len(argv) == 5 and argv[1:3] == [b"-u", b"-c"] and argv[3].startswith(b"def _warden_prepare():")):
            return False
        # Blocked in read(0, ...): waiting for its program, not running one. One still starting
        # (Python takes ~45 ms here) gets there within moments; a program (that does not read
        # its stdin) never does.
        deadline = time.monotonic() + 2
        while True:
            with open(f"/proc/{pid}/syscall") as f:
                if f.read().split()[:2] == ["0", "0x0"]:
                    return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def is_standby(pid, inner_pid):
        if inner_pid == "1":
            return exe(pid) == launcher and all(is_waiting(child) for child in children(pid))
        return inner_pid == "2" and is_waiting(pid)

    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                status = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
            if not any(is_sandbox_uid(int(u)) for u in status["Uid"].split()):
                continue
            if status["State"].startswith("Z"):
                continue
            if not include_standbys and is_standby(pid, status["NSpid"].split()[-1]):
                continue
            found.append(pid)
        except (OSError, KeyError):
            pass
    return found


TRANSPORTS = ["streamable", "sse"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_initialize_and_list_tools(server, transport):
    async with session_for(server, transport) as session:
        tools = await session.list_tools()
        assert [t.name for t in tools.tools] == [
            "run_code", "write_file", "read_file", "list_files", "edit_file", "delete_file", "move_file"]
        tool = tools.tools[0]
        assert tool.input_schema["additionalProperties"] is False
        assert tool.annotations.destructive_hint is True and tool.annotations.read_only_hint is False


async def test_auto_mode_client_falls_back_from_server_discover(server):
    # mcp 2.x probes the 2026-07-28 era with server/discover first; Warden must answer so that it
    # falls back to initialize at once.
    start = time.monotonic()
    async with Client(server.url("/mcp")) as client:
        result = await client.call_tool("run_code", {"code": "print(6 * 7)"})
        assert result.structured_content["stdout"] == "42\n"
    assert time.monotonic() - start < 20


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_progress_arrives_before_the_result(server, transport):
    async with session_for(server, transport) as session:
        arrivals = []
        start = time.monotonic()

        async def progress(value, total, message):
            arrivals.append((time.monotonic() - start, value, message))

        code = "import time\nprint('first', flush=True)\ntime.sleep(1.5)\nprint('second')"
        result = await session.call_tool("run_code", {"code": code}, progress_callback=progress)
        finished = time.monotonic() - start
        assert result.is_error is False
        assert result.structured_content["status"] == "completed"
        assert result.structured_content["stdout"] == "first\nsecond\n"
        assert arrivals and "first" in arrivals[0][2]
        assert finished - arrivals[0][0] > 1.0, "the first line must arrive while the run sleeps"
        values = [a[1] for a in arrivals]
        assert values == sorted(values) and len(set(values)) == len(values)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_stderr_exit_codes_and_timeouts(server, transport):
    async with session_for(server, transport) as session:
        result = await session.call_tool(
            "run_code", {"code": "import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)"})
        assert result.is_error is True
        s = result.structured_content
        assert (s["status"], s["exit_code"], s["stdout"], s["stderr"]) == ("failed", 3, "out\n", "err\n")
        result = await session.call_tool("run_code", {"code": "sleep 30", "language": "bash", "timeout_seconds": 1})
        assert result.structured_content["status"] == "timeout"
        assert result.structured_content["duration_ms"] < 6000
        result = await session.call_tool("run_code", {"code": "print(1)", "language": "fortran"})
        assert result.is_error is True and "language" in result.content[0].text


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_cancellation_kills_the_run(server, transport):
    async with session_for(server, transport) as session:
        started = anyio.Event()

        async def progress(value, total, message):
            started.set()

        async def call():
            await session.call_tool(
                "run_code", {"code": "import time\nprint('up', flush=True)\ntime.sleep(60)"},
                progress_callback=progress)

        async with anyio.create_task_group() as group:
            group.start_soon(call)
            with anyio.fail_after(20):
                await started.wait()
            group.cancel_scope.cancel()
        with anyio.fail_after(10):
            while httpx.get(server.url("/healthz")).json()["running"] != 0 or sandbox_processes():
                await anyio.sleep(0.1)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_twenty_concurrent_calls_in_one_session(server, transport):
    async with session_for(server, transport) as session:
        results = {}

        async def call(i):
            r = await session.call_tool("run_code", {"code": f"print({i} * 2)"})
            results[i] = r.structured_content["stdout"]

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for i in range(20):
                    group.start_soon(call, i)
        assert results == {i: f"{i * 2}\n" for i in range(20)}


async def test_twenty_concurrent_calls_across_sessions(server):
    results = {}

    async def one(i):
        async with session_for(server, TRANSPORTS[i % 2]) as session:
            r = await session.call_tool("run_code", {"code": f"echo {i}", "language": "sh"})
            results[i] = r.structured_content["stdout"]

    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            for i in range(20):
                group.start_soon(one, i)
    assert results == {i: f"{i}\n" for i in range(20)}


def test_session_deletion_and_raw_http_statuses(server):
    url = server.url("/mcp")
    response = httpx.post(url, headers=JSON, json=INIT)
    assert response.status_code == 200
    session = response.headers["mcp-session-id"]
    assert len(session) == 32
    headers = dict(JSON, **{"Mcp-Session-Id": session})
    assert httpx.delete(url, headers=headers).status_code == 200
    assert httpx.post(url, headers=headers, json={"jsonrpc": "2.0", "id": 2, "method": "ping"}).status_code == 404

    unknown = dict(JSON, **{"Mcp-Session-Id": "0" * 32})
    assert httpx.post(url, headers=unknown, json={"jsonrpc": "2.0", "id": 2, "method": "ping"}).status_code == 404
    malformed = httpx.post(url, headers=JSON, content=b"{oops")
    assert malformed.status_code == 400
    assert malformed.json() == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": malformed.json()["error"]["message"]}}
    foreign = dict(JSON, Origin="https://evil.example")
    assert httpx.post(url, headers=foreign, json=INIT).status_code == 403
    rebinding = dict(JSON, Host="evil.example")
    assert httpx.post(url, headers=rebinding, json=INIT).status_code == 421


def test_token_is_required_when_set(token_server):
    url = token_server.url("/mcp")
    assert httpx.post(url, headers=JSON, json=INIT).status_code == 401
    wrong = dict(JSON, Authorization="Bearer nope")
    assert httpx.post(url, headers=wrong, json=INIT).status_code == 401
    right = dict(JSON, Authorization="Bearer interop-secret")
    assert httpx.post(url, headers=right, json=INIT).status_code == 200


def test_legacy_sse_answers_server_discover_at_once(server):
    # The 2.x client probes server/discover first; over HTTP+SSE the answer must come at once
    # (method not found), so the client falls back without waiting for a timeout.
    with httpx.Client(timeout=10) as client:
        with client.stream("GET", server.url("/sse"), headers={"Accept": "text/event-stream"}) as stream:
            lines = stream.iter_lines()
            endpoint = None
            for line in lines:
                if line.startswith("data: "):
                    endpoint = line[6:]
                    break
            assert endpoint and endpoint.startswith("/messages?session_id=")
            start = time.monotonic()
            posted = client.post(server.url(endpoint), headers={"Content-Type": "application/json"},
                                 json={"jsonrpc": "2.0", "id": 9, "method": "server/discover", "params": {}})
            assert posted.status_code == 202
            for line in lines:
                if line.startswith("data: "):
                    message = json.loads(line[6:])
                    assert message["id"] == 9 and message["error"]["code"] == -32601
                    break
            assert time.monotonic() - start < 2


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_log_level_mirrors_output_as_log_messages(server, transport):
    received = []

    async def logging_callback(params):
        received.append((params.logger, params.data))

    if transport == "sse":
        streams = sse_client(server.url("/sse"))
    else:
        streams = streamable_http_client(server.url("/mcp"))
    async with streams as s:
        async with ClientSession(s[0], s[1], logging_callback=logging_callback) as session:
            await session.initialize()
            await session.set_logging_level("info")
            await session.call_tool("run_code", {"code": "import sys\nprint('to-out')\nprint('to-err', file=sys.stderr)"})
    loggers = {logger for logger, _ in received}
    assert loggers == {"stdout", "stderr"}, received


def test_closing_the_sse_stream_ends_the_session_and_kills_its_runs(server):
    with httpx.Client(timeout=30) as client:
        with client.stream("GET", server.url("/sse"), headers={"Accept": "text/event-stream"}) as stream:
            lines = stream.iter_lines()
            endpoint = next(line[6:] for line in lines if line.startswith("data: "))
            post = lambda message: client.post(server.url(endpoint), headers={"Content-Type": "application/json"}, json=message)
            post(INIT)
            post({"jsonrpc": "2.0", "method": "notifications/initialized"})
            post({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
                "name": "run_code", "arguments": {"code": "import time\nprint('up', flush=True)\ntime.sleep(60)"},
                "_meta": {"progressToken": "p"}}})
            for line in lines:
                if line.startswith("data: ") and "notifications/progress" in line:
                    break
            assert httpx.get(server.url("/healthz")).json()["running"] >= 1
        # The server notices the closed connection at its next keep-alive write (every 5 s).
        deadline = time.monotonic() + 15
        while (httpx.get(server.url("/healthz")).json()["running"] != 0 or sandbox_processes()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert httpx.get(server.url("/healthz")).json()["running"] == 0
        assert not sandbox_processes()
        assert post({"jsonrpc": "2.0", "id": 6, "method": "ping"}).status_code == 404


def test_a_dropped_post_stream_resumes_with_last_event_id(server):
    url = server.url("/mcp")
    headers = dict(JSON, **{"Mcp-Session-Id": new_session(server)})
    httpx.post(url, headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    # Slow ticks: the run must still be going when the client comes back, even on a busy machine.
    code = "import time\nfor i in range(3):\n    print('tick', i, flush=True)\n    time.sleep(2)"
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "run_code", "arguments": {"code": code}, "_meta": {"progressToken": "r"}}}
    last_id = None
    seen = ""
    with httpx.Client(timeout=30) as client:
        with client.stream("POST", url, headers=headers, json=call) as stream:
            for line in stream.iter_lines():
                if line.startswith("id: "):
                    last_id = line[4:]
                if line.startswith("data: {"):
                    message = json.loads(line[6:])
                    seen += message.get("params", {}).get("message", "")
                if "tick 0\n" in seen:
                    break  # the client drops the connection here; the run goes on
        assert last_id
        resumed = client.get(url, headers=dict(headers, **{"Last-Event-ID": last_id, "Accept": "text/event-stream"}))
        assert resumed.status_code == 200, (last_id, resumed.text)
        messages = [json.loads(line[6:]) for line in resumed.text.splitlines() if line.startswith("data: ") and len(line) > 7]
        texts = "".join(m["params"]["message"] for m in messages if m.get("method") == "notifications/progress")
        assert "tick 0" not in texts and "tick 2" in texts
        result = messages[-1]["result"]["structuredContent"]
        assert result["stdout"] == "tick 0\ntick 1\ntick 2\n"


def test_the_session_cap_answers_503():
    from conftest import Server
    capped = Server(extra=["--max-sessions", "2"])
    try:
        url = capped.url("/mcp")
        for _ in range(2):
            assert httpx.post(url, headers=JSON, json=INIT).status_code == 200
        refused = httpx.post(url, headers=JSON, json=INIT)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == -32000
    finally:
        start = time.monotonic()
        capped.stop()
        assert time.monotonic() - start < 15
    assert not sandbox_processes()


def test_sigterm_kills_running_children_and_exits():
    from conftest import Server
    s = Server()
    url = s.url("/mcp")
    headers = dict(JSON, **{"Mcp-Session-Id": new_session(s)})
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "run_code", "arguments": {"code": "import time\nprint('up', flush=True)\ntime.sleep(120)", "timeout_seconds": 200},
                       "_meta": {"progressToken": "x"}}}
    try:
        with httpx.Client(timeout=30) as client:
            with client.stream("POST", url, headers=headers, json=call) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: ") and "notifications/progress" in line:
                        break
                assert sandbox_processes()
                start = time.monotonic()
                s.process.terminate()
                s.process.wait(timeout=20)
                assert time.monotonic() - start < 15
    finally:
        # A failed assertion must not leave a server (and its mounts) behind.
        if s.process.poll() is None:
            s.stop()
    assert not sandbox_processes()


def test_settings_come_from_flags_then_environment_then_file(tmp_path):
    from conftest import Server
    config = tmp_path / "warden.json"
    config.write_text(json.dumps({"warden": {"maxSessions": 1, "idleTimeout": 600}}))
    from_file = Server(extra=["--config", str(config)])
    try:
        assert httpx.post(from_file.url("/mcp"), headers=JSON, json=INIT).status_code == 200
        assert httpx.post(from_file.url("/mcp"), headers=JSON, json=INIT).status_code == 503
    finally:
        from_file.stop()
    from_environment = Server(extra=["--config", str(config)], env={"WARDEN_MAX_SESSIONS": "2"})
    try:
        for expected in (200, 200, 503):
            assert httpx.post(from_environment.url("/mcp"), headers=JSON, json=INIT).status_code == expected
    finally:
        from_environment.stop()
    from_flag = Server(extra=["--config", str(config), "--max-sessions", "3"], env={"WARDEN_MAX_SESSIONS": "2"})
    try:
        for expected in (200, 200, 200, 503):
            assert httpx.post(from_flag.url("/mcp"), headers=JSON, json=INIT).status_code == expected
    finally:
        from_flag.stop()


def test_one_standalone_get_stream_per_session(server):
    url = server.url("/mcp")
    headers = {"Accept": "text/event-stream", "Mcp-Session-Id": new_session(server)}
    with httpx.Client(timeout=10) as client:
        with client.stream("GET", url, headers=headers) as first:
            assert first.status_code == 200
            assert first.headers["content-type"].startswith("text/event-stream")
            second = client.get(url, headers=headers)
            assert second.status_code == 409
        assert client.get(url, headers={"Accept": "application/json", "Mcp-Session-Id": headers["Mcp-Session-Id"]}).status_code == 406


def test_a_closed_standalone_stream_can_be_reopened(server):
    url = server.url("/mcp")
    headers = {"Accept": "text/event-stream", "Mcp-Session-Id": new_session(server)}
    with httpx.Client(timeout=10) as client:
        with client.stream("GET", url, headers=headers) as first:
            assert first.status_code == 200
        # The server notices the closed stream at its next keep-alive write (every 5 s).
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with client.stream("GET", url, headers=headers) as again:
                if again.status_code == 200:
                    return
            time.sleep(0.5)
        raise AssertionError("the standalone stream was never released")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_output_full_of_escapes_stays_under_the_event_limit(server, transport):
    # Control characters take six bytes each in JSON; the result cap must count them so.
    async with session_for(server, transport) as session:
        code = ("import sys\nsys.stdout.write('\\x01' * 300000)\nsys.stderr.write('\"\\\\' * 150000)\n"
                "sys.stdout.write('\\xff'.encode('latin-1').decode('latin-1') * 10)")
        result = await session.call_tool("run_code", {"code": code})
        s = result.structured_content
        assert s["status"] == "completed"
        assert 0 < s["stdout_truncated"] < 300010 and s["stderr_truncated"] > 0
        assert s["stdout"].startswith("\x01") and "bytes truncated" in s["stdout"]
        assert s["stdout_file"] and s["stderr_file"]


def test_a_client_that_stops_reading_cannot_make_the_server_hold_the_output(server):
    # 14 MiB of control characters become ~85 MiB of progress JSON; a client that never reads
    # must cost the server at most its backlog, and still get the result when it reads again.
    import socket

    def rss_mib():
        with open(f"/proc/{server.process.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024

    session = new_session(server)
    call = json.dumps({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
        "name": "run_code", "_meta": {"progressToken": "flood"},
        "arguments": {"code": "import sys\nfor i in range(900): sys.stdout.buffer.write(b'\\x01' * 16384); sys.stdout.flush()",
                      "timeout_seconds": 60}}}).encode()
    before = rss_mib()
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall((f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\n"
                   f"Accept: application/json, text/event-stream\r\nMcp-Session-Id: {session}\r\n"
                   f"Content-Length: {len(call)}\r\n\r\n").encode() + call)
        peak = before
        deadline = time.monotonic() + 60
        time.sleep(1)
        while httpx.get(server.url("/healthz")).json()["running"] and time.monotonic() < deadline:
            peak = max(peak, rss_mib())
            time.sleep(0.2)
        peak = max(peak, rss_mib())
        assert peak - before < 60, f"server RSS grew by {peak - before:.0f} MiB for one unread stream"
        s.settimeout(30)
        tail = b""
        while b'"stdout_file"' not in tail:
            chunk = s.recv(1 << 20)
            assert chunk, "the stream closed before the result"
            tail = tail[-100:] + chunk


def test_delete_returns_only_once_the_sessions_runs_are_gone(server):
    headers = dict(JSON, **{"Mcp-Session-Id": new_session(server)})
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "run_code", "_meta": {"progressToken": "x"},
                       "arguments": {"code": "import time\nprint('up', flush=True)\ntime.sleep(60)", "timeout_seconds": 90}}}
    with httpx.Client(timeout=30) as client:
        with client.stream("POST", server.url("/mcp"), headers=headers, json=call) as stream:
            for line in stream.iter_lines():
                if line.startswith("data: ") and "notifications/progress" in line:
                    break
            assert sandbox_processes()
            assert client.delete(server.url("/mcp"), headers={"Mcp-Session-Id": headers["Mcp-Session-Id"]}).status_code == 200
            # Its uid may go to the next session at once: nothing of this one may still run.
            assert not sandbox_processes()


def test_a_batch_gets_all_its_responses(server):
    """Protocol 2025-03-26 allows JSON-RPC batches: the SDK answers one with one batch of
    responses, which must reach the POST's stream (and end it) whatever its requests. A session
    at a later version gets -32600 (batching was removed in 2025-06-18)."""
    latest = dict(JSON, **{"Mcp-Session-Id": new_session(server), "MCP-Protocol-Version": "2025-11-25"})
    refused = httpx.post(server.url("/mcp"), headers=latest, json=[{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
    assert refused.status_code == 400 and refused.json()["error"]["code"] == -32600
    init = dict(INIT, params=dict(INIT["params"], protocolVersion="2025-03-26"))
    session = httpx.post(server.url("/mcp"), headers=JSON, json=init).headers["mcp-session-id"]
    headers = dict(JSON, **{"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-03-26"})
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "id": "two", "method": "tools/list"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "run_code", "arguments": {"code": "print(6 * 7)"}}},
    ]
    response = httpx.post(server.url("/mcp"), headers=headers, json=batch, timeout=30)
    assert response.status_code == 200
    answers = {}
    for line in response.text.splitlines():
        if line.startswith("data: ") and len(line) > 6:
            message = json.loads(line[6:])
            for item in message if isinstance(message, list) else [message]:
                answers[item.get("id")] = item
    assert set(answers) == {1, "two", 3}, answers
    assert answers[1]["result"] == {}
    assert {tool["name"] for tool in answers["two"]["result"]["tools"]} >= {"run_code", "read_file"}
    assert answers[3]["result"]["structuredContent"]["stdout"] == "42\n"


def test_an_id_still_in_flight_is_refused_and_the_first_call_still_answers(server):
    """A second request with the id of a call in flight would take over its stream: it gets
    409, and the first call's stream still ends with its own result."""
    url = server.url("/mcp")
    headers = dict(JSON, **{"Mcp-Session-Id": new_session(server)})
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "run_code", "arguments": {"code": "import time\nprint('a', flush=True)\ntime.sleep(2)\nprint('b')"}}}
    with httpx.Client(timeout=30) as client:
        with client.stream("POST", url, headers=headers, json=call) as first:
            lines = first.iter_lines()
            next(line for line in lines if line.startswith("id: "))  # the call is in flight
            again = client.post(url, headers=headers, json={"jsonrpc": "2.0", "id": 7, "method": "ping"})
            assert again.status_code == 409, again.text
            assert again.json()["error"]["code"] == -32600
            results = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
    assert results[-1]["id"] == 7
    assert results[-1]["result"]["structuredContent"]["stdout"] == "a\nb\n"
