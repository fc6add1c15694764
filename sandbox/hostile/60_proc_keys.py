# hostile: list the kernel keyrings via /proc/keys and /proc/key-users
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: /proc/keys
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

try:
    with open("/proc/keys") as f:
        lines = f.read().splitlines()
except OSError as e:
    say(f"SAFE: /proc/keys unreadable ({ename(e.errno)})")
else:
    # columns: id flags usage timeout perm uid gid type description
    payload_keys = [l for l in lines if len(l.split()) > 7 and l.split()[7] != "keyring"]
    for l in lines:
        say(f"INFO: {l}")
    if payload_keys:
        say(f"ESCAPE: /proc/keys lists {len(payload_keys)} non-keyring keys: "
            f"{[' '.join(l.split()[7:9]) for l in payload_keys][:5]}")
    else:
        say(f"SAFE: /proc/keys lists no keys with payloads ({len(lines)} keyrings)")
try:
    with open("/proc/key-users") as f:
        say(f"INFO: /proc/key-users: {f.read().strip()!r}")
except OSError as e:
    say(f"INFO: /proc/key-users unreadable ({ename(e.errno)})")
