#!/bin/sh
# Whole-process time of "fail2ban-client -c DIR -d" (read the configuration, print the command
# stream), ours against the Python fail2ban 1.0.2, on Debian's stock configuration with every
# jail of jail.conf enabled (the work a client does at each start and reload), then on the
# stock configuration as shipped (sshd only).
#
# Usage: bench/config-dump.sh [ROUNDS]   (default 10; runs alternate, medians are compared)
set -e
cd "$(dirname "$0")/.."
rounds="${1:-10}"
oracle=$(scripts/fetch-oracle)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r "$oracle/etc/fail2ban" "$work/etc"
: > "$work/test.log"
sed -n 's/^\[\([^]]*\)\].*/\1/p' "$work/etc/jail.conf" | grep -v -e '^INCLUDES$' -e '^DEFAULT$' | sort -u |
  while read -r jail; do
    printf '[%s]\nenabled = true\nlogpath = %s\n\n' "$jail" "$work/test.log"
  done > "$work/etc/jail.local"
jails=$(grep -c '^\[' "$work/etc/jail.local")

[ -f target/jfail2ban.jar ] || mvn -q -B -DskipTests package
ours() { bin/fail2ban-client -c "$dir" -d; }
theirs() { PYTHONPATH="$oracle/usr/lib/python3/dist-packages" /usr/bin/python3 "$oracle/usr/bin/fail2ban-client" -c "$dir" -d; }
ms() { # runs "$@" and prints its wall time in milliseconds
  s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))
}
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

compare() { # compare TITLE: times both on $dir
  ours > "$work/ours.txt" 2> /dev/null
  theirs > "$work/theirs.txt" 2> /dev/null
  if cmp -s "$work/ours.txt" "$work/theirs.txt"; then same="identical"; else same="DIFFERENT"; fi
  : > "$work/t.ours"; : > "$work/t.theirs"
  i=0
  while [ "$i" -lt "$rounds" ]; do
    ms ours >> "$work/t.ours"
    ms theirs >> "$work/t.theirs"
    i=$((i + 1))
  done
  mo=$(median "$work/t.ours"); mt=$(median "$work/t.theirs")
  echo "fail2ban-client -d, $1, $(wc -l < "$work/ours.txt") commands ($same output), $rounds rounds"
  echo "  jfail2ban (JVM):  median ${mo} ms"
  echo "  fail2ban 1.0.2:   median ${mt} ms"
  awk -v a="$mo" -v b="$mt" 'BEGIN { printf "  ratio fail2ban/jfail2ban: %.2f\n", b / a }'
}

dir="$work/etc"
compare "stock config, all $jails jails enabled"
rm "$work/etc/jail.local"
compare "stock config as shipped"
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
