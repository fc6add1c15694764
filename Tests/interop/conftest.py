"""Starts a real `warden serve` for the interop tests (one without a token, one with)."""
import os
import socket
import subprocess
import time

import httpx
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WARDEN = os.environ.get("WARDEN_BIN", os.path.join(ROOT, ".build", "debug", "warden"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, token=None, extra=(), env=None):
        self.port = free_port()
        self.token = token
        args = [WARDEN, "serve", "--port", str(self.port), "--log-level", "warning", "--max-runs", "4"]
        if token:
            args += ["--token", token]
        args += list(extra)
        environment = dict(os.environ, **(env or {}))
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(self.url("/healthz"), timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("warden serve did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def token_server():
    s = Server(token="interop-secret")
    yield s
    s.stop()


@pytest.fixture
def anyio_backend():
    return "asyncio"
