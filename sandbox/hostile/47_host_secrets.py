# hostile: read host secrets (/etc/shadow, /root/.ssh, history, kcore, firmware, docker.sock, /home, host /tmp)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: /etc/shadow
# expect-stdout: SAFE: /root/.ssh
# expect-stdout: SAFE: /root/.bash_history
# expect-stdout: SAFE: /proc/kcore
# expect-stdout: SAFE: /sys/firmware
# expect-stdout: SAFE: /var/run/docker.sock
# expect-stdout: SAFE: /home
# expect-stdout: SAFE: /tmp is fresh
# expect-stdout: SAFE: /proc/1/environ
# expect-stdout: SAFE: /root holds nothing but the python prefix
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import socket

FILES = ["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/sudoers", "/etc/ssh/ssh_host_ed25519_key",
         "/etc/ssh/ssh_host_rsa_key", "/root/.bash_history", "/root/.ssh/id_rsa", "/root/.ssh/id_ed25519",
         "/root/.ssh/authorized_keys", "/root/.netrc", "/root/.aws/credentials", "/root/.docker/config.json",
         "/root/.git-credentials", "/proc/kcore", "/proc/kmsg", "/var/log/auth.log", "/var/log/syslog",
         "/boot/vmlinuz"]
DIRS = ["/root/.ssh", "/sys/firmware", "/home", "/etc/ssl/private", "/var/log", "/var/lib/docker",
        "/run/secrets", "/mnt", "/media", "/srv", "/opt"]
SOCKETS = ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
           "/run/podman/podman.sock", "/run/dbus/system_bus_socket", "/run/systemd/private"]

for path in FILES:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # non-blocking: /proc/kmsg may have nothing to read
    except OSError as e:
        say(f"SAFE: {path} not readable ({ename(e.errno)})")
        continue
    try:
        n = len(os.read(fd, 4096))
    except OSError as e:
        n = f"open succeeded, read {ename(e.errno)}"
    finally:
        os.close(fd)
    say(f"ESCAPE: {path} is readable ({n} bytes)")

for path in DIRS:
    try:
        entries = os.listdir(path)
    except OSError as e:
        say(f"SAFE: {path} not listable ({ename(e.errno)})")
        continue
    if entries:
        say(f"ESCAPE: {path} lists {len(entries)} entries: {sorted(entries)[:10]}")
    else:
        say(f"SAFE: {path} is empty")

for path in SOCKETS:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1)
    try:
        s.connect(path)
        say(f"ESCAPE: connected to {path}")
    except OSError as e:
        say(f"SAFE: {path} not connectable ({ename(e.errno) if e.errno else e})")
    finally:
        s.close()

tmp = os.listdir("/tmp")
if not tmp:
    say("SAFE: /tmp is fresh (empty)")
else:
    say(f"ESCAPE: /tmp is not fresh, it holds: {sorted(tmp)[:20]}")

try:
    with open("/proc/1/environ", "rb") as f:
        env1 = f.read()
    names = sorted({kv.split(b"=", 1)[0].decode(errors="replace") for kv in env1.split(b"\0") if kv})
    if b"WARDEN" in env1:
        say(f"ESCAPE: /proc/1/environ contains WARDEN variables: {names}")
    else:
        say(f"SAFE: /proc/1/environ has no secrets (names: {names})")
except OSError as e:
    say(f"SAFE: /proc/1/environ not readable ({ename(e.errno)})")

try:
    root = sorted(os.listdir("/root"))
except OSError as e:
    say(f"SAFE: /root holds nothing but the python prefix (not listable: {ename(e.errno)})")
else:
    extra = [e for e in root if e != ".pyenv"]
    versions = []
    try:
        versions = sorted(os.listdir("/root/.pyenv/versions"))
        pyenv = sorted(os.listdir("/root/.pyenv"))
    except OSError:
        pyenv = []
    extra += [f".pyenv/{e}" for e in pyenv if e != "versions"]
    extra += [f".pyenv/versions/{v}" for v in versions if v != "3.11.7"]
    if extra:
        say(f"ESCAPE: /root exposes more than the python prefix: {extra[:10]}")
    else:
        say(f"SAFE: /root holds nothing but the python prefix ({root})")

try:
    say(f"INFO: /etc contains {sorted(os.listdir('/etc'))}")
except OSError as e:
    say(f"INFO: /etc not listable ({ename(e.errno)})")
