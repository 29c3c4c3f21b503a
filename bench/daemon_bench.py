#!/usr/bin/python3
"""Whole-process benchmarks of the daemon, ours against the Python fail2ban 1.0.2 of the oracle
package, side by side in one run.

    daemon_bench.py reaction [--runs 100]      line that reaches maxretry -> start of the ban action
    daemon_bench.py client   [--runs 30]       fail2ban-client ping / status sshd as whole processes
    daemon_bench.py memory   [--seconds 30]    server RSS: one sshd jail; ten jails on busy logs

Run through the bench/*.sh wrappers (they build the jar and fetch the oracle first). Needs
/usr/bin/python3 with pyinotify (Debian: python3-pyinotify) for the Python side.
"""

import argparse
import resource
import ast
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
ORACLE = subprocess.run([os.path.join(TOP, "scripts/fetch-oracle")], check=True,
                        capture_output=True, text=True).stdout.strip()
PYPATH = os.path.join(ORACLE, "usr/lib/python3/dist-packages")
sys.path.insert(0, PYPATH)
from fail2ban.client.csocket import CSocket  # noqa: E402  (the oracle's own client socket)

FAILREGEX = r"Failed password for \S+ from <HOST>"


def stamp():
    return time.strftime("%Y-%m-%d %H:%M:%S")


def failure(ip, user="root"):
    return "%s host sshd[4242]: Failed password for %s from %s port 22 ssh2\n" % (stamp(), user, ip)


# ---------------------------------------------------------------------------------- servers

class Server:
    """What both servers share: ping, commands that must succeed, stop."""
    name = "?"
    proc = None

    def send(self, cmd):
        raise NotImplementedError

    def answers(self):
        try:
            return self.send(["ping"])[0] == 0
        except OSError:
            return False

    def ok(self, cmd):
        r = self.send(cmd)
        if r[0] != 0:
            raise RuntimeError("%r failed: %r" % (cmd, r))
        return r[1]

    def stop(self):
        try:
            self.send(["stop"])
        except OSError:
            pass
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Ours(Server):
    name = "jfail2ban"

    def __init__(self, work):
        self.dir = os.path.join(work, "ours")
        os.makedirs(self.dir)
        self.sock = os.path.join(self.dir, "run/f.sock")
        self.proc = subprocess.Popen(
            [os.path.join(TOP, "bin/fail2ban-server"), "-f", "--async", "-s", self.sock,
             "-p", os.path.join(self.dir, "run/f.pid"), "--logtarget", os.path.join(self.dir, "f2b.log"),
             "--loglevel", "INFO"], cwd=self.dir, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.answers(), 120, "our server")
        self.pid = int(open(os.path.join(self.dir, "run/f.pid")).read())

    def send(self, cmd):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.sock)
        try:
            f = s.makefile("rwb")
            f.write((json.dumps(cmd) + "\n").encode())
            f.flush()
            return json.loads(f.readline())
        finally:
            s.close()

    def client(self):
        return [os.path.join(TOP, "bin/fail2ban-client"), "-s", self.sock]



class Theirs(Server):
    name = "fail2ban"

    def __init__(self, work):
        self.dir = os.path.join(work, "python")
        self.conf = os.path.join(self.dir, "conf")
        os.makedirs(self.conf)
        self.sock = os.path.join(self.dir, "run/f.sock")
        with open(os.path.join(self.conf, "fail2ban.conf"), "w") as f:
            f.write("[Definition]\nloglevel = INFO\nlogtarget = %s\nsyslogsocket = auto\nsocket = %s\n"
                    "pidfile = %s\ndbfile = :memory:\nallowipv6 = auto\n"
                    % (os.path.join(self.dir, "f2b.log"), self.sock, os.path.join(self.dir, "run/f.pid")))
        open(os.path.join(self.conf, "jail.conf"), "w").close()
        env = dict(os.environ, PYTHONPATH=PYPATH)
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ORACLE, "usr/bin/fail2ban-server"), "-c", self.conf, "-f", "--async",
             "-s", self.sock, "-p", os.path.join(self.dir, "run/f.pid"), "--logtarget",
             os.path.join(self.dir, "f2b.log"), "--loglevel", "INFO"], cwd=self.dir, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.answers(), 120, "the Python server")
        self.pid = self.proc.pid

    def send(self, cmd):
        c = CSocket(self.sock)
        try:
            return c.send(cmd)
        finally:
            c.close()

    def client(self):
        return ["env", "PYTHONPATH=" + PYPATH, "/usr/bin/python3", os.path.join(ORACLE, "usr/bin/fail2ban-client"),
                "-c", self.conf, "-s", self.sock]



def wait_for(cond, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return
        time.sleep(0.02)
    raise RuntimeError("timed out waiting for " + what)


def jail(server, name, backend, logfile, maxretry, action_cmd=None):
    server.ok(["add", name, backend])
    server.ok(["set", name, "addlogpath", logfile])
    server.ok(["set", name, "addfailregex", FAILREGEX])
    server.ok(["set", name, "maxretry", str(maxretry)])
    server.ok(["set", name, "findtime", "600"])
    server.ok(["set", name, "bantime", "600"])
    server.ok(["set", name, "usedns", "no"])
    if action_cmd:
        server.ok(["set", name, "addaction", "mark"])
        server.ok(["set", name, "action", "mark", "actionban", action_cmd])
    server.ok(["start", name])


def pct(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ---------------------------------------------------------------------------------- reaction

def log_times(path, what):
    """Times (seconds since the epoch) of the server log's lines that contain `what` (that end
    with it, when it ends with $)."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            if what in line if not what.endswith("$") else line.rstrip("\n").endswith(what[:-1]):
                t = time.mktime(time.strptime(line[:19], "%Y-%m-%d %H:%M:%S")) + int(line[20:23]) / 1000.0
                out.append(t)
    return out


def reaction(args):
    """Writes maxretry-1 failures, then the one that reaches maxretry; the ban action writes the
    time it starts (date +%s%N) to a file. Reaction = that time - the time of the last write.
    The servers' own logs (millisecond stamps) split it: write -> "Found" (the source woke up
    and the filter matched), "Found" -> "Ban" (the ban written durably to the database and
    handed to the jail's action worker), "Ban" -> the action's first command."""
    work = tempfile.mkdtemp(prefix="jf2b-bench-")
    rows = []
    try:
        servers = ((Ours, "auto"), (Theirs, "polling"), (Theirs, "pyinotify"))
        for server_cls, backend in servers[:1] if args.only == "ours" else servers:
            s = server_cls(os.path.join(work, backend + "-" + server_cls.name))
            try:
                log = os.path.join(s.dir, "auth.log")
                mark = os.path.join(s.dir, "mark")
                open(log, "w").close()
                if args.db != "none":
                    # as installed: bans in a database file (ours writes it durably before acting)
                    s.ok(["set", "dbfile", os.path.join(s.dir, "f2b.sqlite3") if args.db == "file" else ":memory:"])
                jail(s, "sshd", backend, log, 3, "date +%%s%%N > %s" % mark)
                times = []
                starts = []
                for i in range(-args.warmup, args.runs):
                    n = i + args.warmup
                    ip = "10.%d.%d.%d" % (n // 65536 % 256, n // 256 % 256, n % 256 + 1 if n % 256 < 255 else 1)
                    if os.path.exists(mark):
                        os.unlink(mark)
                    with open(log, "a") as f:
                        f.write(failure(ip) + failure(ip))
                    # let the first two be read (polling needs its second) before the decisive one
                    time.sleep(args.gap)
                    with open(log, "a") as f:
                        t0 = time.time_ns()
                        f.write(failure(ip))
                    end = time.time() + 30
                    while not os.path.exists(mark) or os.path.getsize(mark) == 0:
                        if time.time() > end:
                            raise RuntimeError("no ban for run %d (%s %s)" % (i, s.name, backend))
                        time.sleep(0.0005)
                    t1 = int(open(mark).read().strip())
                    if i < 0:
                        continue  # a warm-up ban: not counted
                    times.append((t1 - t0) / 1e6)
                    starts.append((ip, t0 / 1e9, t1 / 1e9))
                server_log = os.path.join(s.dir, "f2b.log")
                stages = []
                for ip, t0, t1 in starts:
                    found = [t for t in log_times(server_log, "] Found %s " % ip) if t >= t0 - 0.002]
                    ban = log_times(server_log, "] Ban %s$" % ip)
                    if found and ban:
                        stages.append(((found[0] - t0) * 1000, (ban[-1] - found[0]) * 1000, (t1 - ban[-1]) * 1000))
                rows.append((s.name, backend, times, stages))
            finally:
                s.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("Reaction time, write of the line reaching maxretry -> start of the ban action (%d runs after %d warm-up bans,"
          " database: %s)" % (args.runs, args.warmup, args.db))
    print("%-10s %-10s %10s %10s %10s %10s" % ("server", "backend", "median ms", "p90 ms", "p99 ms", "max ms"))
    for name, backend, t, _ in rows:
        print("%-10s %-10s %10.1f %10.1f %10.1f %10.1f" % (name, backend, statistics.median(t), pct(t, 90), pct(t, 99), max(t)))
    print("Stages from the servers' logs (millisecond stamps), median / p99 ms:")
    print("%-10s %-10s %17s %17s %17s" % ("server", "backend", "write->Found", "Found->Ban", "Ban->action"))
    for name, backend, _, st in rows:
        if st:
            cols = ["%7.1f / %7.1f" % (statistics.median(c), pct(c, 99)) for c in zip(*st)]
            print("%-10s %-10s %17s %17s %17s" % (name, backend, *cols))
    ours = rows[0][2]
    for name, backend, t, _ in rows[1:]:
        print("ratio %s %s / ours: median %.1fx, p99 %.1fx" % (name, backend, statistics.median(t) / statistics.median(ours),
                                                           pct(t, 99) / pct(ours, 99)))


# ---------------------------------------------------------------------------------- client

def client(args):
    work = tempfile.mkdtemp(prefix="jf2b-bench-")
    rows = []
    try:
        servers = [Ours(work), Theirs(work)]
        try:
            for s in servers:
                log = os.path.join(s.dir, "auth.log")
                open(log, "w").close()
                jail(s, "sshd", "polling", log, 5)
                for i in range(5):
                    s.ok(["set", "sshd", "banip", "192.0.2.%d" % (i + 1)])
            for cmd in (["ping"], ["status", "sshd"]):
                times = {s.name: [] for s in servers}
                cpu = {s.name: 0.0 for s in servers}
                for s in servers:
                    argv = s.client() + cmd
                    out = subprocess.run(argv, capture_output=True, text=True)
                    if out.returncode != 0:
                        raise RuntimeError("%r: %s" % (argv, out.stderr))
                # interleaved, so a busy machine slows both alike
                for _ in range(args.runs):
                    for s in servers:
                        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                        t0 = time.perf_counter()
                        subprocess.run(s.client() + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                        times[s.name].append((time.perf_counter() - t0) * 1000)
                        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                        cpu[s.name] += (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000
                for s in servers:
                    rows.append((" ".join(cmd), s.name, times[s.name], cpu[s.name] / args.runs))
        finally:
            for s in servers:
                s.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("Client latency, whole process (%d runs each)" % args.runs)
    print("%-12s %-10s %10s %10s %10s %10s" % ("command", "client", "median ms", "p90 ms", "min ms", "cpu ms"))
    for cmd, name, t, c in rows:
        print("%-12s %-10s %10.1f %10.1f %10.1f %10.1f" % (cmd, name, statistics.median(t), pct(t, 90), min(t), c))
    for i in range(0, len(rows), 2):
        print("ratio fail2ban / ours, %s: wall (median) %.2fx, cpu %.2fx" % (rows[i][0],
              statistics.median(rows[i + 1][2]) / statistics.median(rows[i][2]), rows[i + 1][3] / rows[i][3]))


# ---------------------------------------------------------------------------------- memory

def rss_kb(pid):
    vals = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:", "Pss_Anon:"):
                vals[parts[0][:-1]] = int(parts[1])
    return vals


def stock_stream():
    """fail2ban's own command stream for its stock sshd jail (fail2ban-client -d on the oracle's
    etc/fail2ban, with a dummy action, polling, and a log of ours)."""
    conf = tempfile.mkdtemp(prefix="jf2b-conf-")
    shutil.copytree(os.path.join(ORACLE, "etc/fail2ban"), conf, dirs_exist_ok=True)
    log = os.path.join(conf, "auth.log")
    open(log, "w").close()
    with open(os.path.join(conf, "jail.local"), "w") as f:
        f.write("[DEFAULT]\nbanaction = dummy\nbackend = polling\n[sshd]\nenabled = true\nlogpath = %s\n" % log)
    out = subprocess.run(["/usr/bin/python3", os.path.join(ORACLE, "usr/bin/fail2ban-client"), "-c", conf, "-d"],
                         env=dict(os.environ, PYTHONPATH=PYPATH), capture_output=True, text=True, check=True).stdout
    cmds = [ast.literal_eval(l) for l in out.splitlines() if l.startswith("[")]
    return [c for c in cmds if not (c[0] == "set" and c[1] in ("dbfile", "logtarget", "loglevel", "syslogsocket"))], log, conf


def feed(logs, rate, seconds, stop):
    """Appends to each log `rate` lines a second: a failure in five, the rest noise."""
    n = 0
    end = time.time() + seconds
    while time.time() < end and not stop.is_set():
        t0 = time.time()
        for log in logs:
            with open(log, "a") as f:
                for k in range(rate // 10):
                    n += 1
                    if n % 5 == 0:
                        # fifty attackers, each failing about once a second per log: bans keep coming
                        f.write(failure("198.51.100.%d" % (n // 5 % 50 + 1), "user%d" % n))
                    else:
                        f.write("%s host sshd[%d]: Connection closed by 203.0.113.%d port %d [preauth]\n"
                                % (stamp(), n, n % 250, 1024 + n % 60000))
        time.sleep(max(0.0, 0.1 - (time.time() - t0)))


def memory(args):
    work = tempfile.mkdtemp(prefix="jf2b-bench-")
    results = []
    stream, stock_log, conf = stock_stream()
    try:
        # 1. the stock sshd jail, idle
        for cls in (Ours, Theirs):
            s = cls(os.path.join(work, "stock"))
            try:
                failed = 0
                for c in stream:
                    r = s.send(c)
                    if r[0] != 0:
                        failed += 1
                with open(stock_log, "a") as f:
                    for i in range(20):
                        f.write(failure("192.0.2.%d" % (i % 4 + 1)))
                time.sleep(args.settle)
                results.append(("stock sshd jail", s.name, rss_kb(s.pid), failed))
            finally:
                s.stop()
        # 2. ten jails on busy logs
        for cls in (Ours, Theirs):
            s = cls(os.path.join(work, "busy"))
            try:
                logs = []
                for j in range(10):
                    log = os.path.join(s.dir, "busy%d.log" % j)
                    open(log, "w").close()
                    logs.append(log)
                    jail(s, "j%d" % j, "polling" if cls is Theirs else "auto", log, 3)
                stop = threading.Event()
                peak = {}
                t = threading.Thread(target=feed, args=(logs, args.rate, args.seconds, stop))
                t.start()
                while t.is_alive():
                    v = rss_kb(s.pid)
                    if v.get("Rss", 0) > peak.get("Rss", 0):
                        peak = v
                    time.sleep(0.5)
                banned = sum(len(s.ok(["get", "j%d" % j, "banned"])) for j in range(10))
                end = rss_kb(s.pid)
                results.append(("10 busy jails (end)", s.name, end, banned))
                results.append(("10 busy jails (peak)", s.name, peak, banned))
            finally:
                s.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(conf, ignore_errors=True)
    print("Server memory (kB; RSS counts shared library and class-archive pages, PSS shares them, anon is private)")
    print("%-22s %-10s %8s %8s %8s   %s" % ("case", "server", "RSS", "PSS", "anon", "note"))
    for case, name, v, note in results:
        extra = ("%d stream commands failed" % note) if case.startswith("stock") else ("%d banned" % note)
        print("%-22s %-10s %8d %8d %8d   %s" % (case, name, v.get("Rss", 0), v.get("Pss", 0), v.get("Pss_Anon", 0), extra))
    by = {}
    for case, name, v, _ in results:
        by.setdefault(case, {})[name] = v
    for case, d in by.items():
        if "jfail2ban" in d and "fail2ban" in d:
            print("ratio ours / fail2ban, %s: RSS %.2fx, PSS %.2fx" % (case, d["jfail2ban"]["Rss"] / d["fail2ban"]["Rss"],
                                                                    d["jfail2ban"]["Pss"] / d["fail2ban"]["Pss"]))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("reaction")
    r.add_argument("--runs", type=int, default=100)
    r.add_argument("--warmup", type=int, default=0,
                   help="bans before the counted runs, not counted (a daemon that has run a while)")
    r.add_argument("--gap", type=float, default=1.2, help="seconds between the first failures and the decisive one")
    r.add_argument("--db", choices=("file", "memory", "none"), default="file",
                   help="the servers' ban database: a file (as installed), :memory:, or none")
    r.add_argument("--only", choices=("all", "ours"), default="all", help="ours alone, to profile")
    c = sub.add_parser("client")
    c.add_argument("--runs", type=int, default=30)
    m = sub.add_parser("memory")
    m.add_argument("--seconds", type=int, default=30)
    m.add_argument("--rate", type=int, default=200, help="lines per second per log")
    m.add_argument("--settle", type=float, default=5)
    a = ap.parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    {"reaction": reaction, "client": client, "memory": memory}[a.what](a)


if __name__ == "__main__":
    main()
