-- revert_run: import, import a changed pair, revert the second: cse and csv
-- equal, row for row, what they held before it (deleted services and inserted
-- students included). Refusals (a later overlapping run of any setting, a dry,
-- failed, reverted or revert run, an unknown id, history_retention), a revert
-- and an import of the same setting at once, a revert terminated mid-way, and
-- who may revert. Run ids vary with the tests before: they are printed as names.
SET client_min_messages = warning;
SET datestyle = ISO;
TRUNCATE casemis.cse, casemis.csv;   -- what earlier tests left (NotInFile counts them)
SELECT current_setting('casemis_test.root') AS root,
       current_setting('casemis_test.root') || '/scratch/revert_run' AS folder \gset
\setenv PGDATABASE :DBNAME
\setenv REVERT_DIR :folder
\! mkdir -p "$REVERT_DIR/other"
SET application_name = 'revert_caller';

INSERT INTO casemis.students VALUES
 (5001, '5000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (5002, '5000000002', 'Núñez', 'José', '2009-01-02', '04', 1),
 (5003, '5000000003', 'Lee', 'Kim', '2007-07-07', '06', 1),
 (5004, '5000000004', 'Brown', 'Ann', '2008-08-08', '05', 1),
 (5006, '5000000006', 'Old', 'Timer', '2005-01-01', '09', 1);
-- already there: a special-ed student no file names, and services of another year
INSERT INTO casemis.cse (student_id, disabilit1, last_updated) VALUES (5006, '240', '2016-01-01');
INSERT INTO casemis.csv (student_id, school_year, service, record) VALUES (5001, 2016, 'old-2016', '{}');
INSERT INTO casemis.import_settings (name, folder_path, school_year, time_zone)
VALUES ('rev', :'folder', 2017, 'America/Los_Angeles'),
       ('rev_other', :'folder' || '/other', 2017, 'America/Los_Angeles');
UPDATE casemis.import_settings SET email_to = '{office@district.example}',
       smtp_url = 'smtp://127.0.0.1:' || current_setting('casemis_test.smtp_port') WHERE name = 'rev';

-- the files: Table A rows (student, DISABILIT1, IN_REGCLS) and Table B rows (student, SERVICE)
CREATE TEMP TABLE a_rows (student_id bigint, disabilit1 text, in_regcls text);
CREATE TEMP TABLE b_rows (student_id bigint, service text);
CREATE FUNCTION pg_temp.write_files(dir text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$COPY (SELECT s.ssid AS "SSID", 'S-' || s.student_id AS "STUDENT_ID", s.last_name AS "LAST_NAME",
                               s.first_name AS "FIRST_NAME", to_char(s.birthdate, 'YYYYMMDD') AS "BIRTHDATE",
                               a.disabilit1 AS "DISABILIT1", a.in_regcls AS "IN_REGCLS"
                          FROM pg_temp.a_rows a JOIN casemis.students s USING (student_id) ORDER BY s.student_id)
                   TO %L WITH (FORMAT csv, HEADER)$q$, dir || '/tableA.csv');
  EXECUTE format($q$COPY (SELECT s.ssid AS "SSID", 'S-' || s.student_id AS "STUDENT_ID", b.service AS "SERVICE"
                          FROM pg_temp.b_rows b JOIN casemis.students s USING (student_id) ORDER BY s.student_id, b.service)
                   TO %L WITH (FORMAT csv, HEADER)$q$, dir || '/tableB.csv');
  TRUNCATE pg_temp.a_rows, pg_temp.b_rows;
END $$;
-- run ids by name, for the messages ("run 12" -> "run <second>"); the
-- header warnings of these small files are left out
CREATE TEMP TABLE runs (name text PRIMARY KEY, run_id bigint);
CREATE FUNCTION pg_temp.named(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  t := regexp_replace(t, ' Warnings: .*$', '');
  FOR r IN SELECT * FROM pg_temp.runs ORDER BY run_id DESC LOOP
    t := regexp_replace(t, '(run |run\()' || r.run_id || '\M', '\1<' || r.name || '>', 'g');
  END LOOP;
  RETURN t;
END $$;
CREATE FUNCTION pg_temp.name_of(id bigint) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce((SELECT '<' || name || '>' FROM pg_temp.runs WHERE run_id = id), id::text) $$;
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; hint text;
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN pg_temp.named(st || ': ' || msg || E'\nHINT: ' || hint);
END $$;
CREATE FUNCTION pg_temp.run(label text, id bigint)
RETURNS TABLE (name text, status text, trigger text, reverts text, message text) LANGUAGE sql AS $$
  INSERT INTO pg_temp.runs VALUES (label, id);
  SELECT label, r.status, r.trigger, pg_temp.name_of(r.revert_of), pg_temp.named(r.message)
    FROM casemis.import_run r WHERE r.run_id = id $$;
GRANT SELECT ON pg_temp.runs TO PUBLIC;  -- named() runs as the roles below too
-- cse and csv now against a snapshot: the rows only one side has
CREATE TEMP TABLE snap_cse AS SELECT * FROM casemis.cse WITH NO DATA;
CREATE TEMP TABLE snap_csv AS SELECT * FROM casemis.csv WITH NO DATA;
CREATE FUNCTION pg_temp.snapshot() RETURNS void LANGUAGE sql AS $$
  TRUNCATE pg_temp.snap_cse, pg_temp.snap_csv;
  INSERT INTO pg_temp.snap_cse SELECT * FROM casemis.cse;
  INSERT INTO pg_temp.snap_csv SELECT * FROM casemis.csv $$;
-- (whole rows compared; shown: the run that wrote the row, and its non-NULL values; a
-- last_updated that is the writing run's run_date, the day the test runs, reads <run_date>)
CREATE FUNCTION pg_temp.cse_values(x jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT jsonb_strip_nulls(CASE WHEN (x->>'last_updated')::date = r.run_date
                                THEN jsonb_set(x, '{last_updated}', '"<run_date>"') ELSE x END - 'last_run_id')::text
    FROM (SELECT 1) one LEFT JOIN casemis.import_run r ON r.run_id = (x->>'last_run_id')::bigint $$;
CREATE FUNCTION pg_temp.differences() RETURNS TABLE (tbl text, side text, student_id bigint, written_by text, row_values text)
LANGUAGE sql AS $$
  SELECT * FROM (
    (SELECT 'cse', 'now', x.student_id, pg_temp.name_of(x.last_run_id), pg_temp.cse_values(to_jsonb(x))
       FROM (SELECT * FROM casemis.cse EXCEPT ALL SELECT * FROM pg_temp.snap_cse) x)
    UNION ALL
    (SELECT 'cse', 'snapshot', x.student_id, pg_temp.name_of(x.last_run_id), pg_temp.cse_values(to_jsonb(x))
       FROM (SELECT * FROM pg_temp.snap_cse EXCEPT ALL SELECT * FROM casemis.cse) x)
    UNION ALL
    (SELECT 'csv', 'now', x.student_id, pg_temp.name_of(x.run_id), jsonb_strip_nulls(to_jsonb(x) - 'run_id')::text
       FROM (SELECT * FROM casemis.csv EXCEPT ALL SELECT * FROM pg_temp.snap_csv) x)
    UNION ALL
    (SELECT 'csv', 'snapshot', x.student_id, pg_temp.name_of(x.run_id), jsonb_strip_nulls(to_jsonb(x) - 'run_id')::text
       FROM (SELECT * FROM pg_temp.snap_csv EXCEPT ALL SELECT * FROM casemis.csv) x)) d
  ORDER BY 1, 2, 3, 5 $$;
\pset format unaligned

-- ---------------------------------------------------------------- import, import a changed pair, revert the second
-- run 1: 5001 with two services, 5002 with one, 5003 with one
INSERT INTO a_rows VALUES (5001, '240', '80'), (5002, '210', '50'), (5003, '250', NULL);
INSERT INTO b_rows VALUES (5001, '510'), (5001, '520'), (5002, '530'), (5003, '540');
SELECT pg_temp.write_files(:'folder');
SELECT * FROM pg_temp.run('first', casemis.casemis_import('rev'));
-- as if run 1 had been on an earlier day: the revert must put last_updated back too
UPDATE casemis.cse SET last_updated = '2017-01-15' WHERE student_id IN (5001, 5002);
SELECT pg_temp.snapshot();
SELECT count(*) AS cse_rows FROM casemis.cse;
SELECT count(*) AS csv_rows FROM casemis.csv;

-- run 2: 5001 changed and down to one service (520 deleted), 5002 the same,
-- 5004 new (inserted, with a service), 5003 not in the file
INSERT INTO a_rows VALUES (5001, '280', '10'), (5002, '210', '50'), (5004, '260', '70');
INSERT INTO b_rows VALUES (5001, '510'), (5004, '550');
SELECT pg_temp.write_files(:'folder');
SELECT * FROM pg_temp.run('second', casemis.casemis_import('rev'));
-- what it changed (against the snapshot)
SELECT * FROM pg_temp.differences();
SELECT count(*) AS history_cse, (SELECT count(*) FROM casemis.run_history_csv h WHERE h.run_id = (SELECT run_id FROM runs WHERE name = 'second')) AS history_csv
  FROM casemis.run_history_cse h WHERE h.run_id = (SELECT run_id FROM runs WHERE name = 'second');

SELECT * FROM pg_temp.run('revert_second', casemis.revert_run((SELECT run_id FROM runs WHERE name = 'second')));
SELECT status FROM casemis.import_run WHERE run_id = (SELECT run_id FROM runs WHERE name = 'second');
-- the revert is emailed like a run: its subject says so, its body says what it undid
SELECT r.email_status,
       position('revert succeeded' IN m) > 0 AS subject,
       position('reverted run ' IN m) > 0 AS body,
       position('a revert reads no files' IN m) > 0 AS no_files
  FROM casemis.import_run r,
       LATERAL (SELECT replace(pg_read_file(format('%s/mail/%s.eml', current_setting('casemis_test.root'), lpad(count(*)::text, 4, '0'))),
                               E'=\r\n', '') AS m
                  FROM pg_ls_dir(current_setting('casemis_test.root') || '/mail') AS f WHERE f ~ '^[0-9]+\.eml$') x
 WHERE r.run_id = (SELECT run_id FROM runs WHERE name = 'revert_second');
-- cse and csv hold exactly what they held before run 2
SELECT * FROM pg_temp.differences();
-- the reverted run no longer counts: the last successful run is run 1 again
SELECT pg_temp.name_of(casemis._last_successful_run('rev')) AS last_successful;
-- and the same files as run 2 are imported again, without force
SELECT * FROM pg_temp.run('second_again', casemis.casemis_import('rev'));

-- ---------------------------------------------------------------- a later run of any setting
-- rev_other writes 5004, which second_again inserted: reverting second_again is refused
INSERT INTO a_rows VALUES (5004, '290', NULL);
SELECT pg_temp.write_files(:'folder' || '/other');
SELECT * FROM pg_temp.run('other', casemis.casemis_import('rev_other'));
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', (SELECT run_id FROM runs WHERE name = 'second_again'))) AS refused;
-- newest first: revert the other setting's run, then second_again
SELECT * FROM pg_temp.run('revert_other', casemis.revert_run((SELECT run_id FROM runs WHERE name = 'other')));
SELECT * FROM pg_temp.run('revert_second_again', casemis.revert_run((SELECT run_id FROM runs WHERE name = 'second_again')));
SELECT * FROM pg_temp.differences();
-- a later run that updated a row the run updated: refused too
SELECT * FROM pg_temp.run('third', casemis.casemis_import('rev', force => true));
SELECT * FROM pg_temp.run('third_again', casemis.casemis_import('rev', force => true));
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', (SELECT run_id FROM runs WHERE name = 'third'))) AS refused;

-- ---------------------------------------------------------------- what cannot be reverted
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', (SELECT run_id FROM runs WHERE name = 'second'))) AS already_reverted;
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', (SELECT run_id FROM runs WHERE name = 'revert_second'))) AS a_revert;
SELECT * FROM pg_temp.run('dry', casemis.casemis_import('rev', dry_run => true, force => true));
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', (SELECT run_id FROM runs WHERE name = 'dry'))) AS dry_run;
UPDATE casemis.import_settings SET students_file = 'missing.csv' WHERE name = 'rev';
SET client_min_messages = error;  -- the WARNING names the run
SELECT name, status FROM pg_temp.run('failed', casemis.casemis_import('rev'));
SET client_min_messages = warning;
UPDATE casemis.import_settings SET students_file = 'tableA.csv' WHERE name = 'rev';
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', (SELECT run_id FROM runs WHERE name = 'failed'))) AS failed_run;
SELECT pg_temp.try('SELECT casemis.revert_run(-1)') AS unknown_id;
SELECT casemis.revert_run(NULL) IS NULL AS null_is_null;
-- past history_retention (the run made to look three years old)
UPDATE casemis.import_run SET started_at = started_at - interval '3 years'
 WHERE run_id = (SELECT run_id FROM runs WHERE name = 'third_again');
SELECT regexp_replace(pg_temp.try(format('SELECT casemis.revert_run(%s)', (SELECT run_id FROM runs WHERE name = 'third_again'))),
                      'started on [0-9-]+', 'started on DATE') AS too_old;
UPDATE casemis.import_run SET started_at = started_at + interval '3 years'
 WHERE run_id = (SELECT run_id FROM runs WHERE name = 'third_again');
SELECT count(*) AS refusals_recorded_no_run FROM casemis.import_run WHERE trigger = 'revert' AND status <> 'succeeded';

-- ---------------------------------------------------------------- a revert and an import of the same setting at once
-- another session holds off writers of cse (SHARE: reads go on), so an import
-- of 'rev' waits mid-run, holding the setting's lock; the revert started
-- meanwhile does not run at the same time (it is skipped, or waits) and the
-- import, once let go, is applied whole
SELECT pg_temp.snapshot();
\! psql -X -q -c "SET application_name = 'revert_lock_holder'" -c "BEGIN" -c "LOCK casemis.cse IN SHARE MODE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
CREATE FUNCTION pg_temp.wait_for(app text, want int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..400 LOOP
    IF (SELECT count(*) FROM pg_stat_activity a WHERE a.application_name = app AND a.state <> 'idle') = want THEN
      RETURN true;
    END IF;
    PERFORM pg_sleep(0.05);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
  RETURN false;
END $$;
SELECT pg_temp.wait_for('revert_lock_holder', 1) AS lock_held;
\! psql -X -q -c "SET application_name = 'revert_importer'" -c "SELECT casemis.casemis_import('rev', force => true)" >/dev/null 2>&1 &
\! sh test/wait_for_lock_wait.sh
INSERT INTO runs SELECT 'import_meanwhile', r.run_id FROM casemis.import_run r
 WHERE r.settings_name = 'rev' AND r.status = 'running';
SELECT * FROM pg_temp.run('revert_meanwhile', casemis.revert_run((SELECT run_id FROM runs WHERE name = 'third_again')));
SELECT pg_terminate_backend(pid) AS lock_holder_gone FROM pg_stat_activity WHERE application_name = 'revert_lock_holder';
SELECT pg_temp.wait_for('revert_importer', 0) AS import_done;
SELECT r.status, r.trigger, pg_temp.named(r.message) AS message FROM casemis.import_run r
 WHERE r.run_id = (SELECT run_id FROM runs WHERE name = 'import_meanwhile');
-- the import applied whole: third_again's rows are now stamped with it
SELECT count(*) FILTER (WHERE last_run_id = (SELECT run_id FROM runs WHERE name = 'import_meanwhile')) AS stamped,
       count(*) AS cse_rows FROM casemis.cse;
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', (SELECT run_id FROM runs WHERE name = 'third_again'))) AS refused;

-- ---------------------------------------------------------------- a revert terminated mid-way
-- the revert waits for csv (held by another session) after it has put cse
-- back; its worker is terminated there: cse and csv are as before
SELECT pg_temp.snapshot();
\! psql -X -q -c "SET application_name = 'revert_lock_holder'" -c "BEGIN" -c "LOCK casemis.csv IN SHARE MODE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
SELECT pg_temp.wait_for('revert_lock_holder', 1) AS lock_held;
\! (sh test/wait_for_lock_wait.sh; psql -X -q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'casemis_import' AND datname = current_database()") >/dev/null 2>&1 &
SET client_min_messages = error;  -- the WARNING names the run
SELECT casemis.revert_run((SELECT run_id FROM runs WHERE name = 'import_meanwhile')) AS killed \gset
SET client_min_messages = warning;
SELECT pg_terminate_backend(pid) AS lock_holder_gone FROM pg_stat_activity WHERE application_name = 'revert_lock_holder';
SELECT count(*) AS interrupted FROM casemis.status WHERE name = 'rev';
SELECT status, trigger, message FROM casemis.import_run WHERE run_id = :killed;
SELECT * FROM pg_temp.differences();
SELECT status FROM casemis.import_run WHERE run_id = (SELECT run_id FROM runs WHERE name = 'import_meanwhile');

-- ---------------------------------------------------------------- who may revert
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('casemis_t_rev_nobody', 'casemis_t_rev_half',
                                                          'casemis_t_rev_alice', 'casemis_t_rev_operators') LOOP
    EXECUTE format('DROP OWNED BY %I CASCADE', r);
    EXECUTE format('DROP ROLE %I', r);
  END LOOP;
END $$;
CREATE ROLE casemis_t_rev_nobody LOGIN;
GRANT USAGE ON SCHEMA casemis TO casemis_t_rev_nobody;
CREATE ROLE casemis_t_rev_half LOGIN;   -- revert_run, but may not run imports
GRANT USAGE ON SCHEMA casemis TO casemis_t_rev_half;
GRANT EXECUTE ON FUNCTION casemis.revert_run(bigint) TO casemis_t_rev_half;
-- the operator role of docs/operator_role.sql (run by psql, so that its text is not echoed here)
\! psql -X -q -v ON_ERROR_STOP=1 -v operator=casemis_t_rev_operators -f docs/operator_role.sql >/dev/null
CREATE ROLE casemis_t_rev_alice LOGIN IN ROLE casemis_t_rev_operators;
SELECT run_id AS target FROM runs WHERE name = 'import_meanwhile' \gset
SET ROLE casemis_t_rev_nobody;
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', :target)) AS nobody;
SET ROLE casemis_t_rev_half;
SELECT pg_temp.try(format('SELECT casemis.revert_run(%s)', :target)) AS not_an_importer;
SET ROLE casemis_t_rev_alice;
SELECT casemis.revert_run(:target) AS by_operator \gset
RESET ROLE;
SELECT * FROM pg_temp.run('revert_by_operator', :by_operator);
SELECT run_by FROM casemis.import_run WHERE run_id = :by_operator;
-- the server-log line of a revert run names its trigger, as import_run.trigger does
SELECT x.m[1] AS revert_log_trigger
  FROM regexp_matches(pg_read_file(current_setting('casemis_test.root') || '/pg/server.log'),
                      'casemis_import run ' || (SELECT run_id FROM runs WHERE name = 'revert_second') ||
                      ' of setting "[^"]*" \(([a-z]+)', 'g') WITH ORDINALITY AS x(m, n)
 ORDER BY x.n DESC LIMIT 1;
\pset format aligned

-- the revert's bulk statements never plan nested loops: cse's statistics
-- seldom know the reverted run's last_run_id, and a nested loop anti join over
-- the stamp table, planned for "one row", scanned it once per cse row
SELECT 'enable_nestloop=off' = ANY (proconfig) AS revert_apply_without_nested_loops
  FROM pg_proc WHERE oid = 'casemis._revert_apply(bigint)'::regprocedure;

-- clean up for the next tests
\! rm -rf "$REVERT_DIR"
DROP OWNED BY casemis_t_rev_nobody, casemis_t_rev_half, casemis_t_rev_alice, casemis_t_rev_operators;
DROP ROLE casemis_t_rev_nobody, casemis_t_rev_half, casemis_t_rev_alice, casemis_t_rev_operators;
DELETE FROM casemis.import_settings WHERE name IN ('rev', 'rev_other');
TRUNCATE casemis.students, casemis.cse, casemis.csv;
