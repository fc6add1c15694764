# hostile: symlinks in /workspace to /etc/shadow, /proc/1/root, /root/.ssh, the canaries; read through them
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: link -> /etc/shadow
# expect-stdout: SAFE: link -> /proc/1/root/etc/shadow
# expect-stdout: SAFE: /proc/1/root
# expect-stdout: SAFE: /proc/1/cwd
# expect-stdout: SAFE: nothing of the host was readable through symlinks
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

base = "/workspace" if os.access("/workspace", os.W_OK) else "/tmp"
d = os.path.join(base, f"warden-links-{os.getpid()}")
os.mkdir(d)
TARGETS = ["/etc/shadow", "/proc/1/root/etc/shadow", "/proc/1/root/root/.ssh", "/proc/1/cwd/../../etc/shadow",
           "/root/.ssh/id_rsa", "/root/warden-canary.txt", "/tmp/warden-canary/canary.txt",
           "../../../../../../../../etc/shadow", "/proc/self/root/etc/shadow", "/proc/1/root/home",
           "/proc/1/root/root/warden-canary.txt", "/proc/1/root/tmp/warden-canary/canary.txt"]
leaked = False
for i, target in enumerate(TARGETS):
    link = os.path.join(d, f"l{i}")
    os.symlink(target, link)
    try:
        if os.path.isdir(link):
            entries = os.listdir(link)
            leaked |= bool(entries)
            say(f"{'ESCAPE' if entries else 'SAFE'}: link -> {target} lists {len(entries)} entries")
        else:
            with open(link, "rb") as f:
                data = f.read(256)
            leaked = True
            say(f"ESCAPE: link -> {target} readable ({len(data)} bytes)")
    except OSError as e:
        say(f"SAFE: link -> {target} -> {ename(e.errno)}")

# /proc/<pid>/root and cwd of the sandbox init must be inaccessible or be the sandbox's own root
me = os.stat("/")
for path in ["/proc/1/root", "/proc/1/cwd", "/proc/self/root"]:
    try:
        st = os.stat(path + "/")
    except OSError as e:
        say(f"SAFE: {path} inaccessible ({ename(e.errno)})")
        continue
    if path.endswith("cwd"):
        # cwd may be anywhere inside the sandbox; it must not lead to host-only paths
        try:
            host_like = [p for p in ("etc/shadow", "root/.ssh", "root/warden-canary.txt", "tmp/warden-canary")
                         if os.path.lexists(f"{path}/../../../../../../../../{p}")]
        except OSError:
            host_like = []
        if host_like:
            leaked = True
            say(f"ESCAPE: {path} leads to {host_like}")
        else:
            say(f"SAFE: {path} leads nowhere outside the sandbox")
    elif (st.st_dev, st.st_ino) == (me.st_dev, me.st_ino):
        say(f"SAFE: {path} is the sandbox root")
    else:
        leaked = True
        say(f"ESCAPE: {path} is a different root than the sandbox's (dev {st.st_dev} ino {st.st_ino})")
if not leaked:
    say("SAFE: nothing of the host was readable through symlinks")
for name in os.listdir(d):
    os.unlink(os.path.join(d, name))
os.rmdir(d)
