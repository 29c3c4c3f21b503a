# Sends commands to a running fail2ban-server the way its client does (fail2ban's own CSocket).
# argv[1]: the socket; stdin: one JSON command per line; stdout: one JSON [code, repr(answer)] per line.
import json
import sys
import time

from fail2ban.client.csocket import CSocket

sock = sys.argv[1]
for _ in range(100):
    try:
        s = CSocket(sock)
        if s.send(["ping"])[0] == 0:
            s.close()
            break
    except Exception:
        time.sleep(0.1)
for line in sys.stdin:
    if not line.strip():
        continue
    s = CSocket(sock)
    code, answer = s.send(json.loads(line))
    s.close()
    print(json.dumps([code, repr(answer)]), flush=True)
