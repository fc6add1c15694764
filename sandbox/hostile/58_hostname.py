# hostile: learn the host's name: uname nodename, /proc/sys/kernel/hostname, /etc/hostname must say "sandbox"
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: nodename is sandbox
# expect-stdout: SAFE: /proc/sys/kernel/hostname
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import socket

node = os.uname().nodename
if node == "sandbox":
    say("SAFE: nodename is sandbox")
else:
    say(f"ESCAPE: nodename is {node!r} (host name leaked?)")
try:
    with open("/proc/sys/kernel/hostname") as f:
        h = f.read().strip()
    say(f"{'SAFE' if h == 'sandbox' else 'ESCAPE'}: /proc/sys/kernel/hostname is {h!r}")
except OSError as e:
    say(f"SAFE: /proc/sys/kernel/hostname unreadable ({ename(e.errno)})")
say(f"INFO: socket.gethostname() = {socket.gethostname()!r}")
try:
    with open("/etc/hostname") as f:
        h = f.read().strip()
    say(f"{'SAFE' if h in ('sandbox', '') else 'ESCAPE'}: /etc/hostname is {h!r}")
except OSError as e:
    say(f"SAFE: /etc/hostname absent ({ename(e.errno)})")
