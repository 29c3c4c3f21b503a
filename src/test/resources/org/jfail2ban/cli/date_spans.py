# For each group of lines, where fail2ban's own date detector finds the date of each line and
# what time it gives, under the samples' fixed clock. Reads JSON on stdin:
#   [{"datepattern": str|null, "lines": [str, ...]}, ...]
# writes [[[start, end, time|null] | null, ...], ...]: spans in code points.
import json, sys
from fail2ban.server.mytime import MyTime
from fail2ban.server.datedetector import DateDetector

MyTime.setTime(1124013600)
out = []
for group in json.load(sys.stdin):
    dd = DateDetector()
    pattern = group.get("datepattern")
    if pattern is None:
        dd.addDefaultTemplate()
    else:
        for p in [p.strip() for p in pattern.split("\n") if p.strip()]:
            dd.appendTemplate(p)
    res = []
    for line in group["lines"]:
        m = dd.matchTime(line)
        if not m or not m[0]:
            res.append(None)
            continue
        s, e = m[0].start(1), m[0].end(1)
        t = None
        if e > s:
            r = dd.getTime(line[s:e], m)
            t = r[0] if r else None
        res.append([s, e, t])
    out.append(res)
json.dump(out, sys.stdout)
