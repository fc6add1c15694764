# hostile: open /proc/sysrq-trigger for writing (crash/reboot/kill-all via magic SysRq)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: /proc/sysrq-trigger not writable
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

# Only opens the file; nothing is ever written, so even a broken sandbox cannot trigger SysRq.
try:
    fd = os.open("/proc/sysrq-trigger", os.O_WRONLY)
except OSError as e:
    say(f"SAFE: /proc/sysrq-trigger not writable ({ename(e.errno)})")
else:
    os.close(fd)
    say("ESCAPE: /proc/sysrq-trigger opened for writing")
try:
    fd = os.open("/proc/sys/kernel/sysrq", os.O_WRONLY)
except OSError as e:
    say(f"SAFE: /proc/sys/kernel/sysrq not writable ({ename(e.errno)})")
else:
    os.close(fd)
    say("ESCAPE: /proc/sys/kernel/sysrq opened for writing")
