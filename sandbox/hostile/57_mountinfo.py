# hostile: read /proc/self/mountinfo looking for host paths (/root/.ssh, /home, docker, shadow) and odd mount points
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: mountinfo shows no sensitive host paths
# expect-stdout: SAFE: all mount points are expected sandbox locations
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

ALLOWED_PREFIXES = ["/usr", "/run/warden", "/root/.pyenv/versions/3.11.7", "/etc", "/proc", "/dev", "/tmp", "/workspace",
                    "/sys", "/bin", "/lib", "/lib64", "/sbin"]
FORBIDDEN = [".ssh", "docker.sock", "/etc/shadow", ".bash_history", "/var/lib/docker", "WARDEN_TEST_SECRET",
             "/run/secrets", ".aws", ".kube"]

with open("/proc/self/mountinfo") as f:
    lines = f.read().splitlines()
bad = []
odd = []
for line in lines:
    say(f"INFO: {line}")
    fields = line.split()
    root, mountpoint = fields[3], fields[4]
    for word in FORBIDDEN:
        if word in line:
            bad.append(f"{word!r} in: {line}")
    if root.startswith("/home") or mountpoint.startswith("/home"):
        bad.append(f"/home in: {line}")
    if mountpoint not in ("/", "/root", "/root/.pyenv", "/root/.pyenv/versions") and not any(mountpoint == p or mountpoint.startswith(p + "/") for p in ALLOWED_PREFIXES):
        odd.append(mountpoint)
for b in bad:
    say(f"ESCAPE: {b}")
if not bad:
    say(f"SAFE: mountinfo shows no sensitive host paths ({len(lines)} mounts)")
if odd:
    say(f"ESCAPE: unexpected mount points: {odd}")
else:
    say("SAFE: all mount points are expected sandbox locations")
