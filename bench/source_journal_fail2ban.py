# The Python fail2ban's side of bench/source-journal: reads a journal directory with the journal
# reader fail2ban uses (python3-systemd), formats each entry with fail2ban 1.0.2's own
# formatJournalEntry, and prints the rate.  Usage: source_journal_fail2ban.py DIR [MATCH...]
import sys
import time

from systemd import journal
from fail2ban.server.filtersystemd import FilterSystemd


class Probe:
    jailName = 'bench'
    getJrnEntTime = FilterSystemd.getJrnEntTime

    def getLogEncoding(self):
        return 'UTF-8'


probe = Probe()
start = time.monotonic()
reader = journal.Reader(path=sys.argv[1], converters={'__CURSOR': lambda x: x})
for m in sys.argv[2:]:
    reader.add_match(m)
n = 0
for entry in reader:
    FilterSystemd.formatJournalEntry(probe, entry)
    n += 1
secs = time.monotonic() - start
print("entries %d  seconds %.2f  entries/s %.0f" % (n, secs, n / secs))
