# hostile: inspect own credentials: uid/gid 1000, mapped to a non-root host uid, no caps, NoNewPrivs, seccomp filter
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: uid/gid are 1000
# expect-stdout: SAFE: uid 1000 maps to unprivileged host uid
# expect-stdout: SAFE: gid 1000 maps to unprivileged host gid
# expect-stdout: SAFE: no capabilities
# expect-stdout: SAFE: NoNewPrivs is 1
# expect-stdout: SAFE: seccomp filter mode
# expect-stdout: SAFE: no controlling terminal
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

with open("/proc/self/status") as f:
    st = dict((k, v.strip()) for k, v in (l.split(":", 1) for l in f.read().splitlines() if ":" in l))

uids, gids = st["Uid"].split(), st["Gid"].split()
if set(uids) == {"1000"} and set(gids) == {"1000"}:
    say("SAFE: uid/gid are 1000 (real, effective, saved, fs)")
else:
    say(f"{'ESCAPE' if '0' in uids + gids else 'UNEXPECTED'}: Uid {uids} Gid {gids}")

for kind in ("uid", "gid"):
    with open(f"/proc/self/{kind}_map") as f:
        rows = [l.split() for l in f.read().splitlines() if l.strip()]
    say(f"INFO: {kind}_map = {rows}")
    root_outside = [r for r in rows if int(r[1]) == 0]
    if root_outside:
        say(f"ESCAPE: {kind}_map maps onto host {kind} 0: {root_outside}")
    elif rows == [] or all(int(r[2]) == 1 for r in rows):
        say(f"SAFE: {kind} 1000 maps to unprivileged host {kind} ({rows})")
    else:
        say(f"UNEXPECTED: {kind}_map maps ranges: {rows}")

caps = {k: st.get(k) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")}
if all(v is not None and int(v, 16) == 0 for v in caps.values()):
    say(f"SAFE: no capabilities ({caps}, CapBnd {st.get('CapBnd')})")
else:
    say(f"ESCAPE: capabilities present: {caps}")

say(f"{'SAFE' if st.get('NoNewPrivs') == '1' else 'ESCAPE'}: NoNewPrivs is {st.get('NoNewPrivs')}")
say(f"{'SAFE' if st.get('Seccomp') == '2' else 'ESCAPE'}: seccomp filter mode {st.get('Seccomp')} "
    f"(filters: {st.get('Seccomp_filters')})")

try:
    with open("/proc/self/stat") as f:
        tty_nr = int(f.read().rsplit(")", 1)[1].split()[4])
except (OSError, ValueError, IndexError):
    tty_nr = -1
if tty_nr == 0:
    say("SAFE: no controlling terminal (tty_nr 0)")
else:
    say(f"ESCAPE: controlling terminal present (tty_nr {tty_nr})")
say(f"INFO: sid={os.getsid(0)} pgid={os.getpgid(0)} pid={os.getpid()} groups={os.getgroups()}")
