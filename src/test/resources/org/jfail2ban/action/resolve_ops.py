# Asks fail2ban's own CommandAction how it resolves an action's operations.
# stdin: JSON {"props": [[key, value], ...], "families": ["", "inet4", "inet6"]}
# stdout: JSON {family: {operation: command}}
import json
import sys

from fail2ban.server.action import CommandAction

req = json.load(sys.stdin)
act = CommandAction(None, "probe")
for k, v in req["props"]:
    setattr(act, k, v)
out = {}
for fam in req["families"]:
    res = {}
    for op in ("actionstart", "actionstop", "actioncheck", "actionban", "actionunban",
               "actionflush", "actionrepair", "actionreload"):
        try:
            res[op] = act._getOperation("<%s>" % op, fam)
        except ValueError as e:
            res[op] = "ERROR"
    out[fam] = res
print(json.dumps(out))
