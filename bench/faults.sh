#!/usr/bin/env bash
# The fault tests (docs/workflows.md, "Outages"), on their own, with what each fault did to the portal:
#   Redis stopped · Redis hung (SIGSTOP) · a worker killed in the middle of a roll-up · PostgreSQL cut off for a moment.
# Each prints what was submitted, what was processed and what was lost (it must be nothing: the test fails otherwise).
#
#   bench/faults.sh                     # SQLite: the two that need PostgreSQL are skipped, and say so
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/faults bench/faults.sh   # all of them (pytest-django makes test_faults)
#   bench/faults.sh -k hung             # extra arguments go to pytest
#
# The tests start their own redis-server (/usr/bin/redis-server, on a free loopback port) and their own TCP proxy in front
# of PostgreSQL: the machine's Redis and PostgreSQL are never stopped or paused. The same tests run in `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${DATABASE_URL:-}" == postgres* ]]; then database="PostgreSQL"; else database="SQLite (PostgreSQL-only faults skipped)"; fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

started=$SECONDS
status=0
.venv/bin/pytest tests/faults -m faults -q -rs -p no:cacheprovider "$@" >"$log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  cat "$log"
fi

echo "== faults on $database, $((SECONDS - started)) s =="
# The tests' own summary (tests/faults/conftest.py): one line per fault.
awk '/faults: submitted \/ processed \/ lost/ { on = 1; next } on && / — submitted: / { print }' "$log"
grep '^SKIPPED' "$log" || true
tail -n 1 "$log"
exit $status
