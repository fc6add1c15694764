# hostile: none - functional smoke test: ordinary Python features must work under the sandbox policy
# language: python
# timeout: 10
# expect-status: completed
# expect-stdout: OK: threads
# expect-stdout: OK: subprocess
# expect-stdout: OK: multiprocessing
# expect-stdout: OK: asyncio
# expect-stdout: OK: sqlite3
# expect-stdout: OK: ssl
# expect-stdout: OK: loopback socket
# expect-stdout: OK: workspace write
# expect-stdout: OK: tmp write
import os
import sys
import traceback

failures = 0


def check(name):
    def wrap(fn):
        global failures
        try:
            detail = fn()
            print(f"OK: {name}" + (f" ({detail})" if detail else ""), flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure, keep going
            failures += 1
            print(f"FAIL: {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc()
        return fn
    return wrap


@check("threads")
def _():
    import threading
    out = [0] * 4

    def work(i):
        out[i] = sum(range(100_000 * (i + 1)))

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(5)
    assert out == [sum(range(100_000 * (i + 1))) for i in range(4)], out
    return "4 threads"


@check("subprocess")
def _():
    import subprocess
    r = subprocess.run(["echo", "hi"], capture_output=True, text=True, timeout=5)
    assert r.stdout == "hi\n", r
    r = subprocess.run(["/bin/sh", "-c", "echo $((6*7))"], capture_output=True, text=True, timeout=5)
    assert r.stdout.strip() == "42", r
    r = subprocess.run([sys.executable, "-c", "print(2**10)"], capture_output=True, text=True, timeout=5)
    assert r.stdout.strip() == "1024", r
    return "echo, sh, python"


def _square(x):
    return x * x


@check("multiprocessing")
def _():
    import multiprocessing as mp
    with mp.get_context("fork").Pool(2) as pool:
        res = pool.map_async(_square, range(10)).get(timeout=8)
    assert res == [x * x for x in range(10)], res
    q = mp.get_context("fork").Queue()
    p = mp.get_context("fork").Process(target=q.put, args=("from child",))
    p.start()
    msg = q.get(timeout=5)
    p.join(5)
    assert msg == "from child" and p.exitcode == 0, (msg, p.exitcode)
    return "Pool + Process/Queue"


@check("asyncio")
def _():
    import asyncio

    async def job(i):
        await asyncio.sleep(0.01 * i)
        return i * 2

    async def main():
        r = await asyncio.gather(*(job(i) for i in range(5)))
        proc = await asyncio.create_subprocess_exec("echo", "async", stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        return r, out

    r, out = asyncio.run(main())
    assert r == [0, 2, 4, 6, 8] and out == b"async\n", (r, out)
    return "gather + subprocess"


@check("sqlite3")
def _():
    import sqlite3
    import tempfile
    for db in (":memory:", os.path.join(tempfile.mkdtemp(), "t.db")):
        con = sqlite3.connect(db)
        con.execute("create table t (x integer)")
        con.executemany("insert into t values (?)", [(i,) for i in range(100)])
        con.commit()
        assert con.execute("select sum(x) from t").fetchone()[0] == 4950
        con.close()
    return sqlite3.sqlite_version


@check("ssl")
def _():
    import hashlib
    import ssl
    ctx = ssl.create_default_context()
    n = ctx.cert_store_stats()["x509_ca"]
    assert n > 0, f"no CA certificates loaded ({ssl.get_default_verify_paths()})"
    assert len(ssl.RAND_bytes(16)) == 16
    assert hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf")
    return f"{ssl.OPENSSL_VERSION}, {n} CAs"


@check("loopback socket")
def _():
    import socket
    import threading
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(5)
    port = srv.getsockname()[1]

    def serve():
        c, _ = srv.accept()
        with c:
            c.sendall(c.recv(64).upper())

    t = threading.Thread(target=serve)
    t.start()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
        c.sendall(b"ping")
        reply = c.recv(64)
    t.join(5)
    srv.close()
    assert reply == b"PING", reply
    return f"127.0.0.1:{port}"


@check("workspace write")
def _():
    path = os.path.join(os.getcwd() if os.access(os.getcwd(), os.W_OK) else "/workspace", "smoke.txt")
    with open(path, "w") as f:
        f.write("hello")
    with open(path) as f:
        assert f.read() == "hello"
    os.unlink(path)
    return path


@check("tmp write")
def _():
    import tempfile
    with tempfile.NamedTemporaryFile("w+", dir="/tmp") as f:
        f.write("x" * 1000)
        f.flush()
        f.seek(0)
        assert len(f.read()) == 1000
    with open("/dev/urandom", "rb") as f:
        assert len(f.read(32)) == 32
    return "/tmp + /dev/urandom"


sys.exit(1 if failures else 0)
