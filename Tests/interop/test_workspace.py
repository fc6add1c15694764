"""Session workspaces, file tools and run artifacts through the official MCP Python client."""
import base64
import os
import struct
import time
import zlib

import anyio
import httpx
import pytest
from mcp.types import ImageContent, ResourceLink, TextContent

from conftest import Server
from test_interop import INIT, JSON, TRANSPORTS, session_for

pytestmark = pytest.mark.anyio


async def call(session, name, **arguments):
    return await session.call_tool(name, arguments)


def code_of(result):
    """The coded reason of an isError file-tool result."""
    assert result.is_error is True, result
    return result.content[0].text.split(":", 1)[0]


def tiny_png():
    """A valid 1x1 PNG, built without any imaging library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def small_server():
    s = Server(extra=["--workspace-bytes", str(2 << 20), "--workspace-entries", "40"])
    yield s
    s.stop()


@pytest.fixture
def canary(tmp_path):
    """A host directory outside every workspace: the target of planted links. Never a real host file."""
    directory = tmp_path / "canary"
    directory.mkdir()
    (directory / "secret").write_text("host secret\n")
    os.chmod(tmp_path, 0o755)
    yield directory
    assert (directory / "secret").read_text() == "host secret\n"
    assert sorted(os.listdir(directory)) == ["secret"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_write_run_read_edit_run(server, transport):
    async with session_for(server, transport) as session:
        r = await call(session, "write_file", path="proj/main.py",
                       content="from util import greet\nprint(greet('world'))\n")
        assert r.is_error is False and r.structured_content["path"] == "/workspace/proj/main.py"
        await call(session, "write_file", path="/workspace/proj/util.py",
                   content="def greet(name):\n    return 'hello ' + name\n")
        r = await call(session, "run_code", code="cd proj && python3 main.py > out.txt && cat out.txt", language="bash")
        assert r.structured_content["stdout"] == "hello world\n"
        changes = {f["path"]: f["change"] for f in r.structured_content["files"]}
        assert changes == {"/workspace/proj/out.txt": "created"}
        r = await call(session, "read_file", path="proj/out.txt")
        assert r.content[0].text == "hello world\n" and r.structured_content["encoding"] == "utf-8"
        r = await call(session, "edit_file", path="proj/util.py", old_text="'hello '", new_text="'goodbye '")
        assert r.structured_content["replacements"] == 1
        r = await call(session, "run_code", code="import os, runpy, sys; os.chdir('proj'); sys.path.insert(0, '.'); runpy.run_path('main.py')")
        assert r.structured_content["stdout"] == "goodbye world\n"
        r = await call(session, "list_files", recursive=True)
        names = {e["path"]: e["type"] for e in r.structured_content["entries"]}
        assert names == {"/workspace/proj": "directory", "/workspace/proj/main.py": "file",
                         "/workspace/proj/util.py": "file", "/workspace/proj/out.txt": "file"}
        r = await call(session, "move_file", source="proj/out.txt", destination="results/out.txt")
        assert r.is_error is False
        r = await call(session, "delete_file", path="proj", recursive=True)
        assert r.is_error is False
        r = await call(session, "list_files", path=".", recursive=True)
        assert [e["path"] for e in r.structured_content["entries"]] == ["/workspace/results", "/workspace/results/out.txt"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_binary_round_trip_images_and_unicode_names(server, transport):
    async with session_for(server, transport) as session:
        blob = bytes(range(256)) * 3
        r = await call(session, "write_file", path="données/二進.bin", content=base64.b64encode(blob).decode(),
                       encoding="base64")
        assert r.structured_content["size"] == len(blob)
        r = await call(session, "read_file", path="données/二進.bin")
        assert r.structured_content["encoding"] == "base64"
        assert base64.b64decode(r.content[0].text) == blob
        r = await call(session, "read_file", path="données/二進.bin", offset=256, length=4, encoding="base64")
        assert base64.b64decode(r.content[0].text) == bytes([0, 1, 2, 3])
        r = await call(session, "run_code", code="import hashlib; print(hashlib.sha256(open('données/二進.bin','rb').read()).hexdigest())")
        import hashlib
        assert r.structured_content["stdout"].strip() == hashlib.sha256(blob).hexdigest()
        await call(session, "write_file", path="dot.png", content=base64.b64encode(tiny_png()).decode(), encoding="base64")
        r = await call(session, "read_file", path="dot.png")
        assert isinstance(r.content[0], ImageContent) and r.content[0].mime_type == "image/png"
        assert base64.b64decode(r.content[0].data) == tiny_png()
        r = await call(session, "list_files", path="données")
        assert [(e["path"], e["name"]) for e in r.structured_content["entries"]] == [
            ("/workspace/données/二進.bin", "二進.bin")]


async def test_sessions_cannot_see_each_other(server):
    async with session_for(server, "streamable") as one, session_for(server, "sse") as two:
        await call(one, "write_file", path="mine.txt", content="one's")
        r = await call(two, "read_file", path="mine.txt")
        assert code_of(r) == "not_found"
        r = await call(two, "run_code", code="ls -A /workspace; find / -name mine.txt 2>/dev/null | head -3; echo end",
                       language="bash")
        assert r.structured_content["stdout"] == "end\n"
        r = await call(two, "list_files")
        assert r.structured_content["entries"] == []


async def test_every_coded_error(small_server):
    async with session_for(small_server, "streamable") as s:
        await call(s, "write_file", path="a.txt", content="x = 1\nx = 1\n")
        await call(s, "write_file", path="d/inner.txt", content="hi")
        await call(s, "write_file", path="bin", content=base64.b64encode(b"\xff\xfe").decode(), encoding="base64")
        await call(s, "run_code", code="mkfifo fifo", language="bash")
        big = "y" * (300 << 10)
        await call(s, "write_file", path="big.txt", content=big)
        cases = [
            (("read_file",), {"path": "../../etc/passwd"}, "outside_workspace"),
            (("read_file",), {"path": "/etc/passwd"}, "outside_workspace"),
            (("read_file",), {"path": "nope.txt"}, "not_found"),
            (("read_file",), {"path": "d"}, "is_directory"),
            (("read_file",), {"path": "fifo"}, "not_a_regular_file"),
            (("read_file",), {"path": "big.txt"}, "too_large"),
            (("read_file",), {"path": "big.txt", "offset": 0, "length": 300 << 10}, "too_large"),
            (("write_file",), {"path": "a.txt", "content": "z", "mode": "create"}, "exists"),
            (("write_file",), {"path": "huge.bin", "content": "q" * (3 << 20)}, "quota_exceeded"),
            (("edit_file",), {"path": "a.txt", "old_text": "nothing", "new_text": ""}, "no_match"),
            (("edit_file",), {"path": "a.txt", "old_text": "x = 1", "new_text": "x = 2"}, "ambiguous_match"),
            (("read_file",), {"path": "a\u0000b"}, "invalid_path"),
            (("read_file",), {"path": ""}, "invalid_path"),
            (("read_file",), {"path": "n" * 300}, "invalid_path"),
            (("read_file",), {"path": "bin", "encoding": "utf-8"}, "invalid_encoding"),
            (("edit_file",), {"path": "bin", "old_text": "a", "new_text": "b"}, "invalid_encoding"),
            (("write_file",), {"path": "x.bin", "content": "@@@", "encoding": "base64"}, "invalid_encoding"),
            (("move_file",), {"source": "a.txt", "destination": "d/inner.txt"}, "exists"),
            (("delete_file",), {"path": "d"}, "is_directory"),
            (("write_file",), {"path": "a.txt", "content": "z", "colour": "red"}, "invalid_arguments"),
        ]
        for (name,), arguments, expected in cases:
            r = await s.call_tool(name, arguments)
            assert code_of(r) == expected, (name, arguments, r.content[0].text)
        r = await call(s, "read_file", path="a.txt")
        assert r.content[0].text == "x = 1\nx = 1\n", "a failed call must change nothing"


async def test_quota_holds_against_tools_and_runs(small_server):
    async with session_for(small_server, "sse") as s:
        await call(s, "write_file", path="keep.txt", content="kept")
        r = await call(s, "write_file", path="keep.txt", content="k" * (3 << 20))
        assert code_of(r) == "quota_exceeded"
        r = await call(s, "read_file", path="keep.txt")
        assert r.content[0].text == "kept"
        r = await call(s, "list_files")
        assert [e["path"] for e in r.structured_content["entries"]] == ["/workspace/keep.txt"]
        r = await call(s, "run_code", code=(
            "import errno\n"
            "try:\n    open('fill','wb').write(b'x' * (8 << 20))\nexcept OSError as e: print(errno.errorcode[e.errno])\n"
            "n = 0\n"
            "try:\n    [open(f'f{i}', 'w').close() or None for i in range(500)]\nexcept OSError as e: print(errno.errorcode[e.errno])\n"))
        assert r.structured_content["stdout"] == "ENOSPC\nENOSPC\n"
        r = await call(s, "write_file", path="more.txt", content="m")
        assert code_of(r) == "quota_exceeded"
        # Output too long for the result cannot be saved in a full workspace: said, not faked.
        r = await call(s, "run_code", code="print('z' * 300000)")
        assert r.structured_content["stdout_truncated"] > 0 and r.structured_content["stdout_file"] is None
        assert "could not be saved" in r.content[0].text
        assert not [c for c in r.content if isinstance(c, ResourceLink)]
        r = await call(s, "run_code", code="rm -f fill f*; echo cleaned", language="bash")
        r = await call(s, "write_file", path="more.txt", content="m")
        assert r.is_error is False


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_planted_links_hard_links_and_fifos_are_refused(server, transport, canary):
    async with session_for(server, transport) as s:
        r = await call(s, "run_code", language="bash", code=(
            f"ln -s {canary}/secret secret; ln -s {canary} dir; ln -s /proc/self/root root; "
            f"ln -s ../../../../../../../../..{canary} up; mkfifo fifo; "
            "ln /etc/hostname hard 2>/dev/null && echo linked || echo nolink"))
        assert r.structured_content["stdout"] == "nolink\n"
        for path in ["secret", "dir/secret", f"root{canary}/secret", "up/secret", "dir", "up"]:
            for name, arguments in [
                ("read_file", {"path": path}),
                ("list_files", {"path": path}),
                ("write_file", {"path": path, "content": "pwned"}),
                ("write_file", {"path": path, "content": "pwned", "mode": "append"}),
                ("edit_file", {"path": path, "old_text": "host", "new_text": "pwned"}),
                ("move_file", {"source": path, "destination": "moved"}),
                ("delete_file", {"path": path, "recursive": True}),
            ]:
                r = await s.call_tool(name, arguments)
                assert code_of(r) == "outside_workspace", (name, path, r.content[0].text)
        r = await call(s, "write_file", path="dir/new.txt", content="pwned")
        assert code_of(r) == "outside_workspace"
        with anyio.fail_after(10):
            r = await call(s, "read_file", path="fifo")
        assert code_of(r) == "not_a_regular_file"
        r = await call(s, "list_files")
        types = {e["path"]: (e["type"], e.get("target")) for e in r.structured_content["entries"]}
        assert types["/workspace/secret"] == ("symlink", f"{canary}/secret")
        assert types["/workspace/fifo"] == ("fifo", None)


async def test_a_symlink_swap_race_never_leaks(server, canary):
    async with session_for(server, "streamable") as s:
        await call(s, "write_file", path="real/f", content="inside\n")
        leaks, attempts = [], 0
        racing = True

        async def swap():
            nonlocal racing
            await call(s, "run_code", language="bash", timeout_seconds=30, code=(
                "end=$((SECONDS+5)); while [ $SECONDS -lt $end ]; do for i in $(seq 50); do "
                f"mv real held; ln -s {canary} real; rm real; mv held real; "
                f"mv real held; ln -s /proc/self/root{canary} real; rm real; mv held real; done; done"))
            racing = False

        async def probe():
            nonlocal attempts
            while racing:
                attempts += 1
                for path in ["real/secret", "real/f"]:
                    r = await call(s, "read_file", path=path)
                    if not r.is_error and r.content[0].text != "inside\n":
                        leaks.append((path, r.content[0].text))
                r = await call(s, "list_files", path="real", recursive=True)
                if not r.is_error:
                    seen = {e["path"] for e in r.structured_content["entries"]}
                    if seen - {"/workspace/real/f"}:
                        leaks.append(("list", seen))

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                group.start_soon(swap)
                await anyio.sleep(0.3)
                group.start_soon(probe)
                group.start_soon(probe)
        assert attempts > 20
        assert not leaks, leaks[:5]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_run_artifacts_images_and_saved_output(server, transport):
    async with session_for(server, transport) as s:
        await call(s, "write_file", path="old.txt", content="old")
        await call(s, "write_file", path="gone.txt", content="bye")
        png = base64.b64encode(tiny_png()).decode()
        r = await call(s, "run_code", code=(
            "import base64, os\n"
            f"open('plot.png', 'wb').write(base64.b64decode('{png}'))\n"
            "open('old.txt', 'a').write(' and new')\n"
            "os.remove('gone.txt')\n"
            "os.makedirs('out', exist_ok=True)\n"
            "print('x' * 200000)\n"))
        structured = r.structured_content
        assert structured["status"] == "completed"
        changes = {f["path"]: (f["change"], f["type"]) for f in structured["files"]}
        assert changes == {
            "/workspace/plot.png": ("created", "file"), "/workspace/old.txt": ("modified", "file"),
            "/workspace/gone.txt": ("deleted", "file"), "/workspace/out": ("created", "directory")}
        images = [c for c in r.content if isinstance(c, ImageContent)]
        assert len(images) == 1 and base64.b64decode(images[0].data) == tiny_png()
        assert structured["stdout_truncated"] > 0
        saved = structured["stdout_file"]
        assert saved and saved.startswith("/workspace/.warden/output/")
        links = [c for c in r.content if isinstance(c, ResourceLink)]
        assert len(links) == 1 and str(links[0].uri).endswith(saved.split("/")[-1])
        r = await call(s, "read_file", path=saved)
        assert r.content[0].text == "x" * 200000 + "\n"
        contents = await s.read_resource(links[0].uri)
        assert contents.contents[0].text == "x" * 200000 + "\n"


async def test_saved_output_a_run_tampers_with_is_not_claimed(server):
    async with session_for(server, "streamable") as s:
        r = await call(s, "run_code", code=(
            "import glob, os, sys, time\n"
            "print('a' * 100000, flush=True)\ntime.sleep(0.5)\n"
            "for f in glob.glob('.warden/output/*'): os.remove(f)\n"
            "print('b' * 100000, flush=True)\n"))
        assert r.structured_content["status"] == "completed"
        assert r.structured_content["stdout_file"] is None
        assert "could not be saved" in r.content[0].text
        assert not [c for c in r.content if isinstance(c, ResourceLink)]


async def test_workspace_files_are_resources(server):
    async with session_for(server, "streamable") as s:
        await call(s, "write_file", path="notes/a b.txt", content="resource text")
        await call(s, "write_file", path="raw.bin", content=base64.b64encode(b"\x00\x01\x02").decode(), encoding="base64")
        listed = await s.list_resources()
        uris = {r.name: str(r.uri) for r in listed.resources}
        assert uris == {"notes/a b.txt": "file:///workspace/notes/a%20b.txt", "raw.bin": "file:///workspace/raw.bin"}
        text = await s.read_resource(uris["notes/a b.txt"])
        assert text.contents[0].text == "resource text"
        blob = await s.read_resource(uris["raw.bin"])
        assert base64.b64decode(blob.contents[0].blob) == b"\x00\x01\x02"
        with pytest.raises(Exception):
            await s.read_resource("file:///workspace/missing.txt")
        with pytest.raises(Exception):
            await s.read_resource("file:///etc/passwd")


def test_the_workspace_is_deleted_with_its_session(tmp_path):
    root = str(tmp_path / "workspaces")

    def workspaces():
        return [n for n in os.listdir(root) if n != ".warden-workspaces"]

    s = Server(extra=["--workspace-root", root])
    try:
        assert workspaces() == []
        response = httpx.post(s.url("/mcp"), headers=JSON, json=INIT)
        session = response.headers["mcp-session-id"]
        assert len(workspaces()) == 1
        httpx.delete(s.url("/mcp"), headers={"Mcp-Session-Id": session})
        assert workspaces() == []
        httpx.post(s.url("/mcp"), headers=JSON, json=INIT)
        assert len(workspaces()) == 1
        # An HTTP+SSE session's workspace goes when its stream closes.
        with httpx.Client(timeout=10) as client:
            with client.stream("GET", s.url("/sse"), headers={"Accept": "text/event-stream"}) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        break
                assert len(workspaces()) == 2
        deadline = time.monotonic() + 15
        while len(workspaces()) != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workspaces()) == 1
    finally:
        s.stop()
    # Shutdown deleted the last one.
    assert workspaces() == []
    with open("/proc/self/mountinfo") as f:
        assert root not in f.read()


def test_a_foreign_directory_is_never_used_as_the_workspace_root(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(RuntimeError):
        Server(extra=["--workspace-root", str(tmp_path)])
    assert (tmp_path / "precious.txt").read_text() == "keep me"
