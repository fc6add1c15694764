# hostile: POSIX sh probing: id, env secrets, /etc/shadow, writes to /etc and /usr, /home, ps-like /proc scan
# language: sh
# timeout: 5
# expect-status: completed
# expect-stdout: SAFE: id -u is not 0
# expect-stdout: SAFE: no WARDEN variable in env
# expect-stdout: SAFE: cat /etc/shadow failed
# expect-stdout: SAFE: cannot create files in /etc
# expect-stdout: SAFE: cannot create files in /usr/bin
# expect-stdout: SAFE: few processes visible
uid=$(id -u)
if [ "$uid" = "0" ]; then echo "ESCAPE: id -u is 0"; else echo "SAFE: id -u is not 0 ($uid)"; fi

if env | grep -qi warden; then echo "ESCAPE: env mentions WARDEN"; else echo "SAFE: no WARDEN variable in env"; fi

if cat /etc/shadow >/dev/null 2>&1; then echo "ESCAPE: cat /etc/shadow succeeded"; else echo "SAFE: cat /etc/shadow failed"; fi

set -C  # noclobber: never overwrite an existing file
for d in /etc /usr/bin /root /; do
  f="$d/warden-sh-$$"
  if ( : > "$f" ) 2>/dev/null; then
    echo "ESCAPE: created $f"
    rm -f "$f"
  else
    echo "SAFE: cannot create files in $d"
  fi
done
set +C

if [ -d /home ] && [ -n "$(ls -A /home 2>/dev/null)" ]; then
  echo "ESCAPE: /home has entries: $(ls -A /home | head -5 | tr '\n' ' ')"
else
  echo "SAFE: /home absent or empty"
fi

n=0
for p in /proc/[0-9]*; do n=$((n + 1)); done
if [ "$n" -lt 20 ]; then echo "SAFE: few processes visible ($n)"; else echo "ESCAPE: $n processes visible"; fi
