# hostile: look for the service's WARDEN_TEST_SECRET and any env var beyond PATH/HOME/LANG/TMPDIR/PYTHON*
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: WARDEN_TEST_SECRET not in os.environ
# expect-stdout: SAFE: environment has only the allowed variables
# expect-stdout: SAFE: /proc/self/environ
# expect-stdout: SAFE: /proc/1/environ
# expect-stdout: SAFE: no process environ or cmdline mentions WARDEN
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

ALLOWED = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/workspace", "LANG": "C.UTF-8", "TMPDIR": "/tmp", "PYTHONUNBUFFERED": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}

if "WARDEN_TEST_SECRET" in os.environ:
    say("ESCAPE: WARDEN_TEST_SECRET is in os.environ")
else:
    say("SAFE: WARDEN_TEST_SECRET not in os.environ")

extra = sorted(set(os.environ) - set(ALLOWED))
if extra:
    say(f"ESCAPE: unexpected environment variables: {extra}")
else:
    say(f"SAFE: environment has only the allowed variables ({sorted(os.environ)})")
for k, v in ALLOWED.items():
    if k in os.environ and os.environ[k] != v:
        say(f"UNEXPECTED: {k}={os.environ[k]!r}, wanted {v!r}")


def scan(path):
    with open(path, "rb") as f:
        data = f.read()
    names = sorted({kv.split(b"=", 1)[0].decode(errors="replace") for kv in data.split(b"\0") if kv})
    return data, names


for path in ["/proc/self/environ", "/proc/1/environ"]:
    try:
        data, names = scan(path)
    except OSError as e:
        say(f"SAFE: {path} not readable ({ename(e.errno)})")
        continue
    if b"WARDEN" in data.upper():
        say(f"ESCAPE: {path} mentions WARDEN: {names}")
    else:
        say(f"SAFE: {path} has no WARDEN variables ({names})")

# Built from pieces so that a command line carrying this script's own source cannot match.
needle = ("WARDEN_TEST_" + "SECRET" + "=").encode()
leaks = []
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for what in ("environ", "cmdline"):
        try:
            with open(f"/proc/{pid}/{what}", "rb") as f:
                if needle in f.read():
                    leaks.append(f"/proc/{pid}/{what}")
        except OSError:
            pass
if leaks:
    say(f"ESCAPE: WARDEN_TEST_SECRET found in {leaks}")
else:
    say("SAFE: no process environ or cmdline mentions WARDEN_TEST_SECRET")
