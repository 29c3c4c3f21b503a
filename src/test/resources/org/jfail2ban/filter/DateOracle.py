"""Runs fail2ban's own DateDetector over log files and prints what it finds, for comparison.

Usage: DateOracle.py CONFIG_DIR [--patterns=JSON-LIST] [--timezone=TZ] FILE...
(TZ and PYTHONPATH set by the caller; options apply to the files after them)

For each file: one run with the default templates, one per distinct datepattern that the
filter of the same name has under the file's "# filterOptions" (and "# fileOptions"), and one
per pattern given with --patterns.
Prints one JSON object per run: the pattern, each line with its date span (UTF-16 offsets),
the time (or null) and the template name, and the hits per template at the end.
"""
import gc
import json
import os
import re
import sys

from fail2ban.server.mytime import MyTime
from fail2ban.server.datedetector import DateDetector
from fail2ban.server.datetemplate import DateTemplate
from fail2ban.client.filterreader import FilterReader

NOW = 1124013600  # 2005-08-14 12:00:00 CEST, the time the samples assume


def utf16(text, index):
    return len(text[:index].encode('utf-16-le')) // 2


def lines_of(path):
    with open(path, 'rb') as f:
        data = f.read()
    parts = data.split(b'\n')
    if parts and parts[-1] == b'':
        parts.pop()
    return [p.rstrip(b'\r').decode('utf-8', 'replace') for p in parts]


def patterns_for(config, path):
    name = os.path.basename(path)
    if not os.path.isfile(os.path.join(config, 'filter.d', name + '.conf')):
        return []
    options = [{}]
    common = {}
    for line in lines_of(path):
        m = re.match(r"^#+ ?(filterOptions|fileOptions):(.+)$", line)
        if not m:
            continue
        data = json.loads(m.group(2))
        if m.group(1) == 'fileOptions':
            common = data
            continue
        for o in (data if isinstance(data, list) else [data]):
            merged = dict(common)
            merged.update(o)
            options.append(dict((k, v) for k, v in merged.items() if not k.startswith('test.')))
    found = []
    for o in options:
        reader = FilterReader(name, 'jail', o, basedir=config)
        reader.read()
        reader.getOptions({})
        for opt in reader.convert():
            if opt[2] == 'datepattern' and opt[3] not in found:
                found.append(opt[3])
    return found


def run(path, pattern, timezone, lines):
    # templates are shared by all detectors in a process; start each run from zero
    for obj in gc.get_objects():
        if isinstance(obj, DateTemplate):
            obj.hits = 0
    dd = DateDetector()
    dd.default_tz = timezone
    if pattern is not None:
        for p in filter(bool, map(str.strip, re.split('\n+', pattern))):
            dd.appendTemplate(p)
    out = []
    for line in lines:
        try:
            m, template = dd.matchTime(line)
        except Exception as e:
            out.append([None, None, 'error: %s' % type(e).__name__, None])
            continue
        if not m:
            out.append([None, None, None, None])
            continue
        s, e = m.start(1), m.end(1)
        t = None
        if s != e:  # the filter takes the last date or now for an empty date
            try:
                d = dd.getTime(line[s:e], (m, template))
                t = None if d is None else d[0]
            except Exception as ex:
                t = 'error: %s' % type(ex).__name__
        out.append([utf16(line, s), utf16(line, e), t, template.name])
    stats = [[t.name, t.hits] for t in dd.templates]
    return {'file': path, 'pattern': pattern, 'timezone': timezone, 'lines': out, 'stats': stats}


def main():
    MyTime.setTime(NOW)
    config = sys.argv[1]
    extra = []
    timezone = None
    for arg in sys.argv[2:]:
        if arg.startswith('--patterns='):
            extra = json.loads(arg[len('--patterns='):])
            continue
        if arg.startswith('--timezone='):
            timezone = arg[len('--timezone='):]
            continue
        lines = lines_of(arg)
        print(json.dumps({'file': arg, 'text': lines}))
        for pattern in [None] + patterns_for(config, arg) + extra:
            print(json.dumps(run(arg, pattern, timezone, lines)))


if __name__ == '__main__':
    main()
