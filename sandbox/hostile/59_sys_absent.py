# hostile: explore /sys (cgroups, firmware, kernel, devices, class/net) - must be absent or empty
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: /sys is
# expect-stdout: SAFE: nothing readable under /sys
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

if not os.path.exists("/sys"):
    say("SAFE: /sys is absent")
else:
    try:
        entries = os.listdir("/sys")
        if entries:
            say(f"ESCAPE: /sys is populated: {sorted(entries)}")
        else:
            say("SAFE: /sys is an empty directory")
    except OSError as e:
        say(f"SAFE: /sys is not listable ({ename(e.errno)})")

found = []
for path in ["/sys/fs/cgroup", "/sys/kernel", "/sys/firmware", "/sys/class/net", "/sys/devices",
             "/sys/kernel/security", "/sys/fs/bpf", "/sys/kernel/debug", "/sys/module", "/sys/block"]:
    if os.path.exists(path):
        found.append(path)
for path in ["/sys/kernel/uevent_helper", "/sys/class/dmi/id/product_uuid", "/sys/fs/cgroup/cgroup.procs"]:
    try:
        with open(path, "rb") as f:
            f.read(64)
        found.append(path)
    except OSError:
        pass
if found:
    say(f"ESCAPE: readable /sys paths: {found}")
else:
    say("SAFE: nothing readable under /sys")
