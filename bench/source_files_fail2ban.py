# The Python fail2ban's side of bench/source-files: reads a log file from its head with
# fail2ban 1.0.2's own FileContainer (what its file filters read with), line by line as its
# getFailures() does, and prints lines per second.  Usage: source_files_fail2ban.py FILE
import sys
import time

from fail2ban.server.filter import FileContainer

best = 0
for attempt in range(5):
    start = time.monotonic()
    log = FileContainer(sys.argv[1], 'UTF-8')
    log.open()
    n = 0
    while log.readline() is not None:
        n += 1
    log.close()
    rate = n / (time.monotonic() - start)
    best = max(best, rate)
print("lines %d  lines/s %.0f" % (n, best))
