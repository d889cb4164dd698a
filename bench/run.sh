#!/usr/bin/env bash
# run.sh -- `make bench`: the statewide-scale benchmark of issue 5, one command, as root.
#
# On a throwaway PostgreSQL 15 cluster of its own, for each size (default 800000
# students, then half of it): generate a roster + Table A + Table B (bench/gen.py),
# load the roster with COPY, then time
#   input floor   COPY of both files into tables of all-text columns
#   first import  casemis.casemis_import('bench') into empty cse/csv
#   output floor  COPY of the finished cse and csv rows (exported with COPY TO)
#                 into empty copies of those tables with the same indexes
#   re-import     casemis.casemis_import('bench', force => true): every row an update
# and print the ratios, rows/s, MB/s and the peak memory (VmHWM, and the peak of
# RssAnon = private memory) of the background worker that ran the import and of
# the calling backend, sampled every 100 ms from /proc/<pid>/status; then
#   nightly       the same pair with 1% of the records changed (bench/nightly.py)
#   script floor  a hand-written COPY + INSERT ... SELECT script doing less
#                 (bench/script_floor.sql: no validation, no reports)
# and for each import the WAL it wrote (pg_current_wal_lsn before/after) and the
# bytes it added to the run storage (report rows, run rows) and to cse + csv.
# Before each timed step: VACUUM ANALYZE of the tables involved, then CHECKPOINT.
# The machine-written part of bench/RESULTS.md is replaced with this run's figures.
#
# Environment: BENCH_STUDENTS=800000  BENCH_SIZES="<N> <N/2>"  BENCH_SEED=2017
#   BENCH_DIR=/tmp/casemis_bench  BENCH_PORT=55497  BENCH_KEEP=0 (1: leave the cluster up)
#   BENCH_PERF=0 (1: perf record -g of the worker during each import, into BENCH_DIR)
#   BENCH_RESULTS=<repo>/bench/RESULTS.md ('' = do not write it)  BENCH_REGEN=0 (1: regenerate files)
#   BENCH_WAL_COMPRESSION=off (lz4, zstd, pglz: the server's wal_compression, which compresses
#   the full-page images; the values this server was built with: pg_settings.enumvals)
#   BENCH_CONF= (extra postgresql.conf lines, e.g. casemis_import.side_thread = off for an A/B)
#   BENCH_FLAT=0 (1: instead of the above, worker memory at a fixed roster with Table B
#   1x, 2x, 4x as long -- BENCH_FLAT_FACTORS="1 2 4", sizes BENCH_SIZES or N/2; prints
#   the table and leaves it in BENCH_DIR/log/flat.md, RESULTS.md untouched)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_STUDENTS:-800000}
SIZES=${BENCH_SIZES:-"$N $((N / 2))"}
SEED=${BENCH_SEED:-2017}
DIR=${BENCH_DIR:-/tmp/casemis_bench}
PORT=${BENCH_PORT:-55497}
RESULTS=${BENCH_RESULTS-$REPO/bench/RESULTS.md}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
WAL_COMPRESSION=${BENCH_WAL_COMPRESSION:-off}
PGBIN=$("$PG_CONFIG" --bindir 2>/dev/null || true)   # set again after the package check
DB=casemis_bench

[ "$(id -u)" -eq 0 ] || { echo "bench/run.sh must run as root (make install, runuser)" >&2; exit 2; }
case "$DIR" in /*/*) ;; *) echo "BENCH_DIR must be an absolute path: $DIR" >&2; exit 2 ;; esac
case "$WAL_COMPRESSION" in off | lz4 | zstd | pglz) ;;
    *) echo "BENCH_WAL_COMPRESSION must be off, lz4, zstd or pglz: $WAL_COMPRESSION" >&2; exit 2 ;; esac

# Server settings: a realistic district server set up for bulk loads. Durability
# is untouched (fsync, synchronous_commit, full_page_writes on; wal_level replica),
# and the floors run under exactly the same settings as the imports. wal_compression
# (BENCH_WAL_COMPRESSION, default off as in PostgreSQL) compresses full-page images only.
SETTINGS="shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 15min
maintenance_work_mem = 256MB
work_mem = 64MB
fsync = on
synchronous_commit = on
full_page_writes = on
wal_compression = $WAL_COMPRESSION
wal_level = replica"
# Not settings of the system under test: per-statement time and WAL of the
# statements the worker runs (pg_stat_statements, nested statements too) -- the
# revert history's INSERTs are separated this way -- and the plans of slow ones
# in the server log (auto_explain, plans only, no ANALYZE timing).
PROBES="shared_preload_libraries = 'pg_stat_statements, auto_explain'
pg_stat_statements.track = all
pg_stat_statements.max = 2000
auto_explain.log_min_duration = '3s'
auto_explain.log_nested_statements = on"

as_pg() { runuser -u postgres -- "$@"; }
export PGHOST="$DIR/pg/sock" PGPORT="$PORT" PGUSER=postgres
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
q() { psql -d "$DB" -At -c "$1"; }
now() { date +%s.%N; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }

stop_cluster() {
    if [ -f "$DIR/pg/data/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}
on_exit() {
    local rc=$?
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "BENCH_KEEP=1: cluster left running: psql -h $PGHOST -p $PORT -U postgres -d $DB"
    else
        stop_cluster
    fi
    [ $rc -eq 0 ] || echo "bench FAILED (exit $rc); server log: $DIR/pg/server.log, step logs: $DIR/log" >&2
    exit $rc
}

log "build + install"
bash "$REPO/scripts/install_deps.sh" bench    # installs what is missing (apt)
PGBIN=$("$PG_CONFIG" --bindir)
flock "/tmp/casemis_build$(echo "$PG_CONFIG" | tr / _).lock" make -C "$REPO" --no-print-directory PG_CONFIG="$PG_CONFIG" >/dev/null
flock "/tmp/casemis_build$(echo "$PG_CONFIG" | tr / _).lock" make -C "$REPO" --no-print-directory install PG_CONFIG="$PG_CONFIG" >/dev/null
BUILT="commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"

log "throwaway cluster on port $PORT ($DIR/pg)"
stop_cluster
rm -rf -- "$DIR/pg" "$DIR/log" "$DIR/out"
install -d -m 755 -o postgres -g postgres "$DIR" "$DIR/pg" "$DIR/pg/sock" "$DIR/out"
install -d -m 755 "$DIR/log"
trap on_exit EXIT
as_pg "$PGBIN/initdb" -D "$DIR/pg/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$DIR/log/initdb.log"
{
    echo
    echo "# ---- bench/run.sh"
    echo "port = $PORT"
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$DIR/pg/sock'"
    echo "timezone = 'America/Los_Angeles'"
    echo "$SETTINGS"
    echo "$PROBES"
    echo "${BENCH_CONF:-}" # extra lines, e.g. an A/B of casemis_import.side_thread
} >>"$DIR/pg/data/postgresql.conf"
as_pg "$PGBIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/server.log" -w start >/dev/null
PGVERSION=$(psql -d postgres -At -c "SELECT version()")
log "wal_compression = $(psql -d postgres -At -c "SHOW wal_compression") (BENCH_WAL_COMPRESSION; this server offers $(psql -d postgres -At -c "SELECT enumvals FROM pg_settings WHERE name = 'wal_compression'"))"

# ---------------------------------------------------------------- helpers
TCK=$(getconf CLK_TCK)
# CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; "" if gone.
cpu_ticks() {
    local line rest f
    read -r line <"/proc/$1/stat" 2>/dev/null || return 0
    rest=${line##*) }
    read -ra f <<<"$rest"
    echo $((f[11] + f[12]))
}
ticks_s() { awk -v t="$1" -v k="$TCK" 'BEGIN { printf "%.1f", t / k }'; }

# timed <sql>: runs it in its own backend; prints "<wall seconds> <backend CPU seconds>".
# On a shared machine the wall time depends on what else runs; the CPU time does not.
timed() {
    local t0 t1 ppid bpid="" c ticks=0
    t0=$(now)
    PGAPPNAME=casemis_bench_step "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "$1" >/dev/null &
    ppid=$!
    while kill -0 "$ppid" 2>/dev/null; do
        if [ -z "$bpid" ]; then
            bpid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'casemis_bench_step'") || true
        fi
        if [ -n "$bpid" ]; then
            c=$(cpu_ticks "$bpid")
            [ -n "$c" ] && ticks=$c
        fi
        sleep 0.1
    done
    wait "$ppid"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" -v t="$ticks" -v k="$TCK" 'BEGIN { printf "%.2f %.1f", b - a, t / k }'
}

# WAL position now, and bytes of WAL written since a position.
wal_now() { q "SELECT pg_current_wal_lsn()"; }
wal_since() { q "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$1')::bigint"; }
# Bytes on disk of the run storage (report rows, run rows), of cse + csv, and of
# the revert history (run_history_*, src/sql/35_revert.sql; 0 before it existed).
store_bytes() {
    q "SELECT (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                WHERE c.oid IN (to_regclass('casemis.report_chunk'), to_regclass('casemis.import_report'),
                                to_regclass('casemis.import_run')) AND c.relkind = 'r')
            || ' ' || pg_total_relation_size('casemis.cse') + pg_total_relation_size('casemis.csv')
            || ' ' || (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                WHERE c.oid IN (to_regclass('casemis.run_history_cse'), to_regclass('casemis.run_history_cse_stamp'),
                                to_regclass('casemis.run_history_csv')))
            || ' ' || coalesce(pg_total_relation_size(to_regclass('casemis.csv_digest')), 0)"
}
# What the WAL since <lsn> is made of (pg_walinspect): "<FPI bytes>", and the
# record types by size into <file>.
wal_parts() {
    q "SELECT format('%s MB (%s MB full-page images), %s records: %s', round((record_size + fpi_size) / 1e6, 1),
                     round(fpi_size / 1e6, 1), count, \"resource_manager/record_type\")
         FROM pg_get_wal_stats('$1', pg_current_wal_lsn(), true) WHERE count > 0
        ORDER BY record_size + fpi_size DESC LIMIT 12" >"$2"
    q "SELECT coalesce(sum(fpi_size), 0)::bigint FROM pg_get_wal_stats('$1', pg_current_wal_lsn(), false)"
}
# The revert history's share of a run, from pg_stat_statements (reset before each
# run): "<ms> <WAL bytes> <rows>" of its INSERT INTO casemis.run_history_* statements.
hist_stmts() {
    q "SELECT round(coalesce(sum(total_exec_time), 0))::bigint || ' ' || coalesce(sum(wal_bytes), 0) || ' '
              || coalesce(sum(rows), 0)
         FROM pg_stat_statements WHERE query ~* '^\\s*INSERT INTO casemis\\.run_history_'"
}
# The statements of the last call that took over 0.1 s (for the log and the results).
top_stmts() {
    q "SELECT format('%s ms, %s calls, %s rows, WAL %s MB: %s', round(total_exec_time), calls, rows,
                     round(wal_bytes / 1e6, 1), left(regexp_replace(query, '\\s+', ' ', 'g'), 150))
         FROM pg_stat_statements WHERE total_exec_time > 100 AND query !~ 'pg_stat_statements|pg_stat_activity'
        ORDER BY total_exec_time DESC LIMIT ${1:-12}"
}

prepare_step() { # VACUUM ANALYZE the named tables, then CHECKPOINT: every step starts clean
    local t
    for t in "$@"; do psql -d "$DB" -c "VACUUM ANALYZE $t"; done
    psql -d "$DB" -c "CHECKPOINT"
}

# run_import <label> <force>: runs the import in the background, samples the
# worker's and the caller's /proc/<pid>/status every 100 ms; sets IMP_SECS,
# IMP_RUN, W_HWM, W_ANON, C_HWM, C_ANON (kB), IMP_CPU (the worker's CPU seconds),
# IMP_CCPU (the caller's), IMP_WAL, IMP_REP_BYTES, IMP_DATA_BYTES, IMP_HIST_BYTES
# (revert history added), HIST_MS HIST_WAL HIST_ROWS (its INSERTs, hist_stmts).
run_import() { run_call "$1" "casemis.casemis_import('bench', force => $2)"; }
# run_call <label> <sql returning the run id>: the same for any call that runs in
# a casemis_import worker (casemis.revert_run too).
run_call() {
    local label=$1 call=$2 t0 t1 ppid wpid="" cpid="" k v _ lsn0 rep0 dat0 his0 dig0 rep1 dat1 his1 dig1
    W_HWM=0 W_ANON=0 C_HWM=0 C_ANON=0 W_TICKS=0 C_TICKS=0
    read -r rep0 dat0 his0 dig0 <<<"$(store_bytes)"
    q "SELECT pg_stat_statements_reset()" >/dev/null
    lsn0=$(wal_now)
    t0=$(now)
    PGAPPNAME=casemis_bench_caller "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -d "$DB" -At \
        -c "SELECT $call" \
        >"$DIR/log/$label.out" 2>"$DIR/log/$label.notices" &
    ppid=$!
    while kill -0 "$ppid" 2>/dev/null && [ -z "$wpid" ]; do
        read -r wpid cpid < <(q "SELECT coalesce((SELECT pid FROM pg_stat_activity WHERE backend_type = 'casemis_import' LIMIT 1), 0),
                                        coalesce((SELECT pid FROM pg_stat_activity WHERE application_name = 'casemis_bench_caller' LIMIT 1), 0)" |
                               tr '|' ' ') || true
        [ "${cpid:-0}" != 0 ] || cpid=""
        if [ "${wpid:-0}" = 0 ]; then wpid=""; sleep 0.05; fi
    done
    local perf_pid=""
    if [ "${BENCH_PERF:-0}" = 1 ] && [ -n "$wpid" ]; then
        perf record -q -e cpu-clock -F 499 -g -p "$wpid" -o "$DIR/perf_$label.data" >/dev/null 2>&1 &
        perf_pid=$!
    fi
    while kill -0 "$ppid" 2>/dev/null; do
        if [ -n "$wpid" ] && [ -r "/proc/$wpid/status" ]; then
            while read -r k v _; do
                case $k in
                VmHWM:) [ "$v" -gt "$W_HWM" ] && W_HWM=$v ;;
                RssAnon:) [ "$v" -gt "$W_ANON" ] && W_ANON=$v ;;
                esac
            done <"/proc/$wpid/status" 2>/dev/null || true
            k=$(cpu_ticks "$wpid")
            [ -n "$k" ] && W_TICKS=$k
        fi
        if [ -n "$cpid" ] && [ -r "/proc/$cpid/status" ]; then
            while read -r k v _; do
                case $k in
                VmHWM:) [ "$v" -gt "$C_HWM" ] && C_HWM=$v ;;
                RssAnon:) [ "$v" -gt "$C_ANON" ] && C_ANON=$v ;;
                esac
            done <"/proc/$cpid/status" 2>/dev/null || true
            k=$(cpu_ticks "$cpid")
            [ -n "$k" ] && C_TICKS=$k
        fi
        sleep 0.1
    done
    wait "$ppid" || { cat "$DIR/log/$label.notices" >&2; return 1; }
    t1=$(now)
    [ -z "$perf_pid" ] || wait "$perf_pid" || true
    IMP_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    IMP_WAL=$(wal_since "$lsn0")
    IMP_FPI=$(wal_parts "$lsn0" "$DIR/log/$label.wal")
    read -r rep1 dat1 his1 dig1 <<<"$(store_bytes)"
    IMP_REP_BYTES=$((rep1 - rep0)) IMP_DATA_BYTES=$((dat1 - dat0)) IMP_HIST_BYTES=$((his1 - his0))
    IMP_DIGEST_BYTES=$((dig1 - dig0))
    read -r HIST_MS HIST_WAL HIST_ROWS <<<"$(hist_stmts)"
    top_stmts 40 >"$DIR/log/$label.statements"
    IMP_CPU=$(ticks_s "$W_TICKS") IMP_CCPU=$(ticks_s "$C_TICKS")
    IMP_RUN=$(cat "$DIR/log/$label.out")
    local status
    status=$(q "SELECT status FROM casemis.import_run WHERE run_id = $IMP_RUN")
    if [ "$status" != succeeded ]; then
        echo "run $IMP_RUN ($label) ended '$status':" >&2
        q "SELECT message FROM casemis.import_run WHERE run_id = $IMP_RUN" >&2
        return 1
    fi
    [ -n "$wpid" ] || echo "warning: the worker of $label was not seen; no memory figures" >&2
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / 1e6 / s }'; }
kb_mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

TABLE="$DIR/log/results.md"
: >"$TABLE"
SUMMARY="$DIR/log/summary.md"
: >"$SUMMARY"

# One row of the revert-history table for the import just run (run_import's figures).
hist_row() {
    echo "| $1 | $IMP_SECS | $IMP_CPU | $HIST_ROWS | $(awk -v m="$HIST_MS" 'BEGIN { printf "%.1f", m / 1000 }') | $(awk -v m="$HIST_MS" -v c="$IMP_CPU" 'BEGIN { if (c > 0) printf "%.1f%%", m / 10 / c }') | $(mb "$HIST_WAL") | $(mb "$IMP_WAL") | $(awk -v h="$HIST_WAL" -v w="$IMP_WAL" 'BEGIN { if (w > 0) printf "%.1f%%", 100 * h / w }') | $(mb "$IMP_HIST_BYTES") | $(mb "$IMP_DATA_BYTES") | $(kb_mb "$W_ANON") MB |" >>"$HIST"
}
# run_revert <label> <run id>: casemis.revert_run of that run, timed like an import;
# appends a row to $REVERTS and the statements that took over 0.1 s to $REVERT_STMTS.
run_revert() {
    local label=$1 target=$2 stats
    prepare_step # CHECKPOINT only: the tables as the runs left them, as a DBA would find them
    # did autovacuum analyze them since? do cse's statistics know the run's id?
    stats=$(q "SELECT string_agg(format('%s %s', relname, CASE WHEN greatest(last_analyze, last_autoanalyze) IS NULL
                                                      THEN 'never analyzed' ELSE 'analyzed, ' || n_mod_since_analyze || ' rows modified since' END),
                                 '; ' ORDER BY relname)
                 FROM pg_stat_user_tables WHERE schemaname = 'casemis' AND (relname LIKE 'run_history%' OR relname = 'cse')")
    stats="$stats; cse statistics' last_run_id values: $(q "SELECT coalesce(most_common_vals::text, histogram_bounds::text, 'none')
                 FROM pg_stats WHERE schemaname = 'casemis' AND tablename = 'cse' AND attname = 'last_run_id'")"
    log "$label: casemis.revert_run($target) ($stats)"
    run_call "$label" "casemis.revert_run($target)"
    log "$label: $IMP_SECS s, worker CPU $IMP_CPU s, caller CPU $IMP_CCPU s, WAL $(mb "$IMP_WAL") MB"
    sed 's/^/    /' "$DIR/log/$label.notices"
    echo "| $label (run $target) | $IMP_SECS | $IMP_CPU | $IMP_CCPU | $(mb "$IMP_WAL") | $(mb "$IMP_DATA_BYTES") | $stats |" >>"$REVERTS"
    {
        echo "Statements of $label (revert of run $target) over 0.1 s (pg_stat_statements; worker and caller):"
        echo
        head -8 "$DIR/log/$label.statements" | sed 's/^/    /'
        echo
    } >>"$REVERT_STMTS"
}

# ---------------------------------------------------------------- one size
# ensure_files <n> <dir>: bench/gen.py's files for n students in dir, generated
# unless they are there from the same seed and generator.
ensure_files() {
    local n=$1 files=$2
    if [ "${BENCH_REGEN:-0}" = 1 ] || ! [ -f "$files/manifest.json" ] ||
        ! grep -q "\"seed\": $SEED," "$files/manifest.json" || ! [ -f "$files/gen.stamp" ] ||
        ! cmp -s "$files/gen.stamp" <(cat "$REPO/bench/gen.py" "$REPO/scripts/gen_sample.py"); then
        log "generating files ($n students, seed $SEED) into $files"
        rm -rf -- "$files"
        install -d -m 755 "$files"
        local g0 g1
        g0=$(now)
        /usr/bin/python3 "$REPO/bench/gen.py" --students "$n" --seed "$SEED" --out "$files"
        g1=$(now)
        cat "$REPO/bench/gen.py" "$REPO/scripts/gen_sample.py" >"$files/gen.stamp"
        chmod 644 "$files"/*
        log "generated in $(awk -v a="$g0" -v b="$g1" 'BEGIN { printf "%.0f", b - a }') s"
    else
        log "reusing the files in $files (same seed and generator)"
    fi
}

# load_db <dir>: a fresh $DB with the extension, the roster of <dir> and the 'bench' setting on <dir>.
load_db() {
    local files=$1
    psql -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    psql -d "$DB" -c "CREATE EXTENSION casemis_import" -c "CREATE EXTENSION pg_stat_statements" -c "CREATE EXTENSION pg_walinspect"
    psql -d "$DB" <<SQL
COPY casemis.students FROM '$files/roster.csv' WITH (FORMAT csv, HEADER);
INSERT INTO casemis.school_calendar (school_code, school_year, first_day) VALUES (0, 2017, '2017-08-16');
INSERT INTO casemis.import_settings (name, source, folder_path, school_year, include_services)
     VALUES ('bench', 'folder', '$files', 2017, true);
SQL
}

bench_size() {
    local n=$1 files="$DIR/files_$n"
    log "=== $n students"
    ensure_files "$n" "$files"
    local size_a size_b recs_a recs_b roster
    size_a=$(stat -c %s "$files/tableA.csv")
    size_b=$(stat -c %s "$files/tableB.csv")
    recs_a=$(sed -n 's/.*"table_a_records": \([0-9]*\).*/\1/p' "$files/manifest.json")
    recs_b=$(sed -n 's/.*"table_b_records": \([0-9]*\).*/\1/p' "$files/manifest.json")

    load_db "$files"
    roster=$(q "SELECT count(*) FROM casemis.students")
    log "roster: $roster students; Table A $recs_a records ($(mb "$size_a") MB), Table B $recs_b records ($(mb "$size_b") MB)"

    # (a) input floor: COPY into all-text tables
    local cols_a cols_b
    cols_a=$(head -1 "$files/tableA.csv" | tr -d '\r\357\273\277' | tr 'A-Z' 'a-z' | sed 's/[^,]*/"&" text/g')
    cols_b=$(head -1 "$files/tableB.csv" | tr -d '\r\357\273\277' | tr 'A-Z' 'a-z' | sed 's/[^,]*/"&" text/g')
    psql -d "$DB" -c "CREATE TABLE floor_a ($cols_a)" -c "CREATE TABLE floor_b ($cols_b)"
    prepare_step
    log "input floor: COPY into all-text tables"
    local in_a in_b in_a_c in_b_c in_t in_c
    read -r in_a in_a_c <<<"$(timed "COPY floor_a FROM '$files/tableA.csv' WITH (FORMAT csv, HEADER)")"
    read -r in_b in_b_c <<<"$(timed "COPY floor_b FROM '$files/tableB.csv' WITH (FORMAT csv, HEADER)")"
    in_t=$(awk -v a="$in_a" -v b="$in_b" 'BEGIN { printf "%.2f", a + b }')
    in_c=$(awk -v a="$in_a_c" -v b="$in_b_c" 'BEGIN { printf "%.1f", a + b }')
    log "input floor: $in_a + $in_b = $in_t s (backend CPU $in_c s)"
    psql -d "$DB" -c "TRUNCATE floor_a, floor_b"

    # (b) first import
    prepare_step casemis.students casemis.cse casemis.csv casemis.report_chunk
    local load0
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    log "first import (empty cse/csv)"
    run_import "first_$n" false
    HIST="$DIR/log/hist_$n.md" REVERTS="$DIR/log/reverts_$n.md" REVERT_STMTS="$DIR/log/revert_stmts_$n.md"
    : >"$HIST"; : >"$REVERTS"; : >"$REVERT_STMTS"
    hist_row "first import"
    local first_s=$IMP_SECS first_run=$IMP_RUN first_c=$IMP_CPU
    local first_wal=$IMP_WAL first_rep=$IMP_REP_BYTES first_dat=$IMP_DATA_BYTES first_fpi=$IMP_FPI first_dig=$IMP_DIGEST_BYTES
    local f_whwm=$W_HWM f_wanon=$W_ANON f_chwm=$C_HWM f_canon=$C_ANON
    log "first import: $first_s s, worker CPU $first_c s (run $first_run); worker VmHWM $(kb_mb "$f_whwm") MB, RssAnon peak $(kb_mb "$f_wanon") MB"
    sed 's/^/    /' "$DIR/log/first_$n.notices"
    local counts
    counts=$(q "SELECT format('A: %s imported, %s unmatched, %s duplicates, %s errors, %s not in file; B: %s imported, %s unmatched, %s errors',
                       type_a_imported, type_a_unmatched, type_a_duplicates, type_a_errors, type_a_not_in_file,
                       type_b_imported, type_b_unmatched, type_b_errors) FROM casemis.import_run WHERE run_id = $first_run")
    log "counts: $counts"
    local cse_rows csv_rows rep_rows
    cse_rows=$(q "SELECT count(*) FROM casemis.cse")
    csv_rows=$(q "SELECT count(*) FROM casemis.csv")
    rep_rows=$(q "SELECT count(*) FROM casemis.import_report WHERE run_id = $first_run")

    # (c) output floor: the finished rows, COPY'd into empty copies with the same indexes
    psql -d "$DB" -c "COPY casemis.cse TO '$DIR/out/cse.copy'" -c "COPY casemis.csv TO '$DIR/out/csv.copy'"
    psql -d "$DB" -c "CREATE TABLE floor_cse (LIKE casemis.cse INCLUDING ALL)" \
        -c "CREATE TABLE floor_csv (LIKE casemis.csv INCLUDING ALL)"
    prepare_step casemis.cse casemis.csv casemis.report_chunk
    log "output floor: COPY of $cse_rows cse + $csv_rows csv rows into empty copies"
    local out_a out_b out_a_c out_b_c out_t out_c lsn out_wal
    lsn=$(wal_now)
    read -r out_a out_a_c <<<"$(timed "COPY floor_cse FROM '$DIR/out/cse.copy'")"
    read -r out_b out_b_c <<<"$(timed "COPY floor_csv FROM '$DIR/out/csv.copy'")"
    out_wal=$(wal_since "$lsn")
    out_t=$(awk -v a="$out_a" -v b="$out_b" 'BEGIN { printf "%.2f", a + b }')
    out_c=$(awk -v a="$out_a_c" -v b="$out_b_c" 'BEGIN { printf "%.1f", a + b }')
    log "output floor: $out_a + $out_b = $out_t s (backend CPU $out_c s)"
    local out_bytes
    out_bytes=$(( $(stat -c %s "$DIR/out/cse.copy") + $(stat -c %s "$DIR/out/csv.copy") ))
    psql -d "$DB" -c "TRUNCATE floor_cse, floor_csv"
    rm -f "$DIR/out/cse.copy" "$DIR/out/csv.copy"

    # (c2) script floor: a hand-written COPY + INSERT ... SELECT doing less
    sed -e "s|:'a_file'|'$files/tableA.csv'|; s|:'b_file'|'$files/tableB.csv'|" "$REPO/bench/script_floor.sql" \
        >"$DIR/out/script_floor.sql"
    chmod 644 "$DIR/out/script_floor.sql"
    prepare_step floor_cse floor_csv
    log "script floor: COPY + INSERT ... SELECT into empty copies"
    local scr_s scr_c
    read -r scr_s scr_c <<<"$(timed "\\i $DIR/out/script_floor.sql")"
    log "script floor: $scr_s s (backend CPU $scr_c s); $(q "SELECT count(*) FROM floor_cse") cse, $(q "SELECT count(*) FROM floor_csv") csv rows"
    psql -d "$DB" -c "DROP TABLE floor_cse" -c "DROP TABLE floor_csv" -c "DROP TABLE floor_a" -c "DROP TABLE floor_b"

    # For scale, not part of any ratio: the same COPY of the run's report rows
    # (one per Table A and Table B record), which the import also writes.
    psql -d "$DB" -c "COPY (SELECT * FROM casemis.import_report WHERE run_id = $first_run) TO '$DIR/out/report.copy'" \
        -c "CREATE TABLE floor_report (LIKE casemis.import_report INCLUDING ALL)"
    prepare_step
    local rep_s rep_c
    read -r rep_s rep_c <<<"$(timed "COPY floor_report FROM '$DIR/out/report.copy'")"
    log "report rows: COPY of $rep_rows rows $rep_s s (backend CPU $rep_c s)"
    psql -d "$DB" -c "DROP TABLE floor_report"
    rm -f "$DIR/out/report.copy"

    # (d) re-import, forced: every cse row an update, every student's services replaced
    prepare_step casemis.cse casemis.csv casemis.report_chunk
    log "re-import (force => true)"
    run_import "reimport_$n" true
    hist_row "re-import (force)"
    local re_s=$IMP_SECS re_run=$IMP_RUN re_c=$IMP_CPU
    local re_wal=$IMP_WAL re_rep=$IMP_REP_BYTES re_dat=$IMP_DATA_BYTES re_fpi=$IMP_FPI re_dig=$IMP_DIGEST_BYTES
    local r_whwm=$W_HWM r_wanon=$W_ANON r_chwm=$C_HWM r_canon=$C_ANON
    log "re-import: $re_s s, worker CPU $re_c s (run $re_run); worker VmHWM $(kb_mb "$r_whwm") MB, RssAnon peak $(kb_mb "$r_wanon") MB"
    sed 's/^/    /' "$DIR/log/reimport_$n.notices"

    # (e) the nightly case: the same pair with 1% of the records changed
    local nfiles="$DIR/files_${n}_nightly"
    if ! [ -f "$nfiles/tableB.csv" ] || [ "$files/tableB.csv" -nt "$nfiles/tableB.csv" ] ||
        [ "$REPO/bench/nightly.py" -nt "$nfiles/tableB.csv" ]; then
        /usr/bin/python3 "$REPO/bench/nightly.py" "$files" "$nfiles"
        chmod 755 "$nfiles"
        chmod 644 "$nfiles"/*
    fi
    psql -d "$DB" -c "UPDATE casemis.import_settings SET folder_path = '$nfiles' WHERE name = 'bench'"
    prepare_step casemis.cse casemis.csv
    log "nightly (1% of the records changed)"
    run_import "nightly_$n" false
    hist_row "nightly (1% changed)"
    local ni_s=$IMP_SECS ni_c=$IMP_CPU ni_wal=$IMP_WAL ni_rep=$IMP_REP_BYTES ni_dat=$IMP_DATA_BYTES ni_run=$IMP_RUN
    local ni_fpi=$IMP_FPI ni_dig=$IMP_DIGEST_BYTES
    local n_whwm=$W_HWM n_wanon=$W_ANON n_chwm=$C_HWM
    log "nightly: $ni_s s, worker CPU $ni_c s; WAL $(mb "$ni_wal") MB"
    sed 's/^/    /' "$DIR/log/nightly_$n.notices"

    # (f) issue 12: revert the nightly run, run the same nightly again (forced: its
    # files' digests are the reverted run's) and revert that too (the same revert a
    # second time); then revert the forced re-import, run it again and revert that.
    run_revert "revert_nightly_$n" "$ni_run"
    prepare_step casemis.cse casemis.csv
    log "nightly again (force => true), to revert it a second time"
    run_import "nightly2_$n" true
    hist_row "nightly again (forced, after its revert)"
    run_revert "revert_nightly2_$n" "$IMP_RUN"
    psql -d "$DB" -c "UPDATE casemis.import_settings SET folder_path = '$files' WHERE name = 'bench'"
    run_revert "revert_reimport_$n" "$re_run"
    prepare_step casemis.cse casemis.csv
    log "re-import again (force => true), to revert it a second time"
    run_import "reimport2_$n" true
    hist_row "re-import again (forced, after its revert)"
    run_revert "revert_reimport2_$n" "$IMP_RUN"

    local recs=$((recs_a + recs_b)) bytes=$((size_a + size_b))
    {
        echo "#### $n students: Table A $recs_a records ($(mb "$size_a") MB), Table B $recs_b records ($(mb "$size_b") MB); roster $roster"
        echo
        echo "Load average (1/5/15 min) before the first import: $load0; after the re-import: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; other work on the machine slows the wall times, not the CPU times)."
        echo
        echo "First import: $counts. Rows written: $cse_rows cse, $csv_rows csv, $rep_rows report rows."
        echo
        echo "| step | seconds | / output floor | / input floor | CPU s | CPU / output floor CPU | file records/s | file MB/s | worker VmHWM | worker RssAnon peak | caller VmHWM |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|"
        echo "| input floor (COPY to all-text: A $in_a s + B $in_b s) | $in_t | | | $in_c | | $(per_s $recs "$in_t") | $(mbps $bytes "$in_t") | | | |"
        echo "| output floor (COPY cse $out_a s + csv $out_b s; $(mb $out_bytes) MB) | $out_t | | | $out_c | | | | | | |"
        echo "| (for scale: COPY of the run's $rep_rows report rows into an empty copy of import_report) | $rep_s | | | $rep_c | | | | | | |"
        echo "| first import | $first_s | **$(ratio "$first_s" "$out_t")** | $(ratio "$first_s" "$in_t") | $first_c | $(ratio "$first_c" "$out_c") | $(per_s $recs "$first_s") | $(mbps $bytes "$first_s") | $(kb_mb "$f_whwm") MB | $(kb_mb "$f_wanon") MB | $(kb_mb "$f_chwm") MB |"
        echo "| re-import (force) | $re_s | **$(ratio "$re_s" "$out_t")** | $(ratio "$re_s" "$in_t") | $re_c | $(ratio "$re_c" "$out_c") | $(per_s $recs "$re_s") | $(mbps $bytes "$re_s") | $(kb_mb "$r_whwm") MB | $(kb_mb "$r_wanon") MB | $(kb_mb "$r_chwm") MB |"
        echo "| nightly (1% changed) | $ni_s | **$(ratio "$ni_s" "$out_t")** | $(ratio "$ni_s" "$in_t") | $ni_c | $(ratio "$ni_c" "$out_c") | $(per_s $recs "$ni_s") | $(mbps $bytes "$ni_s") | $(kb_mb "$n_whwm") MB | $(kb_mb "$n_wanon") MB | $(kb_mb "$n_chwm") MB |"
        echo "| script floor (COPY + INSERT ... SELECT, no validation, no reports) | $scr_s | $(ratio "$scr_s" "$out_t") | $(ratio "$scr_s" "$in_t") | $scr_c | $(ratio "$scr_c" "$out_c") | | | | | |"
        echo
        echo "Import ÷ script floor: first $(ratio "$first_s" "$scr_s") (CPU $(ratio "$first_c" "$scr_c")), re-import $(ratio "$re_s" "$scr_s") (CPU $(ratio "$re_c" "$scr_c")), nightly $(ratio "$ni_s" "$scr_s") (CPU $(ratio "$ni_c" "$scr_c"))."
        echo
        echo "| WAL and storage | WAL MB | of it full-page images MB | WAL ÷ first import's | run storage added MB (report rows, run row) | ÷ input files | cse + csv grew MB | csv_digest cache grew MB |"
        echo "|---|---|---|---|---|---|---|---|"
        echo "| output floor (COPY cse + csv) | $(mb "$out_wal") | | $(ratio "$out_wal" "$first_wal") | | | | |"
        echo "| first import | $(mb "$first_wal") | $(mb "$first_fpi") | 1.00 | $(mb "$first_rep") | $(ratio "$first_rep" "$bytes") | $(mb "$first_dat") | $(mb "$first_dig") |"
        echo "| re-import (force) | $(mb "$re_wal") | $(mb "$re_fpi") | $(ratio "$re_wal" "$first_wal") | $(mb "$re_rep") | $(ratio "$re_rep" "$bytes") | $(mb "$re_dat") | $(mb "$re_dig") |"
        echo "| nightly (1% changed) | $(mb "$ni_wal") | $(mb "$ni_fpi") | $(ratio "$ni_wal" "$first_wal") | $(mb "$ni_rep") | $(ratio "$ni_rep" "$bytes") | $(mb "$ni_dat") | $(mb "$ni_dig") |"
        echo
        echo "WAL by record type, largest first: \`$DIR/log/<step>.wal\` (pg_walinspect)."
        echo
        echo "Revert history (issue 12; src/apply/run_history.cpp): what each run wrote for \`casemis.revert_run\`. Time and WAL of its INSERT INTO casemis.run_history_* statements from pg_stat_statements (statement time, ≈ CPU when cached); table bytes: run_history_* before/after the run."
        echo
        echo "| run | wall s | worker CPU s | history rows | history s | ÷ worker CPU | history WAL MB | run's WAL MB | ÷ run's WAL | history tables grew MB | cse + csv grew MB | worker RssAnon peak |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
        cat "$HIST"
        echo
        echo "Reverts (\`casemis.revert_run\`, in its own worker; before each a CHECKPOINT only: the tables and their statistics as the runs left them):"
        echo
        echo "| revert | wall s | worker CPU s | caller CPU s | WAL MB | cse + csv grew MB | history tables' statistics before it |"
        echo "|---|---|---|---|---|---|---|"
        cat "$REVERTS"
        echo
        cat "$REVERT_STMTS"
        echo "Phases of the first import (the worker's NOTICEs):"
        echo
        sed -n 's/^NOTICE:  /    /p' "$DIR/log/first_$n.notices" | cut -c1-200
        echo
        echo "Phases of the re-import:"
        echo
        sed -n 's/^NOTICE:  /    /p' "$DIR/log/reimport_$n.notices" | cut -c1-200
        echo
        echo "Phases of the nightly run:"
        echo
        sed -n 's/^NOTICE:  /    /p' "$DIR/log/nightly_$n.notices" | cut -c1-200
        echo
    } >>"$TABLE"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$in_t" "$out_t" "$first_s" "$re_s" \
        "$(kb_mb "$f_whwm")/$(kb_mb "$r_whwm")/$(kb_mb "$n_whwm")" "$(kb_mb "$f_wanon")/$(kb_mb "$r_wanon")/$(kb_mb "$n_wanon")" \
        "$(ratio "$first_s" "$out_t")/$(ratio "$re_s" "$out_t")/$(ratio "$ni_s" "$out_t")" \
        "$out_c / $first_c / $re_c / $ni_c ($(ratio "$first_c" "$out_c")/$(ratio "$re_c" "$out_c")/$(ratio "$ni_c" "$out_c"))" \
        "$ni_s" "$scr_s" "$(ratio "$first_s" "$scr_s")" \
        "$(ratio "$ni_wal" "$first_wal") ($(mb "$ni_wal")/$(mb "$first_wal") MB); storage $(ratio "$first_rep" "$bytes")" >>"$SUMMARY"
}

# ---------------------------------------------------------------- BENCH_FLAT=1
# Issue 14 item 2: does the worker's private memory stay flat as the services file
# grows at a fixed roster? For each size, for each factor k of BENCH_FLAT_FACTORS:
# a fresh database with the same roster, a first import of the same Table A with a
# Table B k times as long (bench/widen_b.py: each record k times, DURATION moved,
# distinct services), then a forced re-import; the worker's peaks as run_call samples them.
flat_row() { # <k> <step> <Table B records> <MB> <csv rows> <RssAnon of x1's same step, kB or "">
    local d=""
    [ -z "$6" ] || d=$(awk -v a="$W_ANON" -v b="$6" 'BEGIN { printf "%+.0f", (a - b) / 1024 }')
    echo "| x$1 | $3 | $4 | $2 | $5 | $IMP_SECS | $IMP_CPU | $(kb_mb "$W_HWM") | $(kb_mb "$W_ANON") | $d | $(kb_mb "$C_ANON") |" >>"$FLAT"
}
flat_size() {
    local n=$1
    local base="$DIR/files_$n" k files recs_b size_b csv_rows first1="" re1="" l
    log "=== BENCH_FLAT: $n students, Table B x $FLAT_FACTORS"
    ensure_files "$n" "$base"
    for k in $FLAT_FACTORS; do
        files=$base
        if [ "$k" != 1 ]; then
            files="$DIR/files_${n}_b${k}x"
            if ! [ -f "$files/tableB.csv" ] || [ "$base/tableB.csv" -nt "$files/tableB.csv" ] ||
                [ "$REPO/bench/widen_b.py" -nt "$files/tableB.csv" ]; then
                /usr/bin/python3 "$REPO/bench/widen_b.py" "$base" "$files" "$k"
                chmod 755 "$files"
                chmod 644 "$files"/*
            fi
        fi
        load_db "$base"
        psql -d "$DB" -c "UPDATE casemis.import_settings SET folder_path = '$files' WHERE name = 'bench'"
        recs_b=$(($(wc -l <"$files/tableB.csv") - 1))
        size_b=$(mb "$(stat -c %s "$files/tableB.csv")")
        prepare_step casemis.students casemis.cse casemis.csv casemis.report_chunk
        l="flat_${n}_b${k}x_first"
        log "first import, Table B x$k ($recs_b records, $size_b MB)"
        run_import "$l" false
        csv_rows=$(q "SELECT count(*) FROM casemis.csv")
        flat_row "$k" "first import" "$recs_b" "$size_b" "$csv_rows" "$first1"
        [ "$k" != 1 ] || first1=$W_ANON
        log "$l: $IMP_SECS s, worker CPU $IMP_CPU s; worker VmHWM $(kb_mb "$W_HWM") MB, RssAnon peak $(kb_mb "$W_ANON") MB"
        sed -n 's/^NOTICE:  \(Table B\|csv:\|run [0-9]* succeeded\)/    \1/p' "$DIR/log/$l.notices" | cut -c1-200 >>"$FLAT_NOTICES"
        prepare_step casemis.cse casemis.csv casemis.report_chunk
        l="flat_${n}_b${k}x_re"
        log "re-import (force => true), Table B x$k"
        run_import "$l" true
        flat_row "$k" "re-import (force)" "$recs_b" "$size_b" "$csv_rows" "$re1"
        [ "$k" != 1 ] || re1=$W_ANON
        log "$l: $IMP_SECS s, worker CPU $IMP_CPU s; worker VmHWM $(kb_mb "$W_HWM") MB, RssAnon peak $(kb_mb "$W_ANON") MB"
    done
}
if [ "${BENCH_FLAT:-0}" = 1 ]; then
    FLAT_FACTORS=${BENCH_FLAT_FACTORS:-1 2 4}
    FLAT="$DIR/log/flat_rows.md" FLAT_NOTICES="$DIR/log/flat_notices.txt"
    : >"$FLAT"
    : >"$FLAT_NOTICES"
    for n in ${BENCH_SIZES:-$((N / 2))}; do
        flat_size "$n"
    done
    {
        echo "BENCH_FLAT: worker memory at a fixed roster as Table B grows (sizes ${BENCH_SIZES:-$((N / 2))}; finished $(date -u '+%Y-%m-%d %H:%M UTC'); built from $BUILT; wal_compression = $WAL_COMPRESSION; load $(cut -d' ' -f1-3 /proc/loadavg))"
        echo
        echo "| Table B | records | MB | step | csv rows | wall s | worker CPU s | worker VmHWM MB | worker RssAnon peak MB | RssAnon vs x1 MB | caller RssAnon peak MB |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|"
        cat "$FLAT"
        echo
        echo "Table B and csv phases of the first imports (the worker's NOTICEs):"
        echo
        cat "$FLAT_NOTICES"
    } >"$DIR/log/flat.md"
    echo
    cat "$DIR/log/flat.md"
    exit 0
fi

for n in $SIZES; do
    bench_size "$n"
done

# ---------------------------------------------------------------- report
MACHINE=$(
    echo "- CPU: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "- memory: $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
    echo "- disk of $DIR: $(df -h --output=source,fstype,size "$DIR" | tail -1 | tr -s ' ')"\
"$(d=$(basename "$(df --output=source "$DIR" | tail -1)"); [ -r "/sys/block/$d/queue/rotational" ] && echo " (rotational=$(cat "/sys/block/$d/queue/rotational"))")"
    echo "- $PGVERSION"
    echo "- settings: $(echo "$SETTINGS" | paste -sd ';' | sed 's/;/; /g'); autovacuum on (VACUUM ANALYZE + CHECKPOINT before each step)"
    [ -z "${BENCH_CONF:-}" ] || echo "- BENCH_CONF: $(echo "$BENCH_CONF" | paste -sd ';' | sed 's/;/; /g')"
    echo "- generator: bench/gen.py, seed $SEED; finished $(date -u '+%Y-%m-%d %H:%M UTC'); built from $BUILT"
)
{
    echo "$MACHINE"
    echo
    echo "| students | input floor s | output floor s | script floor s | first import s | re-import s | nightly s | first/re/nightly ÷ output floor | first ÷ script | CPU s: output floor / first / re / nightly (ratios) | nightly WAL ÷ first's; first's storage ÷ input | worker VmHWM MB (first/re/nightly) | worker RssAnon peak MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $11, $4, $5, $10, $8, $12, $9, $13, $6, $7 }' "$SUMMARY"
    echo
    cat "$TABLE"
} >"$DIR/log/report.md"
echo
cat "$DIR/log/report.md"

if [ -n "$RESULTS" ]; then
    BEGIN='<!-- bench/run.sh: begin (generated; replaced by each run) -->'
    END='<!-- bench/run.sh: end -->'
    if [ -f "$RESULTS" ] && grep -qF "$BEGIN" "$RESULTS"; then
        awk -v b="$BEGIN" -v e="$END" -v f="$DIR/log/report.md" '
            $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
            $0 == e { skip = 0 }
            !skip' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
    else
        { echo "# Benchmark results"; echo; echo "## Latest run"; echo; echo "$BEGIN"; cat "$DIR/log/report.md"; echo "$END"; } >"$RESULTS"
    fi
    echo "(written to $RESULTS)"
fi
