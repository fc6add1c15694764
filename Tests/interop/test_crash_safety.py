"""Nothing outlives the server: a `warden serve` killed with SIGKILL leaves no sandbox running,
and the next server on the same root removes what it left."""
import os
import signal
import threading
import time

import httpx

from conftest import Server
from test_interop import INIT, JSON, sandbox_processes

# Each run detaches two more processes into sessions of their own, then sleeps far past the
# test: only the sandbox's end can stop them.
DETACHING = ("import subprocess, time\n"
             "for _ in range(2):\n"
             "    subprocess.Popen(['sleep', '1000'], start_new_session=True)\n"
             "print('up', flush=True)\n"
             "time.sleep(1000)")


def mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[4].startswith(str(path) + "/")]


def children(pid):
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(child) for child in f.read().split()]
    return found


def start_run(server, session, started, index):
    """A run_code call whose stream stays open until the server dies."""
    headers = dict(JSON, **{"Mcp-Session-Id": session})
    call = {"jsonrpc": "2.0", "id": 10 + index, "method": "tools/call",
            "params": {"name": "run_code", "_meta": {"progressToken": f"t{index}"},
                       "arguments": {"code": DETACHING, "timeout_seconds": 200}}}
    try:
        with httpx.Client(timeout=60) as client:
            with client.stream("POST", server.url("/mcp"), headers=headers, json=call) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: ") and "notifications/progress" in line:
                        started.release()
    except httpx.HTTPError:
        pass  # the server was killed


def test_sigkill_of_the_server_leaves_nothing_running_and_a_restart_cleans_up(tmp_path):
    root = tmp_path / "workspaces"
    server = Server(extra=["--max-runs", "8", "--workspace-root", str(root)])
    started = threading.Semaphore(0)
    threads = []
    try:
        sessions = [httpx.post(server.url("/mcp"), headers=JSON, json=INIT).headers["mcp-session-id"]
                    for _ in range(4)]
        for index in range(8):
            thread = threading.Thread(target=start_run, args=(server, sessions[index % 4], started, index), daemon=True)
            thread.start()
            threads.append(thread)
        for _ in range(8):
            assert started.acquire(timeout=60), "every run started"
        assert len(sandbox_processes()) >= 8 * 3
        launchers = children(server.process.pid)
        assert len(launchers) >= 8
        assert len(mounts_under(root)) == 4
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    # The launchers see their server gone and end their sandboxes, standbys included.
    deadline = time.monotonic() + 10
    while (sandbox_processes(include_standbys=True) or any(os.path.exists(f"/proc/{pid}") for pid in launchers)) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not sandbox_processes(include_standbys=True)
    assert not [pid for pid in launchers if os.path.exists(f"/proc/{pid}")]
    for thread in threads:
        thread.join(timeout=10)
    # Its workspaces are still mounted: a server killed this way cannot unmount them. The next
    # server on the same root does, and serves at once.
    assert len(mounts_under(root)) == 4
    restarted = Server(extra=["--workspace-root", str(root)])
    try:
        assert mounts_under(root) == []
        session = httpx.post(restarted.url("/mcp"), headers=JSON, json=INIT).headers["mcp-session-id"]
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "run_code", "arguments": {"code": "print(6 * 7)"}}}
        answer = httpx.post(restarted.url("/mcp"), headers=dict(JSON, **{"Mcp-Session-Id": session}), json=call,
                            timeout=60)
        assert '42' in answer.text
    finally:
        restarted.stop()
    assert not sandbox_processes()
