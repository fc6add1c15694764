# Proves the bash interpreter works: one line on stdout, exit 0.
echo "hello from bash"
