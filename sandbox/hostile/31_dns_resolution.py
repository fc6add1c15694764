# hostile: resolve example.com (getaddrinfo / gethostbyname); resolv.conf must not point outside
# language: python
# timeout: 8
# expect-status: completed
# expect-stdout: SAFE: example.com did not resolve via getaddrinfo
# expect-stdout: SAFE: example.com did not resolve via gethostbyname
# expect-stdout: SAFE: resolv.conf
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import ipaddress
import socket
import time

t0 = time.monotonic()
resolved = False
try:
    infos = socket.getaddrinfo("example.com", 80, proto=socket.IPPROTO_TCP)
    resolved = True
    say(f"ESCAPE: example.com resolved via getaddrinfo to {sorted({i[4][0] for i in infos})}")
except socket.gaierror as e:
    say(f"SAFE: example.com did not resolve via getaddrinfo ({e}, {time.monotonic() - t0:.2f}s)")
try:
    ip = socket.gethostbyname("example.com")
    resolved = True
    say(f"ESCAPE: example.com resolved via gethostbyname to {ip}")
except OSError as e:
    say(f"SAFE: example.com did not resolve via gethostbyname ({e})")

try:
    with open("/etc/resolv.conf") as f:
        lines = f.read().splitlines()
except OSError as e:
    say(f"SAFE: resolv.conf absent/unreadable ({ename(e.errno)})")
else:
    servers = [l.split()[1] for l in lines if l.strip().startswith("nameserver") and len(l.split()) > 1]
    outside = []
    for s in servers:
        try:
            if not ipaddress.ip_address(s.split("%")[0]).is_loopback:
                outside.append(s)
        except ValueError:
            outside.append(s)
    if resolved:
        say(f"ESCAPE: resolv.conf nameservers {servers} answered")
    elif not outside:
        say(f"SAFE: resolv.conf has no outside nameserver ({servers})")
    else:
        # listed but unreachable (the lookups above failed); do not query them directly
        say(f"SAFE: resolv.conf lists {outside} but they are unreachable (lookups failed)")
        say("NOTE: resolv.conf should not list outside nameservers")
