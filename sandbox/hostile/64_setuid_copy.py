# hostile: copy a binary, chmod 4755 / chown root / setgid directory, exec it: no privilege gain
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: chown to root failed
# expect-stdout: SAFE: setuid copy runs with uid
# expect-stdout: SAFE: setgid directory grants no root group
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import shutil
import stat
import subprocess

base = "/workspace" if os.access("/workspace", os.W_OK) else "/tmp"
d = os.path.join(base, f"warden-suid-{os.getpid()}")
os.mkdir(d)
copy = os.path.join(d, "id")
shutil.copy("/usr/bin/id", copy)
os.chmod(copy, 0o6755)
say(f"INFO: copy mode is {stat.S_IMODE(os.stat(copy).st_mode):o}, owner {os.stat(copy).st_uid}")

try:
    os.chown(copy, 0, 0)
    say("ESCAPE: chown of the copy to root succeeded")
except OSError as e:
    say(f"SAFE: chown to root failed ({ename(e.errno)})")
os.chmod(copy, 0o6755)

try:
    p = subprocess.run([copy, "-u"], capture_output=True, text=True, timeout=3)
    p2 = subprocess.run([copy], capture_output=True, text=True, timeout=3)
    if p.returncode != 0:
        say(f"SAFE: setuid copy runs with uid ? (not executable: rc={p.returncode} {p.stderr.strip()[:80]})")
    elif p.stdout.strip() == "0" or "euid=0" in p2.stdout:
        say(f"ESCAPE: setuid copy gained root: {p2.stdout.strip()}")
    else:
        say(f"SAFE: setuid copy runs with uid {p.stdout.strip()} ({p2.stdout.strip()})")
except OSError as e:
    say(f"SAFE: setuid copy runs with uid ? (exec refused: {ename(e.errno)})")

sgid = os.path.join(d, "sgid")
os.mkdir(sgid)
os.chmod(sgid, 0o2775)
gained = False
try:
    os.chown(sgid, -1, 0)
    say("ESCAPE: chgrp of a directory to group 0 succeeded")
    gained = True
except OSError as e:
    say(f"INFO: chgrp to group 0 failed ({ename(e.errno)})")
f = os.path.join(sgid, "file")
open(f, "w").close()
gid = os.stat(f).st_gid
if gid == 0:
    gained = True
    say("ESCAPE: file in setgid directory belongs to group 0")
if 0 in os.getgroups() or os.getegid() == 0:
    gained = True
    say(f"ESCAPE: process is in group 0 ({os.getgroups()})")
if not gained:
    say(f"SAFE: setgid directory grants no root group (file gid {gid}, groups {os.getgroups()})")
shutil.rmtree(d, ignore_errors=True)
