-- dba_sees: what a DBA sees of every run, not only in import_run (README:
-- "Runs, logs and wrappers"): time zones, hints, the server-log line, a failed
-- run's files, export_reports' refusal, check_run for shell wrappers, the
-- NOTICEs a caller gets, COMMENTs.
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') AS root,
       current_setting('casemis_test.root') || '/scratch/dba_sees' AS dir,
       current_setting('casemis_test.smtp_port') AS smtp_port \gset
\setenv DBA_DIR :dir
\setenv PGDATABASE :DBNAME
\! mkdir -p "$DBA_DIR/in"
\! printf 'SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE,DISABILIT1\n1000000001,S-1,Garcia,Maria,20080514,240\n' > "$DBA_DIR/in/tableA.csv"
INSERT INTO casemis.students VALUES (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1);
-- run ids depend on the tests before: N
CREATE FUNCTION pg_temp.norm(t text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(replace(t, current_setting('casemis_test.root'), '<root>'),
                        '(run|[Rr]un_id =) [0-9]+', '\1 N', 'g') $$;
-- a statement's error: message, detail and hint, normalized
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  m text; d text; h text;
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RETURN pg_temp.norm(SQLSTATE || ': ' || m || coalesce(E'\nDETAIL: ' || nullif(d, ''), '')
                      || coalesce(E'\nHINT: ' || nullif(h, ''), ''));
END $$;

-- ---------------------------------------------------------------- time_zone
-- region names case-insensitively, stored as PostgreSQL spells them
INSERT INTO casemis.import_settings (name, folder_path, include_services, school_year, time_zone)
VALUES ('dba_ok', :'dir' || '/in', false, 2017, 'america/los_angeles') RETURNING time_zone;
UPDATE casemis.import_settings SET time_zone = 'UTC' WHERE name = 'dba_ok' RETURNING time_zone;
UPDATE casemis.import_settings SET time_zone = ' us/pacific ' WHERE name = 'dba_ok' RETURNING time_zone;
-- fixed-offset abbreviations are refused with a hint; unknown names too
UPDATE casemis.import_settings SET time_zone = 'PST' WHERE name = 'dba_ok';
UPDATE casemis.import_settings SET time_zone = 'pdt' WHERE name = 'dba_ok';
UPDATE casemis.import_settings SET time_zone = 'Pacific' WHERE name = 'dba_ok';
UPDATE casemis.import_settings SET time_zone = 'America/Los_Angeles' WHERE name = 'dba_ok';
-- other columns change without a look at the zone
UPDATE casemis.import_settings SET school_year = 2017 WHERE name = 'dba_ok' RETURNING time_zone;

-- ---------------------------------------------------------------- unknown setting
-- a typo: the HINT lists the settings that exist
SELECT casemis.casemis_import('dba_okk');

-- ---------------------------------------------------------------- a good run, then the same files
SELECT casemis.casemis_import('dba_ok') AS ok_run \gset
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :ok_run;
-- an unchanged dry run is advised to stay a dry run
SELECT casemis.casemis_import('dba_ok', dry_run => true) AS unchanged_dry \gset
\pset format unaligned
SELECT status, pg_temp.norm(message) AS message FROM casemis.import_run WHERE run_id = :unchanged_dry;
\pset format aligned

-- dry-run NOTICEs say "would"; a call inside a transaction block is told
-- that ROLLBACK will not undo the run (the client's output, timings cut)
\! psql -X -q -c "BEGIN" -c "SELECT casemis.casemis_import('dba_ok', dry_run => true, force => true)" -c "ROLLBACK" >"$DBA_DIR/client.txt" 2>&1
SELECT regexp_replace(l, ' in [0-9.]+ s.*$', '') AS client_says
  FROM regexp_split_to_table(pg_read_file(:'dir' || '/client.txt'), E'\n') AS l
 WHERE l ~ '(transaction|HINT|dry run)' AND l !~ 'run [0-9]+ dry_run';

-- ---------------------------------------------------------------- the server log: one line per run
-- LOG for a good run, WARNING for a failed one, with id, setting, trigger, status, counts
-- (the log keeps earlier test runs' lines, whose ids repeat: the last one is this run's)
CREATE FUNCTION pg_temp.log_line(run bigint) RETURNS text LANGUAGE sql AS $$
  SELECT pg_temp.norm(x.m[1])
    FROM regexp_matches(pg_read_file(current_setting('casemis_test.root') || '/pg/server.log'),
                        '((?:LOG|WARNING):  casemis_import run ' || run || ' of setting [^\n]*)', 'g')
         WITH ORDINALITY AS x(m, n)
   ORDER BY x.n DESC LIMIT 1 $$;
-- the HINT that follows a failed run's log line
CREATE FUNCTION pg_temp.log_hint(run bigint) RETURNS text LANGUAGE sql AS $$
  SELECT x.m[1]
    FROM regexp_matches(pg_read_file(current_setting('casemis_test.root') || '/pg/server.log'),
                        'WARNING:  casemis_import run ' || run || ' of setting [^\n]*\n[^\n]*HINT:  ([^\n]*)', 'g')
         WITH ORDINALITY AS x(m, n)
   ORDER BY x.n DESC LIMIT 1 $$;
SELECT pg_temp.log_line(:ok_run);
SELECT pg_temp.log_line(:unchanged_dry);

-- ---------------------------------------------------------------- a folder that does not exist
INSERT INTO casemis.import_settings (name, folder_path, include_services, time_zone)
VALUES ('dba_nofolder', :'dir' || '/no_such_folder', false, 'America/Los_Angeles');
SET client_min_messages = error;   -- the WARNING names the test root
SELECT casemis.casemis_import('dba_nofolder') AS nofolder_run \gset
SET client_min_messages = warning;
-- the reason in message, the advice in hint (not pasted into the message), also in the log line's HINT
SELECT status, errcode, pg_temp.norm(message) AS message, hint FROM casemis.import_run WHERE run_id = :nofolder_run;
SELECT pg_temp.log_line(:nofolder_run);
SELECT pg_temp.log_hint(:nofolder_run);
-- ... and in the caller's WARNING
\! psql -X -q -c "SELECT casemis.casemis_import('dba_nofolder')" 2>&1 >/dev/null | grep '^HINT' >"$DBA_DIR/caller.txt"
SELECT pg_read_file(:'dir' || '/caller.txt') AS caller_sees;

-- export_reports refuses a run that is neither succeeded nor dry_run, naming its status
\pset format unaligned
SELECT pg_temp.try(format('SELECT casemis.export_reports(%s, %L)', :nofolder_run, :'root' || '/export')) AS failed_run;
SELECT pg_temp.try(format('SELECT casemis.export_reports(%s, %L)', :unchanged_dry, :'root' || '/export')) AS unchanged_run;
\pset format aligned
SELECT count(*) AS exported FROM casemis.export_reports(:ok_run, :'root' || '/export');

-- ---------------------------------------------------------------- check_run, for shell and cron wrappers
SELECT casemis.check_run(:ok_run) = :ok_run AS ok_returns_its_id;
SELECT casemis.check_run(:unchanged_dry) = :unchanged_dry AS unchanged_is_no_failure;
\pset format unaligned
SELECT pg_temp.try(format('SELECT casemis.check_run(%s)', :nofolder_run)) AS failed_run;
\pset format aligned
-- a real psql's exit status: 1 for a failed run, 0 for a good one
\! psql -X -q -c "SELECT casemis.check_run(casemis.casemis_import('dba_nofolder'))" >/dev/null 2>&1; echo "failed run: psql exit status $?" >"$DBA_DIR/exit.txt"
\! psql -X -q -c "SELECT casemis.check_run(casemis.casemis_import('dba_ok', force => true))" >/dev/null 2>&1; echo "good run: psql exit status $?" >>"$DBA_DIR/exit.txt"
SELECT pg_read_file(:'dir' || '/exit.txt') AS exit_status;

-- ---------------------------------------------------------------- a run that failed after fetching
-- keeps its file's name, size and SHA-256 (outside its rolled-back transaction), and its email lists them
INSERT INTO casemis.import_settings (name, folder_path, include_services, time_zone, email_to, smtp_url)
VALUES ('dba_badkey', :'root' || '/fixtures/badkey', false, 'America/Los_Angeles', '{dba@district.example}',
        'smtp://127.0.0.1:' || :'smtp_port');
SET client_min_messages = error;   -- its WARNING names the run id
SELECT casemis.casemis_import('dba_badkey') AS badkey_run \gset
SET client_min_messages = warning;
SELECT status, students_file, students_size, students_sha256, email_status FROM casemis.import_run WHERE run_id = :badkey_run;
SELECT position(r.students_sha256 IN replace(pg_read_file(:'root' || '/mail/' || m.f), E'=\r\n', '')) > 0 AS email_lists_sha256,
       replace(pg_read_file(:'root' || '/mail/' || m.f), E'=\r\n', '') ~ 'tableA\.csv, [0-9]+ bytes' AS email_lists_file
  FROM casemis.import_run r,
       LATERAL (SELECT f FROM pg_ls_dir(:'root' || '/mail') AS f WHERE f ~ '^[0-9]+\.eml$' ORDER BY f DESC LIMIT 1) m
 WHERE r.run_id = :badkey_run;

-- ---------------------------------------------------------------- uploads
-- the same file as Table A and Table B says so (both SHA-256 equal)
\pset format unaligned
SET client_min_messages = error;   -- its WARNING names the run id
SELECT casemis.casemis_import_files(pg_read_binary_file(:'dir' || '/in/tableA.csv'),
                                    pg_read_binary_file(:'dir' || '/in/tableA.csv'), 'dba_ok', dry_run => true) AS same_run \gset
SET client_min_messages = warning;
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :same_run;
\pset format aligned
-- notify => with no mail server configured is not silent
SELECT casemis.casemis_import_files(pg_read_binary_file(:'dir' || '/in/tableA.csv'), NULL, 'dba_ok',
                                    notify => 'me@district.example', dry_run => true) AS notify_run \gset
SELECT status, email_status FROM casemis.import_run WHERE run_id = :notify_run;

-- ---------------------------------------------------------------- the runs view
SELECT status, trigger, duration >= '0' AS has_duration, type_a_imported, files
  FROM casemis.runs WHERE run_id IN (:ok_run, :badkey_run) ORDER BY run_id;

-- ---------------------------------------------------------------- COMMENTs
-- the schema, and every column a DBA sets or reads: none without a COMMENT
SELECT obj_description('casemis'::regnamespace, 'pg_namespace') IS NOT NULL AS schema_has_comment;
SELECT c.relname, a.attname AS column_without_comment
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'casemis'::regnamespace
   AND c.relname IN ('import_settings', 'import_run', 'runs', 'status', 'students', 'school_calendar', 'import_report')
   AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
 ORDER BY 1, 2;
SELECT c.relname AS table_without_comment FROM pg_class c
 WHERE c.relnamespace = 'casemis'::regnamespace AND c.relkind IN ('r', 'v') AND obj_description(c.oid, 'pg_class') IS NULL
 ORDER BY 1;

-- clean up for the next tests
\! rm -rf "$DBA_DIR"
DELETE FROM casemis.import_settings WHERE name LIKE 'dba\_%';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
