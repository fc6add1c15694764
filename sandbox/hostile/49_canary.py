# hostile: read, write and delete the host canaries /tmp/warden-canary/canary.txt and /root/warden-canary.txt
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: read /tmp/warden-canary/canary.txt
# expect-stdout: SAFE: write /tmp/warden-canary/canary.txt
# expect-stdout: SAFE: delete /tmp/warden-canary/canary.txt
# expect-stdout: SAFE: read /root/warden-canary.txt
# expect-stdout: SAFE: write /root/warden-canary.txt
# expect-stdout: SAFE: delete /root/warden-canary.txt
# expect-stdout: SAFE: /tmp/warden-canary does not exist
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

CANARIES = ["/tmp/warden-canary/canary.txt", "/root/warden-canary.txt"]

for path in CANARIES:
    try:
        with open(path, "rb") as f:
            data = f.read(256)
        say(f"ESCAPE: read {path} ({len(data)} bytes: {data[:64]!r})")
    except OSError as e:
        say(f"SAFE: read {path} -> {ename(e.errno)}")

    # O_EXCL: never clobbers an existing file; EEXIST would reveal that the host file is visible.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as e:
        if e.errno == errno.EEXIST:
            say(f"ESCAPE: write {path} -> EEXIST (the host file is visible)")
        else:
            say(f"SAFE: write {path} (create) -> {ename(e.errno)}")
    else:
        os.close(fd)
        os.unlink(path)
        say(f"ESCAPE: write {path} created a file at the canary path")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    except OSError as e:
        say(f"SAFE: write {path} (append) -> {ename(e.errno)}")
    else:
        os.close(fd)
        say(f"ESCAPE: write {path} opened the existing canary for writing")

    try:
        os.unlink(path)
        say(f"ESCAPE: delete {path} succeeded")
    except OSError as e:
        say(f"SAFE: delete {path} -> {ename(e.errno)}")

if os.path.lexists("/tmp/warden-canary"):
    say("ESCAPE: /tmp/warden-canary exists inside the sandbox (host /tmp visible)")
else:
    say("SAFE: /tmp/warden-canary does not exist")
