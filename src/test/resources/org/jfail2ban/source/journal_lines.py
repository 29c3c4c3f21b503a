# Second opinion for the journal formatting: reads a journal directory with the journal reader
# fail2ban uses (python3-systemd) and prints, per entry, the line fail2ban 1.0.2's own
# formatJournalEntry makes of it and the time it gives it, as JSON.
# Usage: journal_lines.py ENCODING DIRECTORY
import json
import sys

from systemd import journal
from fail2ban.server.filtersystemd import FilterSystemd


class Probe:
    jailName = 'probe'
    getJrnEntTime = FilterSystemd.getJrnEntTime

    def __init__(self, encoding):
        self.encoding = encoding

    def getLogEncoding(self):
        return self.encoding


probe = Probe(sys.argv[1])
reader = journal.Reader(path=sys.argv[2], converters={'__CURSOR': lambda x: x})
for entry in reader:
    (parts, tm) = FilterSystemd.formatJournalEntry(probe, entry)
    print(json.dumps([parts[2], tm]))
