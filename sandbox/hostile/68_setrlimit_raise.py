# hostile: raise hard resource limits (NPROC, NOFILE, FSIZE, CORE, AS, CPU) to undo the sandbox limits
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: RLIMIT_NPROC hard
# expect-stdout: SAFE: RLIMIT_NOFILE hard
# expect-stdout: SAFE: RLIMIT_FSIZE hard
# expect-stdout: SAFE: RLIMIT_CORE hard
# expect-stdout: SAFE: RLIMIT_AS hard
# expect-stdout: SAFE: RLIMIT_CPU hard
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import resource

INF = resource.RLIM_INFINITY
for name in ["RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_CORE", "RLIMIT_AS", "RLIMIT_CPU"]:
    res = getattr(resource, name)
    soft, hard = resource.getrlimit(res)
    if hard == INF:
        say(f"ESCAPE: {name} hard limit is unlimited (soft {soft}), so the limit can be lifted")
        continue
    try:
        resource.setrlimit(res, (INF, INF))
        say(f"ESCAPE: {name} raised to unlimited")
        continue
    except (ValueError, OSError):
        pass
    try:
        resource.setrlimit(res, (hard + 1, hard + 1))
        say(f"ESCAPE: {name} hard raised to {hard + 1}")
        continue
    except (ValueError, OSError):
        pass
    try:
        resource.prlimit(0, res, (INF, INF))
        say(f"ESCAPE: {name} raised to unlimited via prlimit")
        continue
    except (ValueError, OSError):
        pass
    say(f"SAFE: {name} hard limit {hard} cannot be raised (soft {soft})")
