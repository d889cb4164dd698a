#!/usr/bin/env bash
# schedule_check.sh -- a test that exists must run: fails when a pg_regress test
# (sql/<name>.sql) is not listed in test/schedule, or a listed test lacks its
# sql/<name>.sql or expected/<name>.out. Run by test/run_all.sh (make test) and
# `make schedulecheck`.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
listed=$(sed -n 's/^test: *//p' "$REPO/test/schedule" | tr -s ' ' '\n' | sed '/^$/d' | sort)
present=$(cd "$REPO/sql" && ls -1 *.sql 2>/dev/null | sed 's/\.sql$//' | sort)
bad=0
for t in $(comm -13 <(echo "$listed") <(echo "$present")); do
    echo "sql/$t.sql is not in test/schedule: add a 'test: $t' line (or delete the file)"
    bad=1
done
for t in $listed; do
    [ -f "$REPO/sql/$t.sql" ] || { echo "test/schedule lists $t, but sql/$t.sql does not exist"; bad=1; }
    [ -f "$REPO/expected/$t.out" ] || { echo "test/schedule lists $t, but expected/$t.out does not exist"; bad=1; }
done
dups=$(echo "$listed" | uniq -d)
[ -z "$dups" ] || { echo "test/schedule lists more than once: $dups"; bad=1; }
[ "$bad" -eq 0 ] && echo "test/schedule lists all $(echo "$listed" | wc -w) tests of sql/"
exit "$bad"
