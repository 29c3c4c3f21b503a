#!/bin/bash
# A start with many bans in the database, until all of them are in the nftables sets: jfail2ban
# with N bans (default 100,000), and the Python fail2ban 1.0.2 with its stock nftables action
# with M (default 10,000; it runs one nft command per ban, so the figure is extrapolated).
# Each daemon runs in a network namespace of its own, on our shipped configuration (ours) or the
# stock one (theirs), with a jail.local that points sshd at an empty log and bans for a day.
# Timed from the start command until `nft list set` holds every address.
# Needs root, nftables, python3 and the oracle (scripts/fetch-oracle).
#   bench/restore.sh [N] [M]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
m=${2:-10000}
oracle=$(scripts/fetch-oracle)
py=/usr/bin/python3
pkg="$oracle/usr/lib/python3/dist-packages"
mvn -q -o -B -DskipTests package -Djdeb.skip >/dev/null
mvn -q -o -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt >/dev/null
cp="target/test-classes:target/classes:$(cat target/cp.txt)"
# the launchers record their class-data archives on the first run of a new jar (a few seconds):
# done here, not inside the timed start
bin/fail2ban-server -V >/dev/null
bin/fail2ban-client -V >/dev/null

tmp=$(mktemp -d /tmp/jf2b-wire-restore.XXXXXX)
ours=jf2b-wire-restore-ours-$$
theirs=jf2b-wire-restore-py-$$
pyclient() { ip netns exec "$theirs" env PYTHONPATH="$pkg" "$py" "$oracle/usr/bin/fail2ban-client" -c "$tmp/py" "$@"; }
cleanup() {
  [ -S "$tmp/ours/conf/f.sock" ] && bin/fail2ban-client -c "$tmp/ours/conf" stop >/dev/null 2>&1 || true
  [ -S "$tmp/py/f.sock" ] && pyclient stop >/dev/null 2>&1 || true
  # a server that did not stop (interrupted during its start) is not left behind
  for pf in "$tmp/ours/conf/f.pid" "$tmp/py/f.pid"; do
    [ -f "$pf" ] && kill "$(cat "$pf")" 2>/dev/null || true
  done
  ip netns del "$ours" 2>/dev/null || true
  ip netns del "$theirs" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ours"
ip netns add "$theirs"

# elements of the jail's IPv4 set, as nft lists them: count NETNS TABLE SET
# (ours: table inet f2b-sshd, set addr4; fail2ban's nftables action: inet f2b-table, addr-set-sshd)
count() {
  ip netns exec "$1" nft -j list set inet "$2" "$3" 2>/dev/null | "$py" -c 'import json, sys
try:
    print(sum(len(i["set"].get("elem", [])) for i in json.load(sys.stdin)["nftables"] if "set" in i))
except Exception:
    print(0)'
}

# the address of the database's last ban
last_ip() {
  "$py" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select ip from bans order by rowid desc limit 1").fetchone()[0])' "$1"
}

# the local files both configurations get
locals() {
  local dir=$1 db=$2
  cat > "$dir/fail2ban.local" <<CONF
[Definition]
logtarget = $dir/f2b.log
socket = $dir/f.sock
pidfile = $dir/f.pid
dbfile = $db
CONF
  : > "$dir/auth.log"
  cat > "$dir/jail.local" <<CONF
[sshd]
enabled = true
logpath = $dir/auth.log
backend = polling
bantime = 1d
banaction = nftables-multiport
CONF
}

echo "== jfail2ban, $n bans in the database, shipped configuration (nftables)"
mkdir -p "$tmp/ours"
cp -r config "$tmp/ours/conf"
java -cp "$cp" org.jfail2ban.bench.RestoreDatabase "$tmp/ours/f.sqlite3" "$n"
locals "$tmp/ours/conf" "$tmp/ours/f.sqlite3"
probe=$(last_ip "$tmp/ours/f.sqlite3")
t0=$(date +%s.%N)
ip netns exec "$ours" bin/fail2ban-client -c "$tmp/ours/conf" start >"$tmp/ours/start.out" || { cat "$tmp/ours/start.out"; tail -5 "$tmp/ours/conf/f2b.log"; exit 1; }
# our bans go in as one nft transaction: all appear together, so the probe of one address (the
# last of the database) times it without listing 100,000 elements each round; the count checks
until ip netns exec "$ours" nft get element inet f2b-sshd addr4 "{ $probe }" >/dev/null 2>&1; do
  sleep 0.05
done
t1=$(date +%s.%N)
until [ "$(count "$ours" f2b-sshd addr4)" -ge "$n" ]; do sleep 0.1; done
log="$tmp/ours/conf/f2b.log"
grep -m1 'Starting jfail2ban' "$log" | cut -c1-23 | sed 's/^/  server starts:      /'
grep -m1 "Jail 'sshd' started" "$log" | cut -c1-23 | sed 's/^/  jail started:       /'
grep 'Restore Ban' "$log" | tail -1 | cut -c1-23 | sed 's/^/  last Restore Ban:   /'
bin/fail2ban-client -c "$tmp/ours/conf" stop >/dev/null
ours_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
echo "jfail2ban: $n bans in the nftables set $ours_s s after the start command"

echo "== Python fail2ban 1.0.2, $m bans in the database, stock configuration, nftables-multiport"
mkdir -p "$tmp/py"
for f in "$oracle"/etc/fail2ban/*; do
  case "$(basename "$f")" in jail.d|jail.local|fail2ban.local) ;; *) ln -s "$f" "$tmp/py/";; esac
done
java -cp "$cp" org.jfail2ban.bench.RestoreDatabase "$tmp/py/f.sqlite3" "$m"
locals "$tmp/py" "$tmp/py/f.sqlite3"
t0=$(date +%s.%N)
pyclient start >/dev/null
until [ "$(count "$theirs" f2b-table addr-set-sshd)" -ge "$m" ]; do sleep 0.5; done
t1=$(date +%s.%N)
pyclient stop >/dev/null
awk -v n="$n" -v m="$m" -v a="$t0" -v b="$t1" -v ours="$ours_s" 'BEGIN {
  t = b - a
  printf "fail2ban: %d bans in the nftables set %.2f s after the start command (%.1f ms per ban)\n", m, t, t * 1000 / m
  printf "fail2ban extrapolated to %d bans: %.0f s; jfail2ban %.2f s: %.0fx faster\n", n, t * n / m, ours, t * n / m / ours
}'
