# lib_stress.sh -- shared by test/concurrency.sh and test/crash.sh (sourced).
# Needs PGHOST, PGPORT (and PGUSER, default postgres) of a running test
# cluster with the extension installed; $1 of the caller is a scratch
# directory the server can read.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PGUSER=${PGUSER:-postgres}
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
check() {  # description expected actual; returns 1 when they differ
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; return 1; fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

# psql on database $DB, unaligned, tuples only, stop on error
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# The generated sample (50,000 special-education students, ~20 MB of files):
# big enough for a run to last several seconds.
sample() {  # dir
    local dir=$1
    if [ ! -s "$dir/manifest.json" ]; then
        mkdir -p "$dir"
        /usr/bin/python3 "$REPO/scripts/gen_sample.py" --students 50000 --seed 2017 --out "$dir" >/dev/null
        chmod -R a+rX "$dir"
    fi
}

# A fresh database with the extension and the sample's roster.
fresh_db() {  # sample-dir
    psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
        -c "CREATE DATABASE $DB" >/dev/null
    q -c "SET client_min_messages = warning" -c "CREATE EXTENSION casemis_import"
    q -c "\\copy casemis.students FROM '$1/roster.csv' WITH (FORMAT csv, HEADER)"
}

# Wait until a condition query returns 't' (at most $2 seconds).
wait_for() {  # sql seconds
    local i
    for i in $(seq $(($2 * 20))); do
        [ "$(q -c "$1" 2>/dev/null)" = t ] && return 0
        sleep 0.05
    done
    return 1
}

# md5 of the rows of cse and csv (order-independent)
tables_hash() {
    q -c "SELECT md5((SELECT coalesce(string_agg(c::text, E'\\n' ORDER BY student_id), '') FROM casemis.cse c)
                  || (SELECT coalesce(string_agg(c::text, E'\\n' ORDER BY c::text), '') FROM casemis.csv c))"
}
