# hostile: run setuid-root binaries (su, sudo, passwd, chsh, chfn, newgrp, mount) and setuid(0); euid must never be 0
# language: python
# timeout: 10
# expect-status: completed
# expect-stdout: SAFE: NoNewPrivs is 1
# expect-stdout: SAFE: no setuid binary ran with euid 0
# expect-stdout: SAFE: os.setuid(0) failed
# expect-stdout: SAFE: os.seteuid(0) failed
# expect-stdout: SAFE: os.setresuid(0, 0, 0) failed
# expect-stdout: SAFE: os.setgid(0) failed
# expect-stdout: SAFE: os.setgroups([0]) failed
# expect-stdout: SAFE: id -u is
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import subprocess
import tempfile
import time

with open("/proc/self/status") as f:
    status = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
nnp = status.get("NoNewPrivs", "?").strip()
say(f"{'SAFE' if nnp == '1' else 'UNEXPECTED'}: NoNewPrivs is {nnp}")

mnt = tempfile.mkdtemp(prefix="warden-suid-", dir="/tmp")
CANDIDATES = [
    ("/usr/bin/su", ["root", "-c", "/usr/bin/id -u"]),
    ("/usr/bin/sudo", ["-S", "-k", "/usr/bin/id", "-u"]),
    ("/usr/bin/passwd", []),
    ("/usr/bin/chsh", []),
    ("/usr/bin/chfn", []),
    ("/usr/bin/newgrp", []),
    ("/usr/bin/mount", ["-t", "tmpfs", "none", mnt]),
    ("/usr/bin/pkexec", ["/usr/bin/id", "-u"]),
]


def observe(path, args):
    """Run a setuid binary with stdin held open; sample the euid of the exec'd image from /proc."""
    base = os.path.basename(path)[:15]
    p = subprocess.Popen([path] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    euids = set()
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                st = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
            if st.get("Name", "").strip() == base:
                euids.add(int(st["Uid"].split()[1]))
        except (OSError, KeyError, ValueError):
            pass
        if p.poll() is not None:
            break
        time.sleep(0.005)
    try:
        p.kill()
    except OSError:
        pass
    try:
        out, _ = p.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        out = b""
    return euids, out.decode(errors="replace"), p.returncode


root_seen = False
for path, args in CANDIDATES:
    if not os.path.exists(path):
        say(f"INFO: {path} not present")
        continue
    st = os.stat(path)
    try:
        euids, out, rc = observe(path, args)
    except OSError as e:
        say(f"SAFE: {path} could not be executed ({ename(e.errno)})")
        continue
    lines = [l.strip() for l in out.splitlines()]
    say(f"INFO: {path} mode={st.st_mode:o} owner={st.st_uid} rc={rc} euids={sorted(euids)} out={out.strip()[:100]!r}")
    if 0 in euids or "0" in lines:
        root_seen = True
        say(f"ESCAPE: {path} ran with euid 0")
if os.path.ismount(mnt):
    root_seen = True
    say("ESCAPE: setuid mount(8) mounted a tmpfs")
    subprocess.run(["/usr/bin/umount", "-l", mnt], capture_output=True, timeout=3)
try:
    os.rmdir(mnt)
except OSError:
    pass
if not root_seen:
    say("SAFE: no setuid binary ran with euid 0")

for what, fn in [("os.setuid(0)", lambda: os.setuid(0)), ("os.seteuid(0)", lambda: os.seteuid(0)),
                 ("os.setresuid(0, 0, 0)", lambda: os.setresuid(0, 0, 0)),
                 ("os.setgid(0)", lambda: os.setgid(0)), ("os.setgroups([0])", lambda: os.setgroups([0]))]:
    try:
        fn()
        say(f"ESCAPE: {what} succeeded")
    except OSError as e:
        say(f"SAFE: {what} failed ({ename(e.errno)})")

out = subprocess.run(["/usr/bin/id", "-u"], capture_output=True, text=True, timeout=3).stdout.strip()
if out == "0" or os.geteuid() == 0:
    say("ESCAPE: id -u is 0")
else:
    say(f"SAFE: id -u is {out} (euid {os.geteuid()})")
