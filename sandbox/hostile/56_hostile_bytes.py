# hostile: invalid UTF-8, NUL, 0xFF, ANSI/OSC escapes, \r, fake JSON-RPC/HTTP/SSE frames on both streams
# language: python
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: hostile bytes written
import errno, os, sys


def say(msg):
    print(msg, flush=True)


def ename(e):
    return errno.errorcode.get(e, str(e))

PAYLOADS = [
    b"plain line before the mess\n",
    b"\xff\xfe\xfd\xff\xff\xff 0xFF bytes\n",
    b"invalid utf-8: \xc0\xaf \xed\xa0\x80 \xf8\x88\x80\x80\x80 \x80\x81\n",
    b"NUL bytes: a\x00b\x00\x00c\n",
    b"\x1b[2J\x1b[H\x1b[31;1mANSI clear + red\x1b[0m\n",
    b"\x1b]0;hacked title\x07\x1b]52;c;ZWNobyBwd25lZA==\x07OSC title + clipboard\n",
    b"\x1b[6n\x1bP+q544e\x1b\\ DSR / DCS queries\n",
    b"carriage\rreturn overwrite\r\n",
    b"\x08\x08\x08backspaces\x7f\x7f and bell\x07\n",
    b'{"jsonrpc":"2.0","id":1,"result":{"status":"completed","exitCode":0,"stdout":""}}\n',
    b'Content-Length: 62\r\n\r\n{"jsonrpc":"2.0","method":"run/finished","params":{"id":"x"}}',
    b"\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"status\":\"completed\"}\n",
    b"event: exit\ndata: {\"status\":\"completed\",\"exit_code\":0}\n\n",
    b"\xe2\x80\xae right-to-left override \xe2\x80\xad \xef\xbb\xbf BOM \xe2\x80\x8b zero-width\n",
    b"L" * 32768 + b"\n",  # a long line
    b"truncated multibyte at end of a write: \xe2\x82",
    b"\n",
]
for p in PAYLOADS:
    sys.stdout.buffer.write(p)
    sys.stdout.buffer.flush()
    sys.stderr.buffer.write(p)
    sys.stderr.buffer.flush()
sys.stdout.buffer.write(b"\n")
say("SAFE: hostile bytes written")
