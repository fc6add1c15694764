# hostile: the main process stops itself with SIGSTOP; the supervisor must still end the run by timeout
# language: python
# timeout: 3
# expect-status: timeout
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))
import signal

say("stopping myself with SIGSTOP")
os.kill(os.getpid(), signal.SIGSTOP)
say("resumed after SIGSTOP (should not happen before the timeout)")
