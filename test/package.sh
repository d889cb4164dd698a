#!/usr/bin/env bash
# package.sh -- the Debian package, installed by dpkg (not make install) on a
# clean cluster, runs an import.
#
# `make deb` builds postgresql-15-casemis-import (or CASEMIS_TEST_DEB names a
# built one). It is installed with `dpkg --root` into a root of its own under
# WORKDIR: that root holds a copy of the host's dpkg database (so dpkg checks the
# package's Depends against what is really installed) and a relocated copy of the
# PostgreSQL installation (lib_pgcopy.sh, without casemis_import) at the paths
# the package writes to -- the system's /usr/lib/postgresql and
# /usr/share/postgresql are never touched, so other test runs that use them are
# not disturbed. A fresh cluster on that copy (pg_cron preloaded) creates the
# extension from the package's files and imports a file; the packaged upgrade
# path (0.1.0 -> current) works too; `dpkg --root -r` removes every file again.
# Ends with "N passed, N failed".
#
# usage: package.sh WORKDIR   (as root; WORKDIR is wiped)
# Environment: PG_CONFIG (the installation to copy), CASEMIS_TEST_REPO,
#   CASEMIS_TEST_PACKAGE_PORT (57432), CASEMIS_TEST_FIXTURES, CASEMIS_TEST_DEB.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=${CASEMIS_TEST_REPO:-$(cd "$HERE/.." && pwd)}
W=${1:?usage: package.sh WORKDIR}
PORT=${CASEMIS_TEST_PACKAGE_PORT:-57432}
FIX=${CASEMIS_TEST_FIXTURES:-$REPO/test/fixtures}
ORIG_PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PKG=postgresql-15-casemis-import
DB=casemis_pkg
# shellcheck source=test/lib_pgcopy.sh
. "$HERE/lib_pgcopy.sh"

PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit
}
abort() { fail "$*"; finish; }
section() { printf '\n--- %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "package.sh must run as root (dpkg, runuser)" >&2; exit 2; }
case "$W" in /*/*) ;; *) echo "WORKDIR must be an absolute path below a directory: $W" >&2; exit 2 ;; esac
R=$W/root
PGBIN=
trap '[ -n "$PGBIN" ] && pgcopy_cluster_stop "$PGBIN" "$W/pg"' EXIT
[ -f "$W/pg/data/postmaster.pid" ] && pgcopy_cluster_stop "$R/usr/lib/postgresql/15/bin" "$W/pg"
rm -rf -- "$W"
install -d -m 755 "$W" "$W/dist"

# ---------------------------------------------------------------- the package
section "the package"
DEB=${CASEMIS_TEST_DEB:-}
if [ -z "$DEB" ]; then
    DEB_OUT=$W/dist bash "$REPO/scripts/build_deb.sh" >"$W/build.log" 2>&1 ||
        { tail -n 40 "$W/build.log"; abort "make deb (scripts/build_deb.sh)"; }
    DEB=$(ls "$W"/dist/${PKG}_*.deb 2>/dev/null | head -n 1)
fi
[ -f "$DEB" ] || abort "no $PKG .deb was built (see $W/build.log)"
pass "make deb built $(basename "$DEB")"
NEW=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$REPO/casemis_import.control")
fields=$(dpkg-deb -f "$DEB" Package Version Depends)
echo "$fields"
deps=$(dpkg-deb -f "$DEB" Depends)
ok=1
for d in postgresql-15 postgresql-15-cron libssh2-1 libcurl4 libxlsxwriter4 libstdc++6; do
    echo "$deps" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qxF "$d" || { echo "  Depends lacks $d"; ok=0; }
done
[ "$(dpkg-deb -f "$DEB" Version)" = "$NEW" ] || { echo "  Version is not $NEW"; ok=0; }
[ $ok = 1 ] && pass "package $PKG $NEW depends on PostgreSQL 15, pg_cron, libssh2, libcurl, libxlsxwriter" ||
    fail "package fields"
files=$(dpkg-deb -c "$DEB" | awk '{print $6}')
ok=1
for f in ./usr/lib/postgresql/15/lib/casemis_import.so ./usr/share/postgresql/15/extension/casemis_import.control \
    "./usr/share/postgresql/15/extension/casemis_import--$NEW.sql" \
    ./usr/share/postgresql/15/extension/casemis_import--0.1.0.sql \
    "./usr/share/postgresql/15/extension/casemis_import--0.1.0--$NEW.sql"; do
    echo "$files" | grep -qxF "$f" || { echo "  missing: $f"; ok=0; }
done
[ $ok = 1 ] && pass "package holds the library, the control file, the $NEW, 0.1.0 and upgrade scripts" ||
    fail "package contents"

# ---------------------------------------------------------------- dpkg -i
section "dpkg --root $R -i (dependencies checked against this machine's dpkg database)"
COPY_PG_CONFIG=$(pgcopy_make "$ORIG_PG_CONFIG" "$R") || abort "copy of the PostgreSQL installation"
[ "$COPY_PG_CONFIG" = "$R/usr/lib/postgresql/15/bin/pg_config" ] || abort "copy not at the package's paths"
PGBIN=$R/usr/lib/postgresql/15/bin
mkdir -p "$R/var/lib"
cp -a /var/lib/dpkg "$R/var/lib/dpkg"
rm -f "$R/var/lib/dpkg/lock" "$R/var/lib/dpkg/lock-frontend"
# --no-triggers: the one trigger the package's paths fire is postgresql-common's
# interest-noawait in /usr/share/postgresql (pg_updatedicts: spelling-dictionary
# symlinks), whose script is not in this root.
DPKG=(dpkg --root="$R" --force-not-root --log=/dev/null --no-triggers)
# dpkg checks the Depends for real: without pg_cron installed it refuses.
cp "$R/var/lib/dpkg/status" "$W/status.full"
awk -v RS= -v ORS='\n\n' '!/^Package: postgresql-15-cron\n/' "$W/status.full" >"$R/var/lib/dpkg/status"
if ! "${DPKG[@]}" -i "$DEB" >"$W/dpkg-nocron.log" 2>&1 && grep -q 'depends on postgresql-15-cron' "$W/dpkg-nocron.log"; then
    pass "dpkg -i refuses the package where postgresql-15-cron is not installed"
else
    cat "$W/dpkg-nocron.log"
    fail "dpkg -i without postgresql-15-cron was not refused"
fi
"${DPKG[@]}" -r "$PKG" >/dev/null 2>&1 || true    # the half-installed attempt
cp "$W/status.full" "$R/var/lib/dpkg/status"
rm -f -- "$R/usr/lib/postgresql/15/lib/casemis_import.so" "$R"/usr/share/postgresql/15/extension/casemis_import[-.]*
if "${DPKG[@]}" -i "$DEB" >"$W/dpkg.log" 2>&1; then
    pass "dpkg -i $(basename "$DEB") (its Depends satisfied)"
else
    cat "$W/dpkg.log"
    abort "dpkg -i of the package"
fi
[ "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${db:Status-Status}' "$PKG")" = installed ] &&
    [ -f "$R/usr/lib/postgresql/15/lib/casemis_import.so" ] && pass "dpkg records $PKG installed; files in place" ||
    fail "dpkg status / files after install"
unresolved=$(ldd "$R/usr/lib/postgresql/15/lib/casemis_import.so" | grep -c 'not found')
[ "$unresolved" -eq 0 ] && pass "the packaged library's shared libraries all resolve" ||
    { ldd "$R/usr/lib/postgresql/15/lib/casemis_import.so"; fail "unresolved shared libraries"; }

# ---------------------------------------------------------------- a clean cluster, an import
section "a clean cluster on the packaged files"
pgcopy_cluster_start "$PGBIN" "$W/pg" "$PORT" "$DB" || abort "cluster on port $PORT"
export PGHOST=$W/pg/sock PGPORT=$PORT PGUSER=postgres
psql() { "$PGBIN/psql" -X -v ON_ERROR_STOP=1 "$@"; }
q() { psql -d "$DB" -At -c "$1"; }
out=$(psql -q -d postgres -c "CREATE DATABASE $DB" 2>&1 &&
    psql -q -d "$DB" -At 2>&1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_cron;
CREATE EXTENSION casemis_import;
INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1002, '1000000002', 'Núñez', 'José', '2009-01-02', '04', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1),
 (1007, '1000000007', 'Brown', 'Ann', '2008-08-08', '05', 1);
INSERT INTO casemis.import_settings (name, folder_path, school_year, include_services, time_zone)
VALUES ('pkg', '$FIX/basic', 2017, true, 'America/Los_Angeles');
SELECT casemis.casemis_import('pkg') AS run \gset
SELECT status, type_a_imported, type_b_imported FROM casemis.import_run WHERE run_id = :run;
SQL
)
echo "$out"
st=$(echo "$out" | tail -n 1)
[ "$(q "SELECT extversion FROM pg_extension WHERE extname = 'casemis_import'")" = "$NEW" ] &&
    [[ "$st" =~ ^succeeded\|[1-9][0-9]*\|[1-9] ]] &&
    pass "CREATE EXTENSION casemis_import ($NEW) from the package; an import succeeded ($st)" ||
    fail "import with the packaged extension: '$st'"
cse=$(q "SELECT count(*) FROM casemis.cse")
[ "${cse:-0}" -gt 0 ] && pass "the import wrote $cse cse rows" || fail "no cse rows after the import"
out=$(psql -q -d postgres -c "CREATE DATABASE casemis_pkg_up" 2>&1 &&
    psql -q -d casemis_pkg_up -At -c "CREATE EXTENSION casemis_import VERSION '0.1.0'" \
        -c "ALTER EXTENSION casemis_import UPDATE" \
        -c "SELECT extversion FROM pg_extension WHERE extname = 'casemis_import'" 2>&1)
[ "$(echo "$out" | tail -n 1)" = "$NEW" ] && pass "the packaged upgrade path: 0.1.0 -> $NEW" ||
    { echo "$out"; fail "packaged upgrade 0.1.0 -> $NEW"; }
pgcopy_cluster_stop "$PGBIN" "$W/pg"

# ---------------------------------------------------------------- dpkg -r
section "dpkg --root $R -r"
if "${DPKG[@]}" -r "$PKG" >"$W/dpkg-r.log" 2>&1 &&
    [ ! -e "$R/usr/lib/postgresql/15/lib/casemis_import.so" ] &&
    ! ls "$R"/usr/share/postgresql/15/extension/casemis_import* >/dev/null 2>&1; then
    pass "dpkg -r removes every file of the package"
else
    cat "$W/dpkg-r.log"
    fail "dpkg -r"
fi
finish
