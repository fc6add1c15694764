# Proves the basic Python path works end to end: one line on stdout, exit 0.
print("hello from warden")
