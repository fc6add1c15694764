"""Soak benchmark: many runs across 16 sessions of one `warden serve`, with what the server holds
recorded as it goes; the goal is flat figures, and nothing left once it stops.

Each of 16 workers keeps a session busy with a mix of calls: print runs, file tools (write,
read, edit, list, move, delete), runs that time out, runs killed by the memory cgroup, runs
cancelled by closing their stream, and every 200 calls it ends its session (DELETE) and opens a
new one. Every `--every` runs (and at the end) it records the server's resident memory, open
file descriptors and threads, the processes under the sandbox uids of this server, its
workspace mounts, its cgroup leaves and the entries of its run directory. After SIGTERM it
checks that no process, mount or run directory is left.

Usage: .venv/bin/python bench/soak.py [--runs 20000] [--every 10000] [--warden .build/release/warden]
"""
import argparse
import glob
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attacks  # noqa: E402

MIX = ["print"] * 10 + ["files"] * 6 + ["timeout", "cancel"] + ["oom"] * 1
OOM = "blocks = []\nwhile True:\n    blocks.append(bytearray(64 << 20))"


class Soak:
    def __init__(self, binary, runs, every):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [binary, "serve", "--port", str(self.port), "--log-level", "error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                if httpx.get(attacks.url(self.port, "/healthz"), timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        self.runs, self.every = runs, every
        self.done = 0
        self.errors = 0
        self.lock = threading.Lock()
        self.next_mark = every
        self.marks = []
        self.ids = itertools.count(10)

    # What the server holds.

    def uids(self):
        """This server's sandbox uids: its instance's block (see SandboxConfiguration)."""
        return range(self.base, self.base + 65536)

    def find_instance(self):
        """The server's instance number: the one whose workspace root it holds open."""
        for path in glob.glob("/run/warden-instances/*.workspaces") + glob.glob("/tmp/warden-instances-*/*.workspaces"):
            if self.owns(path):
                self.instance, self.workspace_root = int(os.path.basename(path).split(".")[0]), path
                self.base = 200000 + self.instance * 65536
                return
        raise RuntimeError("cannot find the server's workspace root")

    def owns(self, path):
        """Whether the workspace root's lock is held by our server (its fd is open there)."""
        for fd in os.listdir(f"/proc/{self.process.pid}/fd"):
            try:
                if os.readlink(f"/proc/{self.process.pid}/fd/{fd}").startswith(path):
                    return True
            except OSError:
                pass
        return False

    def sandbox_processes(self):
        uids = self.uids()
        found = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/status") as f:
                    status = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
                if not status["State"].startswith("Z") and any(int(u) in uids for u in status["Uid"].split()):
                    found += 1
            except (OSError, KeyError):
                pass
        return found

    def mounts(self):
        with open("/proc/self/mountinfo") as f:
            return sum(1 for line in f if line.split()[4].startswith(self.workspace_root + "/"))

    def cgroup_leaves(self):
        return len(glob.glob(f"/sys/fs/cgroup/*/warden-runs/id-*-{self.instance}/run-*")
                   + glob.glob(f"/sys/fs/cgroup/warden-runs/id-*-{self.instance}/run-*"))

    def run_directories(self):
        return len(glob.glob(f"/tmp/warden-{self.process.pid}-*/runs/*"))

    def record(self, label):
        pid = self.process.pid
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
        self.marks.append({
            "runs": label, "rss_mib": int(status["VmRSS"].split()[0]) / 1024, "threads": int(status["Threads"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd")), "processes": self.sandbox_processes(),
            "mounts": self.mounts(), "leaves": self.cgroup_leaves(), "run_dirs": self.run_directories(),
            "time": time.monotonic(),
        })
        mark = self.marks[-1]
        print(f"# {label} runs: RSS {mark['rss_mib']:.1f} MiB, {mark['fds']} fds, {mark['threads']} threads, "
              f"{mark['processes']} sandbox processes, {mark['mounts']} mounts, {mark['leaves']} leaves, "
              f"{mark['run_dirs']} run dirs", flush=True)

    # The load.

    def counted(self):
        with self.lock:
            self.done += 1
            if self.done >= self.next_mark:
                self.next_mark += self.every
                self.record(self.done)
            return self.done <= self.runs

    def worker(self, index):
        random.seed(index)
        headers = attacks.new_session(self.port)
        calls = 0
        while self.done < self.runs:
            calls += 1
            if calls % 200 == 0:
                attacks.delete_session(self.port, headers)
                headers = attacks.new_session(self.port)
            kind = random.choice(MIX)
            try:
                ok = getattr(self, kind)(headers)
            except (httpx.HTTPError, OSError, KeyError, TypeError, ValueError):
                ok = False
            if not ok:
                with self.lock:
                    self.errors += 1
            if kind != "files" and not self.counted():
                break
        attacks.delete_session(self.port, headers)

    def run_code(self, headers, code, timeout=30):
        response = attacks.call(self.port, headers, "run_code", {"code": code, "timeout_seconds": timeout},
                                call_id=next(self.ids))
        return (response or {}).get("result", {}).get("structuredContent", {}).get("status")

    def print(self, headers):
        return self.run_code(headers, "print(1)") == "completed"

    def timeout(self, headers):
        return self.run_code(headers, "import time\ntime.sleep(5)", timeout=0.3) == "timeout"

    def oom(self, headers):
        return self.run_code(headers, OOM) == "memory_limit"

    def cancel(self, headers):
        """Starts a long run and closes its stream (a cancelled call); then the session goes on."""
        message = {"jsonrpc": "2.0", "id": next(self.ids), "method": "tools/call",
                   "params": {"name": "run_code", "arguments": {"code": "import time\nprint(1, flush=True)\ntime.sleep(30)"},
                              "_meta": {"progressToken": "c"}}}
        with httpx.Client(timeout=30) as client:
            with client.stream("POST", attacks.url(self.port, "/mcp"), headers=headers, json=message) as stream:
                for line in stream.iter_lines():
                    if "notifications/progress" in line:
                        break
            # A Streamable HTTP stream may be resumed: the run is cancelled explicitly.
            client.post(attacks.url(self.port, "/mcp"), headers=headers, json={
                "jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": message["id"]}})
        return True

    def tool(self, headers, name, arguments):
        response = attacks.call(self.port, headers, name, arguments, call_id=next(self.ids))
        return not (response or {}).get("result", {}).get("isError", True)

    def files(self, headers):
        name = f"f{random.randrange(20)}.txt"
        return all([
            self.tool(headers, "write_file", {"path": f"d/{name}", "content": "x" * random.randrange(1, 4096)}),
            self.tool(headers, "read_file", {"path": f"d/{name}"}),
            self.tool(headers, "edit_file", {"path": f"d/{name}", "old_text": "x", "new_text": "y", "replace_all": True}),
            self.tool(headers, "list_files", {"path": ".", "recursive": True}),
            self.tool(headers, "move_file", {"source": f"d/{name}", "destination": f"e/{name}"}),
            self.tool(headers, "delete_file", {"path": "e", "recursive": True}),
        ])

    def main(self):
        self.find_instance()
        self.record(0)
        threads = [threading.Thread(target=self.worker, args=(index,), daemon=True) for index in range(16)]
        start = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
        time.sleep(3)  # the last sandboxes are reaped
        self.record(f"{self.done} (end, idle)")
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        time.sleep(1)
        left = {"processes": self.sandbox_processes(), "mounts": self.mounts(), "run_dirs": self.run_directories()}
        print(f"Soak: {self.done} runs across 16 sessions in {elapsed:.0f} s ({self.done / elapsed:.1f} runs/s), "
              f"{self.errors} calls that did not answer as expected\n")
        print("| runs | RSS MiB | fds | threads | sandbox processes | workspace mounts | cgroup leaves | run dirs |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for mark in self.marks:
            print(f"| {mark['runs']} | {mark['rss_mib']:.1f} | {mark['fds']} | {mark['threads']} | {mark['processes']} "
                  f"| {mark['mounts']} | {mark['leaves']} | {mark['run_dirs']} |")
        print(f"\nAfter SIGTERM: {json.dumps(left)}")
        return 0 if not any(left.values()) else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--every", type=int, default=10000)
    parser.add_argument("--warden", default=".build/release/warden")
    arguments = parser.parse_args()
    sys.exit(Soak(arguments.warden, arguments.runs, arguments.every).main())


if __name__ == "__main__":
    main()
