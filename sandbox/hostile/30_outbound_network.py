# hostile: outbound TCP to 1.1.1.1:53 / 8.8.8.8:443, UDP to 8.8.8.8:53, raw ICMP socket; only lo exists
# language: python
# timeout: 8
# expect-status: completed
# expect-stdout: SAFE: tcp 1.1.1.1:53
# expect-stdout: SAFE: tcp 8.8.8.8:443
# expect-stdout: SAFE: tcp 8.8.8.8:53
# expect-stdout: SAFE: udp 8.8.8.8:53
# expect-stdout: SAFE: raw ICMP socket
# expect-stdout: SAFE: no default route
# expect-stdout: SAFE: only loopback interface
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import socket

GOOD = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EACCES, errno.EPERM, errno.EADDRNOTAVAIL)

for host, port in [("1.1.1.1", 53), ("8.8.8.8", 443), ("8.8.8.8", 53)]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect((host, port))
        say(f"ESCAPE: tcp {host}:{port} connected")
    except socket.timeout:
        say(f"UNEXPECTED: tcp {host}:{port} timed out (packets may leave the sandbox)")
    except OSError as e:
        if e.errno == errno.ECONNREFUSED:
            say(f"ESCAPE: tcp {host}:{port} refused by a remote stack (packets left the sandbox)")
        elif e.errno in GOOD:
            say(f"SAFE: tcp {host}:{port} -> {ename(e.errno)}")
        else:
            say(f"UNEXPECTED: tcp {host}:{port} -> {ename(e.errno)}")
    finally:
        s.close()

# DNS query for example.com over UDP
query = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(1.0)
try:
    u.sendto(query, ("8.8.8.8", 53))
    try:
        data = u.recv(512)
        say(f"ESCAPE: udp 8.8.8.8:53 answered ({len(data)} bytes)")
    except socket.timeout:
        say("UNEXPECTED: udp 8.8.8.8:53 send was accepted (no answer)")
except OSError as e:
    if e.errno in GOOD:
        say(f"SAFE: udp 8.8.8.8:53 -> {ename(e.errno)}")
    else:
        say(f"UNEXPECTED: udp 8.8.8.8:53 -> {ename(e.errno)}")
finally:
    u.close()

try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    say("ESCAPE: raw ICMP socket created (CAP_NET_RAW?)")
except OSError as e:
    say(f"SAFE: raw ICMP socket -> {ename(e.errno)}")

try:
    with open("/proc/net/route") as f:
        routes = [l.split() for l in f.read().splitlines()[1:] if l.strip()]
    defaults = [r for r in routes if len(r) > 1 and r[1] == "00000000"]
    if defaults:
        say(f"ESCAPE: default route present via {defaults[0][0]}")
    else:
        say(f"SAFE: no default route ({len(routes)} IPv4 routes)")
except OSError as e:
    say(f"SAFE: no default route (/proc/net/route unreadable: {ename(e.errno)})")

try:
    with open("/proc/net/dev") as f:
        ifaces = [l.split(":")[0].strip() for l in f.read().splitlines()[2:] if ":" in l]
    if set(ifaces) <= {"lo"}:
        say(f"SAFE: only loopback interface {ifaces}")
    else:
        say(f"ESCAPE: extra network interfaces visible: {ifaces}")
except OSError as e:
    say(f"SAFE: only loopback interface (/proc/net/dev unreadable: {ename(e.errno)})")
