# Reads `fail2ban-client -d` output on stdin and prints each command as one JSON line.
import ast
import json
import sys

for line in sys.stdin:
    line = line.strip()
    if line.startswith("["):
        print(json.dumps(ast.literal_eval(line)))
