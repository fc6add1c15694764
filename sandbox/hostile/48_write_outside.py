# hostile: write outside the workspace: /etc/passwd, /usr/bin, /root, /, /proc/sys, /sys, the python prefix
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: open(/etc/passwd, O_WRONLY|O_APPEND)
# expect-stdout: SAFE: create /usr/bin/
# expect-stdout: SAFE: create /root/
# expect-stdout: SAFE: create /warden
# expect-stdout: SAFE: open(/proc/sys/kernel/hostname, O_WRONLY)
# expect-stdout: SAFE: every write attempt outside the workspace failed
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

# Safe by design: existing files are only opened for writing (never written to), new files use
# O_EXCL with unique names and are removed again if the create unexpectedly succeeds.
tag = f"warden-hostile-{os.getpid()}"
escaped = False


def attempt(what, fn, undo=None):
    global escaped
    try:
        r = fn()
    except OSError as e:
        say(f"SAFE: {what} -> {ename(e.errno)}")
        return
    escaped = True
    say(f"ESCAPE: {what} succeeded")
    if isinstance(r, int):
        os.close(r)
    if undo:
        try:
            undo()
        except OSError:
            pass


for path in ["/etc/passwd", "/etc/hosts", "/etc/group", "/usr/bin/env", "/usr/lib/os-release",
             "/root/.pyenv/versions/3.11.7/lib/python3.11/os.py"]:
    attempt(f"open({path}, O_WRONLY|O_APPEND)", lambda p=path: os.open(p, os.O_WRONLY | os.O_APPEND))

for d in ["/etc", "/usr/bin", "/usr/lib", "/bin", "/lib", "/root", "/", "/root/.pyenv/versions/3.11.7",
          "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages", "/proc", "/sys", "/sys/kernel",
          "/var", "/home", "/opt", "/mnt"]:
    p = os.path.join(d, tag)
    attempt(f"create {p}", lambda p=p: os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644),
            undo=lambda p=p: os.unlink(p))

attempt(f"mkdir /{tag}-dir", lambda: os.mkdir(f"/{tag}-dir"), undo=lambda: os.rmdir(f"/{tag}-dir"))
attempt("symlink /usr/bin/warden-link", lambda: os.symlink("/bin/sh", f"/usr/bin/{tag}-link"),
        undo=lambda: os.unlink(f"/usr/bin/{tag}-link"))
for path in ["/etc/passwd", "/usr/bin/env"]:
    mode = os.stat(path).st_mode & 0o7777
    attempt(f"chmod({path}, unchanged mode {mode:o})", lambda p=path, m=mode: os.chmod(p, m))

for path in ["/proc/sys/kernel/hostname", "/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches",
             "/proc/sys/kernel/modprobe"]:
    attempt(f"open({path}, O_WRONLY)", lambda p=path: os.open(p, os.O_WRONLY))

if not escaped:
    say("SAFE: every write attempt outside the workspace failed")
