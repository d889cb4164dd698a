#!/usr/bin/env bash
# demo.sh -- `make demo`: the main job end to end on a throwaway cluster.
#
# As root: installs the Debian packages it needs when they are missing
# (scripts/install_deps.sh demo), builds and installs the extension, starts PostgreSQL 15 (pg_cron
# preloaded) as postgres under $DEMO_DIR, creates database casemis_demo and the
# extension, generates a sample roster + Table A + Table B, loads the roster
# (and a few cse rows from "last year"), configures a folder setting, runs
# casemis.casemis_import(), shows the run and the first lines of each report,
# exports the report files, and stops the cluster (DEMO_KEEP=1 leaves it running).
# The run's completion email goes to a local SMTP sink (test/smtp_sink.py); the
# demo leaves the message (.eml), its HTML (a file a browser opens) and the
# Excel workbook beside the report files, and prints where.
#
# Environment: DEMO_DIR=/tmp/casemis_demo  DEMO_PORT=55499  DEMO_STUDENTS=200
#              DEMO_SEED=2017  DEMO_KEEP=0  CASEMIS_SKIP_APT=1 (no package check)
#              DEMO_FORMAT=casemis (calpads: a CALPADS SPED/SSRV pair, positional form)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
DIR=${DEMO_DIR:-/tmp/casemis_demo}
PORT=${DEMO_PORT:-55499}
STUDENTS=${DEMO_STUDENTS:-200}
SEED=${DEMO_SEED:-2017}
FORMAT=${DEMO_FORMAT:-casemis}
case "$FORMAT" in casemis|calpads) ;; *) echo "DEMO_FORMAT must be casemis or calpads: $FORMAT" >&2; exit 2 ;; esac
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
DB=casemis_demo
SCHOOL_YEAR=2017                       # the sample is the 2017-18 school year

section() { printf '\n=== %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { echo "demo.sh must run as root (make install, runuser)" >&2; exit 2; }
case "$DIR" in /*/*) ;; *) echo "DEMO_DIR must be an absolute path: $DIR" >&2; exit 2 ;; esac

as_pg() { runuser -u postgres -- "$@"; }
stop_sink() {
    if [ -f "$DIR/smtp_sink.pid" ]; then
        kill "$(cat "$DIR/smtp_sink.pid")" 2>/dev/null || true
    fi
}
stop_cluster() {
    if [ -f "$DIR/pg/data/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}
on_exit() {
    local rc=$?
    if [ "${DEMO_KEEP:-0}" = 1 ]; then
        echo
        echo "DEMO_KEEP=1: the cluster is still running:"
        echo "  runuser -u postgres -- psql -h $DIR/pg/sock -p $PORT -d $DB"
        echo "  stop: runuser -u postgres -- $PGBIN/pg_ctl -D $DIR/pg/data stop"
    else
        stop_cluster
    fi
    stop_sink
    [ $rc -eq 0 ] || echo "demo FAILED (exit $rc); server log: $DIR/pg/server.log" >&2
    exit $rc
}

section "packages"
# On a fresh Debian 12 machine this installs what is missing (apt).
bash "$REPO/scripts/install_deps.sh" demo

PGBIN=$("$PG_CONFIG" --bindir)

section "build + install"
flock "/tmp/casemis_build$(echo "$PG_CONFIG" | tr / _).lock" make -C "$REPO" --no-print-directory PG_CONFIG="$PG_CONFIG" >/dev/null
flock "/tmp/casemis_build$(echo "$PG_CONFIG" | tr / _).lock" make -C "$REPO" --no-print-directory install PG_CONFIG="$PG_CONFIG" >/dev/null
echo "installed casemis_import $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$REPO/casemis_import.control")"

section "throwaway cluster on port $PORT ($DIR)"
stop_cluster                                  # a kept demo from last time
stop_sink
rm -rf -- "$DIR"
install -d -m 755 -o postgres -g postgres "$DIR" "$DIR/pg" "$DIR/pg/sock" "$DIR/files" "$DIR/reports" "$DIR/mail"
trap on_exit EXIT
as_pg "$PGBIN/initdb" -D "$DIR/pg/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$DIR/pg/initdb.log"
cat >>"$DIR/pg/data/postgresql.conf" <<EOF

# ---- scripts/demo.sh
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/pg/sock'
timezone = 'America/Los_Angeles'
shared_preload_libraries = 'pg_cron'
cron.database_name = '$DB'
cron.use_background_workers = on
max_worker_processes = 20
EOF
as_pg "$PGBIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/server.log" -w start >/dev/null
export PGHOST="$DIR/pg/sock" PGPORT="$PORT" PGUSER=postgres
psql() { as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres "$PGBIN/psql" -X -v ON_ERROR_STOP=1 "$@"; }
cd "$DIR"
psql -q -d postgres -c "CREATE DATABASE $DB"
psql -q -d "$DB" -c 'CREATE EXTENSION pg_cron' -c 'CREATE EXTENSION casemis_import'
echo "database $DB with extensions: $(psql -d "$DB" -At -c "SELECT string_agg(extname || ' ' || extversion, ', ' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'")"

section "SMTP sink (the office's mailbox)"
SMTP_PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
install -m 644 "$REPO/test/smtp_sink.py" "$REPO/test/mail_check.py" "$DIR/"
as_pg /usr/bin/python3 "$DIR/smtp_sink.py" "$DIR/mail" 127.0.0.1 "$SMTP_PORT" "$DIR/smtp_sink.pid" \
    >"$DIR/smtp_sink.log" 2>&1 </dev/null &
for _ in $(seq 100); do [ -f "$DIR/smtp_sink.pid" ] && break; sleep 0.1; done
[ -f "$DIR/smtp_sink.pid" ] || { cat "$DIR/smtp_sink.log" >&2; exit 1; }
echo "smtp://127.0.0.1:$SMTP_PORT -> $DIR/mail"

section "sample files ($STUDENTS students, seed $SEED, $FORMAT)"
install -m 644 "$REPO/scripts/gen_sample.py" "$DIR/gen_sample.py"   # the clone may be unreadable by postgres
as_pg /usr/bin/python3 "$DIR/gen_sample.py" --students "$STUDENTS" --seed "$SEED" --out "$DIR/files" --format "$FORMAT"
ls -l "$DIR/files"

section "roster, calendar and settings"
psql -d "$DB" <<SQL
COPY casemis.students FROM '$DIR/files/roster.csv' WITH (FORMAT csv, HEADER);
-- a few students with a cse row from an earlier year who are not in this
-- year's file (one has exited): the NotInFile report lists the others
COPY casemis.cse (student_id, disabilit1, exit_date) FROM '$DIR/files/prior_cse.csv' WITH (FORMAT csv, HEADER);
INSERT INTO casemis.school_calendar (school_code, school_year, first_day)
     VALUES (0, $SCHOOL_YEAR, '$SCHOOL_YEAR-08-16');
INSERT INTO casemis.import_settings (name, source, folder_path, school_year, include_services, file_format,
                                     email_to, email_from, smtp_url)
     VALUES ('default', 'folder', '$DIR/files', $SCHOOL_YEAR, true, '$( [ "$FORMAT" = calpads ] && echo calpads || echo auto )',
             '{sped-office@district.example}', 'casemis@district.example', 'smtp://127.0.0.1:$SMTP_PORT');
SELECT count(*) AS roster_students FROM casemis.students;
SELECT name, source, folder_path, students_file, services_file, include_services, school_year, time_zone, file_format
  FROM casemis.import_settings;
SQL

section "SELECT casemis.casemis_import()"
RUN_ID=$(psql -d "$DB" -At -c 'SELECT casemis.casemis_import()')
echo "run_id = $RUN_ID"
psql -d "$DB" -x -c "SELECT * FROM casemis.import_run WHERE run_id = $RUN_ID"
psql -d "$DB" -c "SELECT count(*) AS cse_rows FROM casemis.cse" \
              -c "SELECT count(*) AS csv_rows, count(DISTINCT student_id) AS students FROM casemis.csv"

section "reports (first lines of each)"
for report in $(psql -d "$DB" -At -c 'SELECT report FROM casemis.report_kind ORDER BY ordinal'); do
    rows=$(psql -d "$DB" -At -c "SELECT count(*) FROM casemis.import_report WHERE run_id = $RUN_ID AND report = '$report'")
    echo "--- $report ($rows rows)"
    csv=$(psql -d "$DB" -At -c "SELECT casemis.report_csv($RUN_ID, '$report')")
    printf '%s\n' "$csv" | tr -d '\r' | sed -n 1,6p
done

section "export_reports"
psql -d "$DB" -At -c "SELECT casemis.export_reports($RUN_ID, '$DIR/reports')"

section "the completion email (what office staff receive)"
psql -d "$DB" -At -c "SELECT 'email_status: ' || email_status FROM casemis.import_run WHERE run_id = $RUN_ID"
EML=$(ls "$DIR"/mail/*.eml | tail -n 1)
cp -- "$EML" "$DIR/reports/completion_email.eml"
/usr/bin/python3 "$DIR/mail_check.py" html "$EML" "$DIR/reports/completion_email.html"
/usr/bin/python3 "$DIR/mail_check.py" attachment "$EML" "CASEMIS_Reports_$RUN_ID.xlsx" \
    "$DIR/reports/CASEMIS_Reports_$RUN_ID.xlsx"
/usr/bin/python3 - "$EML" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print("Subject:", m["Subject"])
print("Parts:", ", ".join(p.get_content_type() + (" " + p.get_filename() if p.get_filename() else "")
                          for p in m.walk() if not p.is_multipart()))
print()
print(m.get_body(preferencelist=("plain",)).get_content())
PY
chown -R postgres:postgres "$DIR/reports"

echo
echo "Report files are in $DIR/reports; sample input files in $DIR/files."
echo "What office staff receive:"
echo "  the message:        $DIR/reports/completion_email.eml"
echo "  its HTML (browser): $DIR/reports/completion_email.html"
echo "  the workbook:       $DIR/reports/CASEMIS_Reports_$RUN_ID.xlsx"
