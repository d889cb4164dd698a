#!/usr/bin/env bash
# concurrency.sh SCRATCH_DIR -- real parallel clients against a running test
# cluster (PGHOST/PGPORT; run by test/run_all.sh):
#   1. ten simultaneous casemis_import() calls on one setting: exactly one
#      runs, nine are 'skipped' and name the run that had the setting;
#   2. two settings import at the same moment without interfering: both
#      succeed with the counts each has alone, and each wrote its own rows;
#   3. two settings whose files hold the same students, at the same moment:
#      both succeed (the second writer waits for the first and updates its
#      rows) instead of one failing on cse's primary key.
# Uses a database of its own (casemis_concurrency), dropped at the end.
# Prints PASS/FAIL lines and "N passed, N failed".
source "$(dirname "$0")/lib_stress.sh"
SCRATCH=${1:?usage: concurrency.sh SCRATCH_DIR}
DB=casemis_concurrency
SAMPLE=$SCRATCH/sample50k
OUT=$SCRATCH/concurrency
rm -rf "$OUT" && mkdir -p "$OUT"

t0=$(date +%s)
sample "$SAMPLE"
fresh_db "$SAMPLE" || { fail "setup"; finish; exit 1; }
# A second roster: the same people under other ids, so that a second setting
# reading the same files writes other cse/csv rows.
q -c "CREATE TABLE public.roster2 AS SELECT student_id + 10000000 AS student_id, ssid, last_name, first_name,
                                             birthdate, grade, school_code FROM casemis.students" \
  -c "INSERT INTO casemis.import_settings (name, folder_path, school_year) VALUES ('one', '$SAMPLE', 2017)" \
  -c "INSERT INTO casemis.import_settings (name, folder_path, school_year, student_relation)
      VALUES ('two', '$SAMPLE', 2017, 'public.roster2')" \
  -c "INSERT INTO casemis.import_settings (name, folder_path, school_year) VALUES ('same', '$SAMPLE', 2017)"

COUNTS="type_a_imported || '/' || type_a_unmatched || '/' || type_a_duplicates || '/' || type_a_errors || '/' ||
        type_b_imported || '/' || type_b_unmatched || '/' || type_b_errors"

# -------------------------------------------------------------- 1. ten at once
for i in $(seq 10); do
    q -c "SET client_min_messages = warning" -c "SELECT casemis.casemis_import('one', force => true)" \
        >"$OUT/call$i.out" 2>"$OUT/call$i.err" &
done
wait
ids=$(cat "$OUT"/call*.out | tr '\n' ',' | sed 's/,$//')
check "10 simultaneous calls each returned a run id" 10 "$(cat "$OUT"/call*.out | grep -cE '^[0-9]+$')"
if [ "$(cat "$OUT"/call*.out | grep -cE '^[0-9]+$')" -eq 10 ]; then
    check "exactly one of the 10 ran (succeeded)" 1 \
        "$(q -c "SELECT count(*) FROM casemis.import_run WHERE run_id IN ($ids) AND status = 'succeeded'")"
    check "nine of the 10 were skipped" 9 \
        "$(q -c "SELECT count(*) FROM casemis.import_run WHERE run_id IN ($ids) AND status = 'skipped'")"
    check "each skipped run names the run that held the setting" 9 \
        "$(q -c "SELECT count(*) FROM casemis.import_run s, casemis.import_run r
                 WHERE s.run_id IN ($ids) AND r.run_id IN ($ids) AND s.status = 'skipped' AND r.status = 'succeeded'
                   AND s.message LIKE 'skipped: another run of setting \"one\" (run ' || r.run_id || ')%'")"
    check "the skipped calls raised no error" 0 "$(cat "$OUT"/call*.err | grep -c ERROR)"
    check "no run of the setting is left running" 0 \
        "$(q -c "SELECT count(*) FROM casemis.import_run WHERE settings_name = 'one' AND status = 'running'")"
    ref=$(q -c "SELECT $COUNTS FROM casemis.import_run WHERE run_id IN ($ids) AND status = 'succeeded'")
    check "the run imported what the sample says (48932 Table A, 116939 Table B)" \
        "48932/496/478/333/116939/2541/0" "$ref"
fi

# -------------------------------------------------------------- 2. two settings at once
q -c "SET client_min_messages = warning" -c "SELECT casemis.casemis_import('one', force => true)" >"$OUT/one.out" 2>&1 &
q -c "SET client_min_messages = warning" -c "SELECT casemis.casemis_import('two', force => true)" >"$OUT/two.out" 2>&1 &
wait
r1=$(tail -n1 "$OUT/one.out")
r2=$(tail -n1 "$OUT/two.out")
if [[ "$r1" =~ ^[0-9]+$ && "$r2" =~ ^[0-9]+$ ]]; then
    check "two settings at once: both succeeded" "succeeded succeeded" \
        "$(q -c "SELECT string_agg(status, ' ' ORDER BY run_id) FROM casemis.import_run WHERE run_id IN ($r1, $r2)")"
    check "they overlapped in time" t \
        "$(q -c "SELECT a.started_at < b.finished_at AND b.started_at < a.finished_at
                 FROM casemis.import_run a, casemis.import_run b WHERE a.run_id = $r1 AND b.run_id = $r2")"
    check "setting one: the counts it has alone" "$ref" "$(q -c "SELECT $COUNTS FROM casemis.import_run WHERE run_id = $r1")"
    check "setting two: the counts it has alone" "$ref" "$(q -c "SELECT $COUNTS FROM casemis.import_run WHERE run_id = $r2")"
    check "setting one's cse rows are its own (last_run_id)" "48932 48932" \
        "$(q -c "SELECT count(*) FILTER (WHERE student_id < 10000000) || ' ' ||
                        count(*) FILTER (WHERE student_id < 10000000 AND last_run_id = $r1) FROM casemis.cse")"
    check "setting two's cse rows are its own (last_run_id)" "48932 48932" \
        "$(q -c "SELECT count(*) FILTER (WHERE student_id >= 10000000) || ' ' ||
                        count(*) FILTER (WHERE student_id >= 10000000 AND last_run_id = $r2) FROM casemis.cse")"
    # services equal to the stored ones keep their rows, written by an earlier
    # run of the same setting: "its own" is by setting, not by this run
    check "each setting's services are its own" "116939 116939" \
        "$(q -c "SELECT count(*) FILTER (WHERE student_id < 10000000 AND r.settings_name = 'one') || ' ' ||
                        count(*) FILTER (WHERE student_id >= 10000000 AND r.settings_name = 'two')
                 FROM casemis.csv c JOIN casemis.import_run r USING (run_id)")"
    check "no other csv rows" 233878 "$(q -c "SELECT count(*) FROM casemis.csv")"
else
    fail "two settings at once: a call did not return a run id ($(tail -n3 "$OUT/one.out" "$OUT/two.out" | tr '\n' ' '))"
fi

# -------------------------------------------------------------- 3. the same students at once
q -c "SET client_min_messages = notice" -c "SELECT casemis.casemis_import('one', force => true)" >"$OUT/one3.out" 2>&1 &
q -c "SET client_min_messages = notice" -c "SELECT casemis.casemis_import('same', force => true)" >"$OUT/same3.out" 2>&1 &
wait
r1=$(tail -n1 "$OUT/one3.out")
r3=$(tail -n1 "$OUT/same3.out")
if [[ "$r1" =~ ^[0-9]+$ && "$r3" =~ ^[0-9]+$ ]]; then
    check "same students, two settings at once: both succeeded" "succeeded succeeded" \
        "$(q -c "SELECT string_agg(status, ' ' ORDER BY run_id) FROM casemis.import_run WHERE run_id IN ($r1, $r3)")"
    check "one of them waited for the other to finish writing" 1 \
        "$(cat "$OUT/one3.out" "$OUT/same3.out" | grep -c "waiting for another setting's run to finish writing")"
    last=$(q -c "SELECT run_id FROM casemis.import_run WHERE run_id IN ($r1, $r3) ORDER BY finished_at DESC LIMIT 1")
    # every cse row carries the later writer's bookkeeping; the services, equal
    # in both files, are there once (kept, not written twice)
    check "the later writer updated every row of the earlier one" "48932 48932 116939" \
        "$(q -c "SELECT count(*) FILTER (WHERE student_id < 10000000) || ' ' ||
                        count(*) FILTER (WHERE student_id < 10000000 AND last_run_id = $last) || ' ' ||
                        (SELECT count(*) FROM casemis.csv WHERE student_id < 10000000)
                 FROM casemis.cse")"
else
    fail "same students at once: a call did not return a run id ($(tail -n3 "$OUT/one3.out" "$OUT/same3.out" | tr '\n' ' '))"
fi

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
echo "concurrency.sh: $(($(date +%s) - t0)) s"
finish
