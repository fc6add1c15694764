# hostile: bash /dev/tcp and /dev/udp redirections to 1.1.1.1:53 and 8.8.8.8:53
# language: bash
# timeout: 8
# expect-status: completed
# expect-stdout: SAFE: exec 3<>/dev/tcp/1.1.1.1/53 failed
# expect-stdout: SAFE: exec 3<>/dev/tcp/8.8.8.8/53 failed
# expect-stdout: SAFE: /dev/udp/8.8.8.8/53
try_tcp() {
  local target="$1"
  timeout 2 bash -c "exec 3<>$target" 2>/dev/null
  local rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "ESCAPE: exec 3<>$target connected"
  elif [ "$rc" -eq 124 ]; then
    echo "UNEXPECTED: exec 3<>$target hung (packets may leave the sandbox)"
  else
    echo "SAFE: exec 3<>$target failed (rc=$rc)"
  fi
}
try_tcp /dev/tcp/1.1.1.1/53
try_tcp /dev/tcp/8.8.8.8/53

# UDP "connect" needs no handshake, so a send is the real test: it must fail with ENETUNREACH.
if timeout 2 bash -c 'exec 3<>/dev/udp/8.8.8.8/53 && printf "x" >&3' 2>/dev/null; then
  echo "ESCAPE: /dev/udp/8.8.8.8/53 accepted a datagram"
else
  echo "SAFE: /dev/udp/8.8.8.8/53 could not send"
fi
