# hostile: plain `sleep` in bash (bounded at 3600 s); must end by timeout
# language: bash
# timeout: 2
# expect-status: timeout
echo "sleeping"
sleep 3600
echo "woke up (should not happen)"
