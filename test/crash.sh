#!/usr/bin/env bash
# crash.sh SCRATCH_DIR -- faults in the middle of a real import (50,000
# students) on a running test cluster (PGHOST/PGPORT; run by test/run_all.sh,
# after the other SQL tests: it restarts the server):
#   - pg_cancel_backend of the caller, and statement_timeout;
#   - kill -9 of the run's worker, and of the calling backend (the postmaster
#     then restarts every backend);
#   - a fast shutdown + restart of the server (only when CASEMIS_TEST_PGDATA
#     names the data directory; pg_ctl runs as the user owning it, logging to
#     CASEMIS_TEST_PGLOG, default server.log next to the data directory).
# Each time, in the write phase of the run: afterwards cse/csv are exactly as
# before, the run is 'failed' (canceled / interrupted), never left 'running'
# once casemis.status has been looked at, no spool file is left, and the next
# run succeeds. Uses a database of its own (casemis_crash), dropped at the end.
# Prints PASS/FAIL lines and "N passed, N failed".
source "$(dirname "$0")/lib_stress.sh"
SCRATCH=${1:?usage: crash.sh SCRATCH_DIR}
DB=casemis_crash
SAMPLE=$SCRATCH/sample50k
OUT=$SCRATCH/crash
rm -rf "$OUT" && mkdir -p "$OUT"
FAULTS=0   # faults injected and survived (all checks passed)

t0=$(date +%s)
sample "$SAMPLE"
fresh_db "$SAMPLE" || { fail "setup"; finish; exit 1; }
q -c "INSERT INTO casemis.import_settings (name, folder_path, school_year) VALUES ('crash', '$SAMPLE', 2017)"
first=$(q -c "SET client_min_messages = warning" -c "SELECT casemis.casemis_import('crash')")
check "a first import succeeds" succeeded "$(q -c "SELECT status FROM casemis.import_run WHERE run_id = $first")"

server_up() {
    local i
    for i in $(seq 600); do
        psql -X -q -At -d "$DB" -c "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
spool_files() { q -c "SELECT count(*) FROM pg_ls_tmpdir() WHERE name LIKE 'pgsql_tmp_casemis%'"; }

# Starts a forced import in the background (its output in $OUT/$1.out) and
# returns once the run is in its write phase: Table A's pass 1 has reported,
# and cse is written while Table B's pass 1 runs on the side thread (README,
# "Server parameters"; Table B's NOTICE comes only at the end of the cse phase).
start_run() {  # name [psql -c settings...]
    local name=$1 i
    shift
    q -c "SET application_name = 'crash_caller'" -c "SET client_min_messages = notice" "$@" \
        -c "SELECT casemis.casemis_import('crash', force => true)" >"$OUT/$name.out" 2>&1 &
    CALLER_JOB=$!
    for i in $(seq 600); do
        grep -q "NOTICE:  Table A" "$OUT/$name.out" 2>/dev/null && return 0
        sleep 0.02
    done
    return 1
}

# After a fault: the outcome and everything around it.
after_fault() {  # label expected-status message-pattern
    local label=$1 run ok=1
    server_up || { fail "$label: the server did not come back"; return; }
    run=$(q -c "SELECT max(run_id) FROM casemis.import_run WHERE settings_name = 'crash'")
    if [ "$2" = canceled ]; then
        # the worker records a canceled run just after its caller returned
        wait_for "SELECT status <> 'running' FROM casemis.import_run WHERE run_id = $run" 20
    else
        # a dead run stays 'running' until casemis.status (or the next run,
        # or the scheduler) finds it
        check "$label: the dead run still says 'running' before anyone looks" running \
            "$(q -c "SELECT status FROM casemis.import_run WHERE run_id = $run")" || ok=0
        q -c "SELECT count(*) FROM casemis.status" >/dev/null
    fi
    local got
    got=$(q -c "SELECT status || ': ' || message FROM casemis.import_run WHERE run_id = $run")
    if [[ "$got" == "failed: $3"* ]]; then pass "$label: run $run is $got"; else fail "$label: run $run is '$got'"; ok=0; fi
    if [ "$(tables_hash)" = "$HASH" ]; then pass "$label: cse and csv exactly as before"; else fail "$label: cse/csv changed"; ok=0; fi
    check "$label: no spool file left" 0 "$(spool_files)" || ok=0
    check "$label: no run left 'running'" 0 "$(q -c "SELECT count(*) FROM casemis.import_run WHERE status = 'running'")" || ok=0
    if [ "$ok" = 1 ]; then FAULTS=$((FAULTS + 1)); fi
}

HASH=$(tables_hash)

# -------------------------------------------------------------- pg_cancel_backend
if start_run cancel; then
    q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'crash_caller'" >/dev/null
    wait "$CALLER_JOB"
    check "cancel: the caller got the cancel" 1 "$(grep -c 'ERROR:  canceling statement due to user request' "$OUT/cancel.out")"
    after_fault "pg_cancel_backend" canceled "canceled: the calling statement ended: canceling statement due to user request"
else
    fail "pg_cancel_backend: the run did not reach its write phase"
fi

# -------------------------------------------------------------- statement_timeout
# (the timeout is set to fire in the write phase: the time pass 1 took, plus a bit)
t_pass1=$(q -c "SELECT greatest(300, ceil(extract(epoch FROM (finished_at - started_at)) * 1000 * 0.4))::int
                FROM casemis.import_run WHERE run_id = $first")
q -c "SET statement_timeout = '${t_pass1}ms'" -c "SET client_min_messages = notice" \
    -c "SELECT casemis.casemis_import('crash', force => true)" >"$OUT/timeout.out" 2>&1
check "statement_timeout: the caller timed out" 1 "$(grep -c 'ERROR:  canceling statement due to statement timeout' "$OUT/timeout.out")"
after_fault "statement_timeout" canceled "canceled: the calling statement ended: canceling statement due to statement timeout"

# -------------------------------------------------------------- kill -9 of the worker
if start_run kill_worker; then
    pid=$(q -c "SELECT worker_pid FROM casemis.import_run WHERE settings_name = 'crash' AND status = 'running'")
    check "kill -9: the run's worker is the casemis_import backend" t \
        "$(q -c "SELECT backend_type = 'casemis_import' FROM pg_stat_activity WHERE pid = ${pid:-0}")"
    kill -9 "$pid"
    wait "$CALLER_JOB"
    after_fault "kill -9 of the worker" failed "interrupted"
else
    fail "kill -9 of the worker: the run did not reach its write phase"
fi

# -------------------------------------------------------------- kill -9 of the caller
if start_run kill_caller; then
    pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'crash_caller'")
    kill -9 "$pid"
    wait "$CALLER_JOB"
    after_fault "kill -9 of the calling backend" failed "interrupted"
else
    fail "kill -9 of the caller: the run did not reach its write phase"
fi

# -------------------------------------------------------------- fast shutdown, restart
if [ -n "${CASEMIS_TEST_PGDATA:-}" ]; then
    if start_run restart; then
        owner=$(stat -c %U "$CASEMIS_TEST_PGDATA")
        as_owner=()
        [ "$(id -un)" = "$owner" ] || as_owner=(runuser -u "$owner" --)
        "${as_owner[@]}" "$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)/pg_ctl" -D "$CASEMIS_TEST_PGDATA" -m fast -w -t 60 \
            -l "${CASEMIS_TEST_PGLOG:-$(dirname "$CASEMIS_TEST_PGDATA")/server.log}" restart >"$OUT/pg_ctl.out" 2>&1
        wait "$CALLER_JOB"
        after_fault "server restart (fast shutdown)" failed "interrupted"
    else
        fail "server restart: the run did not reach its write phase"
    fi
else
    echo "server restart: skipped (CASEMIS_TEST_PGDATA not set)"
fi

# -------------------------------------------------------------- and then
last=$(q -c "SET client_min_messages = warning" -c "SELECT casemis.casemis_import('crash', force => true)")
check "the next run succeeds" "succeeded 48932" \
    "$(q -c "SELECT status || ' ' || type_a_imported FROM casemis.import_run WHERE run_id = $last")"
# Services equal to the stored ones keep their rows (and the run that wrote
# them): count the year's services, not the rows this run wrote.
check "its rows are all there" "48932 116939 116939" \
    "$(q -c "SELECT (SELECT count(*) FROM casemis.cse WHERE last_run_id = $last) || ' ' ||
                    (SELECT type_b_imported FROM casemis.import_run WHERE run_id = $last) || ' ' ||
                    (SELECT count(*) FROM casemis.csv WHERE school_year = 2017)")"

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
echo "crash.sh: $FAULTS faults survived, $(($(date +%s) - t0)) s"
finish
