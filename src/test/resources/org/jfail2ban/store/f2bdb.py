# Drives the Python fail2ban's database class for the store's interchange tests.
#   f2bdb.py write DB SPEC   -- SPEC (JSON): jails, bans, logs, journals to write into DB
#   f2bdb.py read DB NOW     -- prints (JSON) what the Python fail2ban reads back from DB at NOW
#   f2bdb.py purge DB NOW AGE
# The fail2ban package must be on PYTHONPATH. Its log goes to stderr.
import json
import logging
import sys

from fail2ban.server.database import Fail2BanDb
from fail2ban.server.mytime import MyTime
from fail2ban.server.ticket import FailTicket

logging.basicConfig(stream=sys.stderr, level=logging.DEBUG,
                    format="%(levelname)s %(name)s %(message)s")


class Actions:
    def __init__(self, bantime):
        self.bantime = bantime

    def getBanTime(self):
        return self.bantime


class Jail:
    def __init__(self, name, bantime=600):
        self.name = name
        self.actions = Actions(bantime)

    def getMaxBanTime(self):
        return self.actions.getBanTime()


class Container:
    def __init__(self, path, pos, md5):
        self.path, self.pos, self.md5 = path, pos, md5

    def getFileName(self):
        return self.path

    def getPos(self):
        return self.pos

    def getHash(self):
        return self.md5


def jsonable(v):
    if isinstance(v, (set, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


def write(db, spec):
    if "maxMatches" in spec:
        db.maxMatches = spec["maxMatches"]
    for name in spec.get("jails", []):
        db.addJail(Jail(name))
    for b in spec.get("bans", []):
        data = dict(b.get("data", {}))
        for k, v in list(data.items()):
            if k == "user-set":
                del data[k]
                data["user"] = set(v)
        t = FailTicket(b["ip"], b["time"], data=data)
        t.setBanTime(b["bantime"])
        t.setBanCount(b["bancount"], always=True)
        db.addBan(Jail(b["jail"]), t)
    for l in spec.get("logs", []):
        db.updateLog(Jail(l["jail"]), Container(l["path"], l["pos"], l["md5"]))
    for j in spec.get("journals", []):
        db.updateJournal(Jail(j["jail"]), "systemd-journal", j["time"], j["iso"])


def read(db, now, jails):
    MyTime.setTime(now)
    # (fail2ban's getJailNames and getLogPaths return one row only: they use fetchmany())
    q = lambda sql, *a: [r[0] for r in db._db.execute(sql, a).fetchall()]
    out = {"version": db._db.execute("SELECT version FROM fail2banDb").fetchone()[0],
           "jails": sorted(q("SELECT name FROM jails")),
           "enabled": sorted(q("SELECT name FROM jails WHERE enabled=1")),
           "logs": {}, "journals": {}, "current": {}, "history": {}}
    for name in out["jails"]:
        j = Jail(name)
        out["logs"][name] = {}
        for p in sorted(q("SELECT path FROM logs WHERE jail=?", name)):
            if p == "systemd-journal":
                out["journals"][name] = db.getJournalPos(j, p)
                continue
            row = db._db.execute("SELECT firstlinemd5, lastfilepos FROM logs WHERE jail=? AND path=?",
                                 (name, p)).fetchone()
            out["logs"][name][p] = {"md5": row[0], "pos": row[1],
                                    "addLog": db.addLog(j, Container(p, 0, row[0]))}
        cur = []
        for t in db.getCurrentBans(jail=j, fromtime=now, correctBanTime=False):
            cur.append({"ip": str(t.getID()), "time": t.getTime(), "bantime": t.getBanTime(),
                        "bancount": t.getBanCount(), "data": jsonable(t.getData())})
            hist = list(db.getBan(str(t.getID()), j))
            out["history"]["%s|%s" % (name, t.getID())] = [list(r) for r in hist]
        out["current"][name] = sorted(cur, key=lambda t: t["ip"])
    return out


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    db = Fail2BanDb(path)
    try:
        if cmd == "write":
            with open(sys.argv[3]) as f:
                write(db, json.load(f))
        elif cmd == "read":
            print(json.dumps(read(db, float(sys.argv[3]), None), sort_keys=True))
        elif cmd == "purge":
            MyTime.setTime(float(sys.argv[3]))
            db._purgeAge = int(sys.argv[4])
            db.purge()
            print(json.dumps(read(db, float(sys.argv[3]), None), sort_keys=True))
        else:
            raise SystemExit("unknown command " + cmd)
    finally:
        db.close()


main()
