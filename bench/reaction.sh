#!/bin/sh
# Daemon benchmark (reaction), ours against the Python fail2ban 1.0.2 side by side; see daemon_bench.py.
# Needs Debian's python3 with python3-pyinotify (scripts/install-deps installs it).
set -e
cd "$(dirname "$0")/.."
[ -f target/jfail2ban.jar ] || mvn -q -B -DskipTests package
scripts/fetch-oracle >/dev/null
exec /usr/bin/python3 bench/daemon_bench.py reaction "$@"
