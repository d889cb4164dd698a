#!/usr/bin/env bash
# upgrade.sh -- ALTER EXTENSION casemis_import UPDATE from release 0.1.0, for real.
#
# On a PostgreSQL installation and cluster of its own (a relocated copy of
# $PG_CONFIG's, pg_cron preloaded; see lib_pgcopy.sh), so that swapping the
# library never disturbs the other tests:
#   1. builds release 0.1.0 from git history (git archive of its commit) and
#      installs it into the copy; creates 0.1.0 in database casemis_upgrade and
#      fills it through 0.1.0's own code: roster, calendar, a layout alias, a
#      folder setting with an enabled pg_cron schedule, an SFTP setting with a
#      password, imports with reports (folder, upload, dry run) and a failed run;
#   2. `make install` of this tree into the copy: the new library, before the
#      database is updated, refuses imports with SQLSTATE 55000 and a HINT to run
#      ALTER EXTENSION casemis_import UPDATE (the server does not crash), and every
#      C symbol 0.1.0's SQL names is still in the library;
#   3. ALTER EXTENSION casemis_import UPDATE, then
#      (a) the schema equals a fresh install of this version, object for object:
#          `pg_dump --schema-only --binary-upgrade` (the plain dump of a database
#          with an extension shows only CREATE EXTENSION; binary-upgrade mode dumps
#          every member object), normalized only for OIDs, xids and the
#          missing-value bookkeeping of added columns; a unified diff on failure;
#      (b) every row of every 0.1.0 table is still there unchanged (its 0.1.0
#          columns), every stored report renders as before, the pg_cron job is kept;
#      (c) the schedule fires: moved to the next minute, pg_cron's tick starts a
#          scheduled run that succeeds;
#      (d) a new import succeeds, with a run id after the old ones;
#      (e) the upgraded database dumps (pg_dump -Fc) and restores (pg_restore into
#          a new database of the same name) with every table identical.
# Ends with "N passed, N failed".
#
# usage: upgrade.sh WORKDIR   (as root; WORKDIR is wiped)
# Environment: PG_CONFIG (the installation to copy), CASEMIS_TEST_REPO (a checkout
#   with git history; default: this script's), CASEMIS_TEST_UPGRADE_PORT (56432),
#   CASEMIS_TEST_FIXTURES (default <repo>/test/fixtures),
#   CASEMIS_TEST_RELEASE_CACHE (a directory to keep built releases in; default none),
#   CASEMIS_TEST_UPGRADE_KEEP=1 (leave the cluster running).
set -uo pipefail

RELEASE=0.1.0
RELEASE_COMMIT=8e71623     # release 0.1.0 (tag v0.1.0)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=${CASEMIS_TEST_REPO:-$(cd "$HERE/.." && pwd)}
W=${1:?usage: upgrade.sh WORKDIR}
PORT=${CASEMIS_TEST_UPGRADE_PORT:-56432}
FIX=${CASEMIS_TEST_FIXTURES:-$REPO/test/fixtures}
ORIG_PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
DB=casemis_upgrade
# The scheduler's own runtime state (pg_cron's tick rewrites its heartbeat every
# minute; a restored copy re-arms its schedules): compared by row count only.
RUNTIME_TABLES=" scheduler_state schedule_state "
# Caches that are not dumped (no pg_extension_config_dump): a restore leaves
# them empty, and the next run rebuilds them.
CACHE_TABLES=" csv_digest "
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
abort() {  # a step nothing after can do without
    fail "$*"
    finish
}
section() { printf '\n--- %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "upgrade.sh must run as root (make install into its copy, runuser)" >&2; exit 2; }
case "$W" in /*/*) ;; *) echo "WORKDIR must be an absolute path below a directory: $W" >&2; exit 2 ;; esac

PGBIN=
on_exit() {
    if [ "${CASEMIS_TEST_UPGRADE_KEEP:-0}" = 1 ]; then
        echo "CASEMIS_TEST_UPGRADE_KEEP=1: upgrade cluster left running on port $PORT ($W/pg)"
    elif [ -n "$PGBIN" ]; then
        pgcopy_cluster_stop "$PGBIN" "$W/pg"
    fi
}
trap on_exit EXIT

# ---------------------------------------------------------------- 0. the copy
section "a private copy of $ORIG_PG_CONFIG's PostgreSQL"
[ -f "$W/pg/data/postmaster.pid" ] && pgcopy_cluster_stop "$W/inst/usr/lib/postgresql/15/bin" "$W/pg"
rm -rf -- "$W"
install -d -m 755 "$W" "$W/rows"
COPY_PG_CONFIG=$(pgcopy_make "$ORIG_PG_CONFIG" "$W/inst") || abort "copy of the PostgreSQL installation"
PGBIN=$("$COPY_PG_CONFIG" --bindir)
echo "$COPY_PG_CONFIG ($("$COPY_PG_CONFIG" --version)); libdir $("$COPY_PG_CONFIG" --pkglibdir)"

# ---------------------------------------------------------------- 1. release 0.1.0
section "release $RELEASE from git history (commit $RELEASE_COMMIT)"
if ! git -C "$REPO" cat-file -e "$RELEASE_COMMIT^{commit}" 2>/dev/null; then
    abort "release $RELEASE: commit $RELEASE_COMMIT is not in the history of $REPO (a shallow or exported" \
        "copy?). The upgrade test builds $RELEASE from it: clone with full history, or run" \
        "'git fetch --unshallow', or set CASEMIS_TEST_REPO to a full clone."
fi
build_release() {  # dir
    mkdir -p "$1" &&
        git -C "$REPO" archive --format=tar "$RELEASE_COMMIT" | tar -C "$1" -xf - &&
        make -C "$1" -s --no-print-directory PG_CONFIG="$COPY_PG_CONFIG" with_llvm=no >"$1.build.log" 2>&1
}
REL_DIR=$W/release-$RELEASE
if [ -n "${CASEMIS_TEST_RELEASE_CACHE:-}" ]; then
    REL_DIR=$CASEMIS_TEST_RELEASE_CACHE/casemis_import-$RELEASE-$RELEASE_COMMIT
    [ -f "$REL_DIR/casemis_import.so" ] || { rm -rf -- "$REL_DIR"; mkdir -p "$CASEMIS_TEST_RELEASE_CACHE"; }
fi
if [ -f "$REL_DIR/casemis_import.so" ]; then
    echo "built before: $REL_DIR"
else
    build_release "$REL_DIR" || { tail -n 30 "$REL_DIR.build.log"; abort "build of release $RELEASE"; }
fi
make -C "$REL_DIR" -s --no-print-directory install PG_CONFIG="$COPY_PG_CONFIG" with_llvm=no >"$W/release-install.log" 2>&1 ||
    { cat "$W/release-install.log"; abort "make install of release $RELEASE into the copy"; }
EXTDIR=$("$COPY_PG_CONFIG" --sharedir)/extension
echo "installed: $(cd "$EXTDIR" && ls casemis_import* | tr '\n' ' ')"

pgcopy_cluster_start "$PGBIN" "$W/pg" "$PORT" "$DB" || abort "cluster of the upgrade test on port $PORT"
export PGHOST=$W/pg/sock PGPORT=$PORT PGUSER=postgres
export PGOPTIONS="-c client_min_messages=warning"   # a run's NOTICEs carry timings
psql() { "$PGBIN/psql" -X -v ON_ERROR_STOP=1 "$@"; }
q() { psql -d "$DB" -At -c "$1"; }
psql -q -d postgres -c "CREATE DATABASE $DB" || abort "create database"

section "fill $RELEASE through its own code"
psql -q -d "$DB" >"$W/fill.log" 2>&1 <<SQL || { cat "$W/fill.log"; abort "fill the $RELEASE database"; }
SET client_min_messages = warning;
CREATE EXTENSION pg_cron;
CREATE EXTENSION casemis_import VERSION '$RELEASE';
INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1002, '1000000002', 'Núñez', 'José', '2009-01-02', '04', 1),
 (1003, '1000000003', 'Smith', 'John', '2010-03-03', '03', 1),
 (1004, '1000000004', 'Smith', 'John', '2010-03-03', '03', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1),
 (1006, NULL, 'Washington-Montgomery', 'Alexandrina-Louisa', '2011-11-11', '02', 1),
 (1007, '1000000007', 'Brown', 'Ann', '2008-08-08', '05', 1),
 (1008, '1000000008', 'Old', 'Timer', '2005-01-01', '09', 1);
INSERT INTO casemis.cse (student_id, disabilit1, last_updated) VALUES (1008, '240', '2016-01-01');
INSERT INTO casemis.csv (student_id, school_year, service, record) VALUES (1002, 2016, 'old-2016', '{}');
INSERT INTO casemis.school_calendar VALUES (0, 2017, '2017-08-23');
INSERT INTO casemis.layout_alias (layout, alias, header) VALUES ('A', 'DOB', 'BIRTHDATE');
-- a folder setting (services included), an SFTP one with a password, one that fails
INSERT INTO casemis.import_settings (name, folder_path, school_year, include_services, time_zone)
VALUES ('nightly', '$FIX/basic', 2017, true, 'America/Los_Angeles');
INSERT INTO casemis.import_settings (name, source, sftp_host, sftp_port, sftp_directory, sftp_user, sftp_password,
                                     sftp_host_key, school_year, time_zone)
VALUES ('district_sftp', 'sftp', 'sftp.district.example', 22, 'upload', 'casemis', 'S3cret-pw',
        'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 2017, 'America/Los_Angeles');
INSERT INTO casemis.import_settings (name, folder_path, school_year, time_zone)
VALUES ('broken', '$W/no-such-folder', 2017, 'America/Los_Angeles');
-- an abbreviation, which 0.1.0 accepted (no daylight-saving time)
INSERT INTO casemis.import_settings (name, folder_path, school_year, time_zone)
VALUES ('pst_zone', '$FIX/basic', 2017, 'PST');
SELECT casemis.casemis_import('nightly');
SELECT casemis.casemis_import('nightly', dry_run => true, force => true);
SELECT casemis.casemis_import_files(pg_read_binary_file('$FIX/update/tableA.csv'), NULL, 'nightly');
SELECT casemis.casemis_import('broken');
-- the schedule: daily at 03:17 Los Angeles time
UPDATE casemis.import_settings SET schedule_days = '{mon,tue,wed,thu,fri,sat,sun}', schedule_time = '03:17',
       enabled = true WHERE name = 'nightly';
SQL
psql -d "$DB" -c "SELECT run_id, settings_name, trigger, status, dry_run, type_a_imported, type_b_imported,
                         left(message, 60) AS message FROM casemis.import_run ORDER BY run_id"
STATUSES=$(q "SELECT string_agg(status, ',' ORDER BY run_id) FROM casemis.import_run")
[ "$STATUSES" = "succeeded,dry_run,succeeded,failed" ] && pass "$RELEASE filled: runs $STATUSES" ||
    fail "$RELEASE filled: runs are '$STATUSES', expected succeeded,dry_run,succeeded,failed"
[ "$(q "SELECT count(*) FROM cron.job WHERE active")" -ge 1 ] && pass "$RELEASE: enabling scheduled the pg_cron job" ||
    fail "$RELEASE: no active pg_cron job after enabling"
MAX_RUN=$(q "SELECT max(run_id) FROM casemis.import_run")

# Every table of the extension's schema with its columns as of 0.1.0; rows as text.
TABLES=$(q "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'casemis' AND c.relkind IN ('r', 'p') ORDER BY 1")
declare -A COLS
for t in $TABLES; do
    COLS[$t]=$(q "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
                   WHERE attrelid = 'casemis.$t'::regclass AND attnum > 0 AND NOT attisdropped")
done
# The rows the upgrade is meant to change, checked on their own in (b).
declare -A CHANGED_ROWS=([import_settings]="name = 'pst_zone'")
snapshot_rows() {  # dir: each 0.1.0 table's 0.1.0 columns, sorted rows
    mkdir -p "$1"
    for t in $TABLES; do
        psql -d "$DB" -c "COPY (SELECT ${COLS[$t]} FROM casemis.$t WHERE NOT coalesce(${CHANGED_ROWS[$t]:-false}, false))
                          TO STDOUT" | LC_ALL=C sort >"$1/$t.tsv" ||
            echo "(could not read casemis.$t)" >"$1/$t.tsv"
    done
    q "SELECT jobname, schedule, command, database, username, active FROM cron.job ORDER BY jobid" >"$1/cron.job"
}
snapshot_reports() {  # file: every report of every run, as report_csv renders it
    q "SELECT r.run_id || ' ' || k.report || ' ' || md5(casemis.report_csv(r.run_id, k.report))
         FROM casemis.import_run r CROSS JOIN casemis.report_kind k WHERE r.run_id <= $MAX_RUN
        ORDER BY r.run_id, k.ordinal" >"$1" 2>&1
}
snapshot_rows "$W/rows/before"
snapshot_reports "$W/rows/reports.before"
echo "tables: $(for t in $TABLES; do printf '%s=%s ' "$t" "$(wc -l <"$W/rows/before/$t.tsv")"; done)"
C_SYMBOLS=$(q "SELECT DISTINCT prosrc FROM pg_proc WHERE prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
                AND probin LIKE '%casemis_import' ORDER BY 1")

# ---------------------------------------------------------------- 2. new library, old database
section "make install of this tree into the copy; the database is still $RELEASE"
BUILD_LOCK=/tmp/casemis_build$(echo "$ORIG_PG_CONFIG" | tr / _).lock
flock "$BUILD_LOCK" make -C "$REPO" -s --no-print-directory install PG_CONFIG="$COPY_PG_CONFIG" >"$W/install.log" 2>&1 ||
    { cat "$W/install.log"; abort "make install of this tree into the copy"; }
NEW=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$EXTDIR/casemis_import.control")
echo "installed $NEW: $(cd "$EXTDIR" && ls casemis_import* | tr '\n' ' ')"
START_TIME=$(q "SELECT pg_postmaster_start_time()")

refused() {  # label sql
    local out
    out=$(psql -d "$DB" -v VERBOSITY=verbose -c "$2" 2>&1)
    echo "$out" | sed 's/^/    /'
    if echo "$out" | grep -q "^ERROR:  55000: casemis_import $RELEASE is installed in this database, but the server's casemis_import library is $NEW" &&
        echo "$out" | grep -q '^HINT:  Run ALTER EXTENSION casemis_import UPDATE'; then
        pass "old database, new library: $1 refused (55000, HINT: ALTER EXTENSION casemis_import UPDATE)"
    else
        fail "old database, new library: $1 not refused with 55000 and the ALTER EXTENSION hint"
    fi
}
refused "casemis_import()" "SELECT casemis.casemis_import('nightly', force => true)"
refused "casemis_import_files()" "SELECT casemis.casemis_import_files(pg_read_binary_file('$FIX/update/tableA.csv'), NULL, 'nightly')"
echo "  what else the $NEW library does with the $RELEASE database (shown, not asserted):"
psql -d "$DB" -c "SELECT name, enabled, last_status, scheduler_ok FROM casemis.status ORDER BY name" 2>&1 | sed 's/^/    /'
psql -d "$DB" -At -c "SELECT casemis.report_csv(1, 'CASEMIS_TypeA_ImportedRecords.csv')" 2>&1 | head -n 3 | sed 's/^/    /'
[ "$(q "SELECT max(run_id) FROM casemis.import_run")" = "$MAX_RUN" ] && pass "refused imports recorded no run" ||
    fail "refused imports left run rows behind"
missing_syms=()
for s in $C_SYMBOLS; do
    q "BEGIN; CREATE FUNCTION pg_temp.symbol_check() RETURNS void AS '\$libdir/casemis_import', '$s' LANGUAGE C; ROLLBACK" \
        >/dev/null 2>&1 || missing_syms+=("$s")
done
[ ${#missing_syms[@]} -eq 0 ] && pass "every C symbol $RELEASE's SQL names is in the $NEW library ($(echo $C_SYMBOLS | wc -w))" ||
    fail "C symbols of $RELEASE missing from the $NEW library: ${missing_syms[*]}"

# ---------------------------------------------------------------- 3. ALTER EXTENSION UPDATE
section "ALTER EXTENSION casemis_import UPDATE"
if psql -d "$DB" -c "ALTER EXTENSION casemis_import UPDATE" >"$W/update.log" 2>&1 &&
    [ "$(q "SELECT extversion FROM pg_extension WHERE extname = 'casemis_import'")" = "$NEW" ]; then
    pass "ALTER EXTENSION casemis_import UPDATE: $RELEASE -> $NEW"
else
    cat "$W/update.log"
    abort "ALTER EXTENSION casemis_import UPDATE to $NEW"
fi
[ "$(q "SELECT pg_postmaster_start_time()")" = "$START_TIME" ] && pass "no server crash (postmaster never restarted)" ||
    fail "the server restarted (crash?) while the $NEW library served the $RELEASE database; see $W/pg/server.log"

schema_dump() {  # file: the schema, every extension member object included
    "$PGBIN/pg_dump" -d "$DB" --schema-only --binary-upgrade --no-sync --restrict-key=casemis >"$1.raw" || return 1
    # Only what must differ between two databases: OIDs and relfilenodes given to
    # pg_upgrade, frozen xids, the OID list of config tables (compared by name
    # below), the value old rows get for a column added with a default, and
    # sequence positions (data, not schema).
    # (and the "-- set missing value." comment pg_dump puts before each such value,
    # with the blank lines around it: cat -s)
    sed -E -e '/binary_upgrade_set_next_/d' -e '/binary_upgrade_set_missing_value/d' \
        -e '/^-- set missing value\.$/d' -e '/^SELECT pg_catalog\.setval\(/d' \
        -e "s/relfrozenxid = '[0-9]+', relminmxid = '[0-9]+'/relfrozenxid = 'X', relminmxid = 'X'/" \
        -e "s/^WHERE oid = '[0-9]+';$/WHERE oid = 'X';/" \
        -e "/binary_upgrade_create_empty_extension/s/'\{[0-9,]*\}'/'{X}'/" "$1.raw" | cat -s >"$1"
    q "SELECT e.extname, c::regclass, cond FROM pg_extension e,
              unnest(e.extconfig, e.extcondition) AS x(c, cond) ORDER BY 1, c::regclass::text" >>"$1"
}
schema_dump "$W/schema.upgraded.sql" || fail "pg_dump --schema-only of the upgraded database"
"$PGBIN/pg_dump" -d "$DB" --schema-only --no-sync --restrict-key=casemis >"$W/plain.upgraded.sql" || true

# (b) rows
section "(b) every row of every $RELEASE table, and every report, is still there"
snapshot_rows "$W/rows/after"
for t in $TABLES; do
    lost=$(LC_ALL=C comm -23 "$W/rows/before/$t.tsv" "$W/rows/after/$t.tsv" | wc -l)
    n=$(wc -l <"$W/rows/before/$t.tsv")
    if [[ "$RUNTIME_TABLES" == *" $t "* ]]; then
        [ "$(wc -l <"$W/rows/after/$t.tsv")" -eq "$n" ] && pass "(b) casemis.$t (scheduler runtime state): $n rows" ||
            fail "(b) casemis.$t (scheduler runtime state): $n rows before, $(wc -l <"$W/rows/after/$t.tsv") after"
        continue
    fi
    added=$(LC_ALL=C comm -13 "$W/rows/before/$t.tsv" "$W/rows/after/$t.tsv" | wc -l)
    if [ "$lost" -eq 0 ]; then
        pass "(b) casemis.$t: all $n rows unchanged ($added added by the upgrade)"
    else
        fail "(b) casemis.$t: $lost of $n rows lost or changed by the upgrade; first ones (before | after):"
        LC_ALL=C comm -23 "$W/rows/before/$t.tsv" "$W/rows/after/$t.tsv" | head -n 5 | sed 's/^/    - /'
        LC_ALL=C comm -13 "$W/rows/before/$t.tsv" "$W/rows/after/$t.tsv" | head -n 5 | sed 's/^/    + /'
    fi
done
# 0.1.0's abbreviation: now the region name of the same offset, with a WARNING
# and the UPDATE that makes it follow daylight-saving time.
if grep -q 'WARNING:  import setting "pst_zone" had time_zone "PST", an abbreviation.*it is now Etc/GMT+8, the same offset' "$W/update.log" &&
    grep -q "HINT:  To follow daylight-saving time: UPDATE casemis.import_settings SET time_zone = 'America/Los_Angeles' WHERE name = 'pst_zone';" "$W/update.log" &&
    [ "$(q "SELECT time_zone FROM casemis.import_settings WHERE name = 'pst_zone'")" = "Etc/GMT+8" ] &&
    [ "$(q "SELECT (timestamptz '2026-07-01 12:00Z' AT TIME ZONE 'PST') = (timestamptz '2026-07-01 12:00Z' AT TIME ZONE time_zone)
              FROM casemis.import_settings WHERE name = 'pst_zone'")" = "t" ]; then
    pass "(b) setting pst_zone's time_zone PST became Etc/GMT+8 (the same local times), with a WARNING and the UPDATE that adds daylight-saving time"
else
    fail "(b) setting pst_zone (time_zone PST): expected Etc/GMT+8 and a WARNING with a HINT; update.log:"
    cat "$W/update.log"
fi
if cmp -s "$W/rows/before/cron.job" "$W/rows/after/cron.job"; then
    pass "(b) the pg_cron job is kept as it was"
else
    fail "(b) the pg_cron job changed:"; diff -u "$W/rows/before/cron.job" "$W/rows/after/cron.job"
fi
snapshot_reports "$W/rows/reports.after"
if cmp -s "$W/rows/reports.before" "$W/rows/reports.after"; then
    pass "(b) all $(wc -l <"$W/rows/reports.before") reports of the $RELEASE runs render as before (report_csv)"
else
    fail "(b) reports of the $RELEASE runs differ after the upgrade:"
    diff -u "$W/rows/reports.before" "$W/rows/reports.after" | head -n 20
fi

# (c) the schedule fires through the real pg_cron
section "(c) the schedule still fires via pg_cron"
psql -q -d "$DB" >"$W/schedule.log" 2>&1 <<'SQL'
DO $$BEGIN
  IF extract(second FROM clock_timestamp()) > 45 THEN
    PERFORM pg_sleep(61 - extract(second FROM clock_timestamp()));
  END IF;
END$$;
SELECT date_trunc('minute', clock_timestamp()) + interval '1 minute' AS slot \gset
UPDATE casemis.import_settings
   SET schedule_days = ARRAY[casemis._day_name((:'slot'::timestamptz AT TIME ZONE time_zone)::date)],
       schedule_time = (:'slot'::timestamptz AT TIME ZONE time_zone)::time
 WHERE name = 'nightly';
SQL
[ $? -eq 0 ] || cat "$W/schedule.log"
sched=
for _ in $(seq 130); do
    sched=$(q "SELECT status FROM casemis.import_run WHERE settings_name = 'nightly' AND trigger = 'scheduled'
                 AND run_id > $MAX_RUN AND status <> 'running' ORDER BY run_id LIMIT 1")
    [ -n "$sched" ] && break
    sleep 1
done
if [ "$sched" = succeeded ]; then
    pass "(c) pg_cron's tick ran the upgraded setting's schedule: a scheduled run succeeded"
else
    fail "(c) no succeeded scheduled run within 130 s (got '${sched:-none}')"
    psql -d "$DB" -c "SELECT * FROM casemis.status" -c "SELECT jobid, status, left(return_message, 200)
        FROM cron.job_run_details ORDER BY runid DESC LIMIT 3" 2>&1 | sed 's/^/    /'
fi

# (d) a new import
section "(d) a new import"
run=$(q "SELECT casemis.casemis_import('nightly', force => true)")
st=$(q "SELECT status || ' ' || type_a_imported FROM casemis.import_run WHERE run_id = ${run:-0}" 2>&1)
if [[ "$run" =~ ^[0-9]+$ ]] && [ "$run" -gt "$MAX_RUN" ] && [[ "$st" =~ ^succeeded\ [1-9] ]]; then
    pass "(d) a new import succeeded (run $run: $st imported)"
else
    fail "(d) new import: run '$run', status '$st'"
fi

# (e) dump and restore
section "(e) the upgraded database dumps and restores"
table_rows() {  # dir: every table, every column, sorted
    mkdir -p "$1"
    for t in $(q "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'casemis' AND c.relkind IN ('r', 'p') ORDER BY 1"); do
        if [[ "$RUNTIME_TABLES" == *" $t "* ]]; then
            q "SELECT count(*) FROM casemis.$t" >"$1/$t.count"
        elif [[ "$CACHE_TABLES" == *" $t "* ]]; then
            q "SELECT count(*) FROM casemis.$t" >"$W/$t.cache.$(basename "$1")"
        else
            psql -d "$DB" -c "COPY casemis.$t TO STDOUT" | LC_ALL=C sort >"$1/$t.tsv"
        fi
    done
    q "SELECT jobname, schedule, command, active FROM cron.job ORDER BY jobname" >"$1/cron.job"
}
table_rows "$W/rows/dumped"
if "$PGBIN/pg_dump" -d "$DB" -Fc --no-sync -f "$W/upgraded.dump" &&
    psql -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)" -c "CREATE DATABASE $DB" &&
    "$PGBIN/pg_restore" -d "$DB" --exit-on-error "$W/upgraded.dump" >"$W/restore.log" 2>&1; then
    table_rows "$W/rows/restored"
    if diff -r "$W/rows/dumped" "$W/rows/restored" >"$W/restore.diff"; then
        pass "(e) pg_dump + pg_restore: every table identical ($(cat "$W"/rows/dumped/*.tsv | wc -l) rows)"
    else
        fail "(e) restored tables differ:"; head -n 30 "$W/restore.diff"
    fi
    for t in $CACHE_TABLES; do
        if [ "$(cat "$W/$t.cache.restored")" = 0 ]; then
            pass "(e) the cache casemis.$t is not dumped: $(cat "$W/$t.cache.dumped") rows before, empty after the restore"
        else
            fail "(e) the cache casemis.$t was restored ($(cat "$W/$t.cache.restored") rows): it must not be dumped"
        fi
    done
else
    cat "$W/restore.log"
    fail "(e) pg_dump / pg_restore of the upgraded database"
fi

# (a) against a fresh install of this version (same database name, with pg_cron)
section "(a) the upgraded schema equals a fresh $NEW install"
if psql -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)" -c "CREATE DATABASE $DB" &&
    psql -q -d "$DB" -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION casemis_import" &&
    schema_dump "$W/schema.fresh.sql"; then
    "$PGBIN/pg_dump" -d "$DB" --schema-only --no-sync --restrict-key=casemis >"$W/plain.fresh.sql" || true
    if diff -u --label "fresh $NEW install" --label "upgraded from $RELEASE" \
        "$W/schema.fresh.sql" "$W/schema.upgraded.sql" >"$W/schema.diff" &&
        diff -q "$W/plain.fresh.sql" "$W/plain.upgraded.sql" >/dev/null; then
        pass "(a) pg_dump --schema-only (every member object): upgraded = fresh ($(grep -c '^ALTER EXTENSION casemis_import ADD' "$W/schema.fresh.sql") objects)"
    else
        fail "(a) the upgraded schema differs from a fresh $NEW install (src/sql/upgrade/ vs src/sql/*.sql; '-' fresh, '+' upgraded):"
        cat "$W/schema.diff"
        diff -u "$W/plain.fresh.sql" "$W/plain.upgraded.sql"
    fi
else
    fail "(a) fresh $NEW install for the comparison"
fi

finish
