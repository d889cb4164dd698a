#!/usr/bin/env bash
# build_checks.sh -- the Makefile's choice of PostgreSQL: PG_CONFIG from the
# environment, else pg_config on PATH (Debian's /usr/bin/pg_config wrapper), else
# Debian's PostgreSQL 15; any other major version is refused with a clear message.
# A stand-in pg_config that reports another version (and passes everything else
# to the real one) plays the unsupported PostgreSQL. Ends with "N passed, N failed".
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
REAL=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
T=$(mktemp -d)
trap 'rm -rf -- "$T"' EXIT
PASSED=0 FAILED=0
check() {  # name command...: passes when the command succeeds
    local name=$1; shift
    if "$@"; then PASSED=$((PASSED + 1)); echo "PASS: $name"; else FAILED=$((FAILED + 1)); echo "FAIL: $name"; fi
}
mkdir -p "$T/pg16"
printf '#!/bin/sh\n[ "$1" = --version ] && { echo "PostgreSQL 16.4 (Debian 16.4-1.pgdg120+1)"; exit 0; }\nexec %s "$@"\n' \
    "$REAL" >"$T/pg16/pg_config"
chmod +x "$T/pg16/pg_config"
mk() { make -C "$REPO" --no-print-directory "$@" >"$T/out" 2>&1; }

refused_16() {
    ! PG_CONFIG="$T/pg16/pg_config" mk -n all &&
        grep -q 'supports PostgreSQL 15 only, but .*pg16/pg_config is "PostgreSQL 16.4' "$T/out"
}
check "PostgreSQL 16 is refused with a message naming it" refused_16

missing() {
    ! PG_CONFIG=/nonexistent/pg_config mk -n all && grep -q 'cannot run "/nonexistent/pg_config --version"' "$T/out"
}
check "a missing pg_config is refused with advice" missing

env_first() {
    env PATH="$T/pg16:/usr/bin:/bin" PG_CONFIG="$REAL" make -C "$REPO" --no-print-directory -n all >"$T/out" 2>&1
}
check "PG_CONFIG from the environment wins over PATH" env_first

path_next() {
    ! env -u PG_CONFIG PATH="$T/pg16:/usr/bin:/bin" make -C "$REPO" --no-print-directory -n all >"$T/out" 2>&1 &&
        grep -q 'pg16/pg_config is "PostgreSQL 16.4' "$T/out"
}
check "without PG_CONFIG, pg_config on PATH comes next" path_next

wrapper() {
    [ -x /usr/bin/pg_config ] || { echo "no /usr/bin/pg_config"; return 1; }
    env -u PG_CONFIG PATH=/usr/bin:/bin make -C "$REPO" --no-print-directory -s pgconfig >"$T/out" 2>&1 &&
        grep -qx 'PG_CONFIG=/usr/bin/pg_config' "$T/out" && grep -q '^PostgreSQL 15\.' "$T/out" &&
        env -u PG_CONFIG PATH=/usr/bin:/bin make -C "$REPO" --no-print-directory -n all >"$T/out" 2>&1
}
check "Debian's /usr/bin/pg_config wrapper (PostgreSQL 15) is accepted" wrapper

script_goal() {
    PG_CONFIG=/nonexistent/pg_config make -C "$REPO" --no-print-directory -n demo >"$T/out" 2>&1 &&
        grep -q 'scripts/demo.sh' "$T/out"
}
check "make demo runs before PostgreSQL is installed (its script installs it)" script_goal

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
