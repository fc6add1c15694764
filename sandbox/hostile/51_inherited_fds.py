# hostile: look for file descriptors leaked from the supervisor (only 0, 1, 2 may be open)
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: /proc/self/fd lists only 0, 1, 2
# expect-stdout: SAFE: fds 3..1023 are all closed
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))



def is_open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


# The directory fd used for the listing shows up in it but is closed again afterwards.
listed = sorted(int(x) for x in os.listdir("/proc/self/fd"))
fds = [fd for fd in listed if is_open(fd)]
say(f"INFO: /proc/self/fd listed {listed}")
if fds == [0, 1, 2]:
    say("SAFE: /proc/self/fd lists only 0, 1, 2")
else:
    details = {}
    for fd in fds:
        try:
            details[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError as e:
            details[fd] = ename(e.errno)
    say(f"ESCAPE: unexpected open fds: {details}")

for fd in (0, 1, 2):
    try:
        say(f"INFO: fd {fd} -> {os.readlink(f'/proc/self/fd/{fd}')}")
    except OSError as e:
        say(f"INFO: fd {fd} -> {ename(e.errno)}")

open_fds = [fd for fd in range(3, 1024) if is_open(fd)]
if open_fds:
    say(f"ESCAPE: fds open beyond stdio: {open_fds}")
else:
    say("SAFE: fds 3..1023 are all closed")
