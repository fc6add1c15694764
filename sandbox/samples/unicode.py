# Proves UTF-8 output survives: accents, symbols, CJK, emoji and right-to-left text.
import sys

sys.stdout.reconfigure(encoding="utf-8")
print("héllo wörld ✓ 日本語 🚀")
print("שלום עולם / مرحبا بالعالم")
