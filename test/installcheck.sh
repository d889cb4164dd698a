#!/usr/bin/env bash
# installcheck.sh [name ...] -- re-run pg_regress tests (all of test/schedule,
# or the named ones after 00_install) against the servers that
# `CASEMIS_TEST_KEEP=1 make test` left running under $CASEMIS_TEST_ROOT.
# As root. Re-installs the extension from this tree, refreshes the test copy,
# and drops contrib_regression WITH (FORCE) first: pg_cron's launcher stays
# connected to it, so pg_regress's own plain DROP DATABASE would fail.
# New expected output to review: $ROOT/src-copy/results/results/<name>.out
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${CASEMIS_TEST_ROOT:-/tmp/casemis_regress}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=$("$PG_CONFIG" --bindir)

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 2; }
PIDFILE=$ROOT/pg/data/postmaster.pid
if ! [ -f "$PIDFILE" ] || ! kill -0 "$(head -n1 "$PIDFILE")" 2>/dev/null; then
    echo "no cluster running under $ROOT: run CASEMIS_TEST_KEEP=1 make test first" >&2
    exit 2
fi
# postmaster.pid: line 4 = port, line 5 = socket directory
PGPORT=$(sed -n 4p "$PIDFILE")
PGHOST=$(sed -n 5p "$PIDFILE")
export PGPORT PGHOST PGUSER=postgres

flock "/tmp/casemis_build$(echo "$PG_CONFIG" | tr / _).lock" make -C "$REPO" --no-print-directory install PG_CONFIG="$PG_CONFIG" >/dev/null

tar -C "$REPO" -cf - --exclude=./.git --exclude=./results --exclude='*.o' --exclude='*.bc' \
    --exclude='*.so' --exclude='*.d' --exclude=./test/unit/build --exclude=./test/fuzz/build . |
    tar -C "$ROOT/src-copy" -xf -
rm -rf "$ROOT/src-copy/results"
chown -R postgres:postgres "$ROOT/src-copy"

tests=("$@")
if [ ${#tests[@]} -gt 0 ] && [ "${tests[0]}" != 00_install ]; then
    tests=(00_install "${tests[@]}")
fi

cd "$ROOT"
runuser -u postgres -- "$PGBIN/psql" -X -q -d postgres \
    -c 'DROP DATABASE IF EXISTS contrib_regression WITH (FORCE)'
# WITH (FORCE) also ends pg_cron's launcher, which stays gone until the server
# restarts (the schedule test needs it): restart.
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$ROOT/pg/data" -l "$ROOT/pg/server.log" -w -m fast restart >/dev/null
args=()
[ ${#tests[@]} -gt 0 ] && args=(REGRESS="${tests[*]}")
if runuser -u postgres -- env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
        make -C "$ROOT/src-copy" --no-print-directory installcheck PG_CONFIG="$PG_CONFIG" "${args[@]}"; then
    exit 0
fi
cat "$ROOT/src-copy/results/regression.diffs" 2>/dev/null || true
exit 1
