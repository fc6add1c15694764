# hostile: look for host devices in /dev (disks, /dev/mem, /dev/kmsg, ttys, kvm, tun, fuse, loop ...)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: /dev contains only
# expect-stdout: SAFE: /dev/mem
# expect-stdout: SAFE: /dev/sda
# expect-stdout: SAFE: /dev/kmsg
# expect-stdout: SAFE: /dev/tty not
# expect-stdout: SAFE: no dangerous device could be opened
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import stat

ALLOWED = {"null", "zero", "full", "random", "urandom", "shm", "fd", "stdin", "stdout", "stderr", "pts", "ptmx"}
entries = sorted(os.listdir("/dev"))
extra = [e for e in entries if e not in ALLOWED]
if extra:
    say(f"ESCAPE: unexpected /dev entries: {extra}")
else:
    say(f"SAFE: /dev contains only {entries}")

EXPECTED_RDEV = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8), "urandom": (1, 9)}
for name, (maj, mnr) in EXPECTED_RDEV.items():
    try:
        st = os.stat(f"/dev/{name}")
        if stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == (maj, mnr):
            say(f"OK: /dev/{name} is char {maj}:{mnr}")
        else:
            say(f"UNEXPECTED: /dev/{name} is mode {st.st_mode:o} rdev {os.major(st.st_rdev)}:{os.minor(st.st_rdev)}")
    except OSError as e:
        say(f"UNEXPECTED: /dev/{name} missing ({ename(e.errno)})")

DANGEROUS = ["/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg", "/dev/sda", "/dev/vda", "/dev/xvda",
             "/dev/nvme0n1", "/dev/nvme0", "/dev/tty", "/dev/tty0", "/dev/tty1", "/dev/ttyS0", "/dev/console",
             "/dev/kvm", "/dev/net/tun", "/dev/fuse", "/dev/loop0", "/dev/loop-control", "/dev/mapper/control",
             "/dev/dri/card0", "/dev/snd/controlC0", "/dev/input/event0", "/dev/uinput", "/dev/hpet",
             "/dev/rtc0", "/dev/cpu/0/msr", "/dev/vsock", "/dev/vhost-net", "/dev/userfaultfd",
             "/dev/btrfs-control", "/dev/autofs", "/dev/sg0", "/dev/bsg", "/dev/core", "/dev/vcs", "/dev/vcsa"]
opened = False
# Watchdogs are never opened (an open without the magic close can reboot the machine); existing is enough.
for path in ["/dev/watchdog", "/dev/watchdog0"]:
    if os.path.lexists(path):
        opened = True
        say(f"ESCAPE: {path} exists")
    else:
        say(f"SAFE: {path} absent")
for path in DANGEROUS:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as e:
        say(f"SAFE: {path} not openable ({ename(e.errno)})")
    else:
        os.close(fd)
        opened = True
        say(f"ESCAPE: {path} opened")
if not opened:
    say("SAFE: no dangerous device could be opened")
