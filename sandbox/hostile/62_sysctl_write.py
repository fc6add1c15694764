# hostile: sysctl -w style writes to /proc/sys (kernel, vm, net, fs) and the sysctl(8) tool
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: /proc/sys/kernel/hostname not writable
# expect-stdout: SAFE: /proc/sys/kernel/core_pattern not writable
# expect-stdout: SAFE: /proc/sys/vm/overcommit_memory not writable
# expect-stdout: SAFE: /proc/sys/net/ipv4/ip_forward not writable
# expect-stdout: SAFE: sysctl tool
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import subprocess

# Files are only opened for writing, never written; the sysctl(8) call rewrites the current value.
for path in ["/proc/sys/kernel/hostname", "/proc/sys/kernel/domainname", "/proc/sys/kernel/core_pattern",
             "/proc/sys/kernel/modprobe", "/proc/sys/kernel/panic", "/proc/sys/kernel/randomize_va_space",
             "/proc/sys/kernel/unprivileged_userns_clone", "/proc/sys/vm/overcommit_memory",
             "/proc/sys/vm/drop_caches", "/proc/sys/fs/protected_symlinks", "/proc/sys/net/ipv4/ip_forward",
             "/proc/sys/net/core/bpf_jit_enable", "/proc/sys/user/max_user_namespaces"]:
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        say(f"SAFE: {path} not writable ({ename(e.errno)})")
    else:
        os.close(fd)
        say(f"ESCAPE: {path} opened for writing")

tool = next((t for t in ["/usr/sbin/sysctl", "/sbin/sysctl"] if os.path.exists(t)), None)
if tool:
    current = os.uname().nodename
    p = subprocess.run([tool, "-w", f"kernel.hostname={current}"], capture_output=True, text=True, timeout=3)
    if p.returncode == 0:
        say("ESCAPE: sysctl tool wrote kernel.hostname")
    else:
        say(f"SAFE: sysctl tool failed (rc={p.returncode}: {p.stderr.strip()[:100]})")
else:
    say("SAFE: sysctl tool not present")
