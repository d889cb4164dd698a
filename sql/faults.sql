-- faults: a run that is canceled, timed out, terminated, or blocked by its own
-- caller. Each run is made to last by a lock: another session (or the caller
-- itself) holds casemis.cse, so the run waits in the middle of its work, after
-- its files are fetched and spooled. After each fault: the run's row says what
-- happened (never stuck at 'running'), cse/csv are as before, no spool file is
-- left behind, and the server and this session live on. (kill -9 of a run's
-- worker restarts the server, so it is in test/faults.sh.)
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') AS root \gset
\setenv PGDATABASE :DBNAME
\setenv CASEMIS_SCRATCH :root/scratch
SET application_name = 'faults_caller';
INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1002, '1000000002', 'Núñez', 'José', '2009-01-02', '04', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1);
INSERT INTO casemis.import_settings (name, folder_path, school_year)
VALUES ('faults', :'root' || '/fixtures/basic', 2017);
SELECT casemis.casemis_import('faults') AS run \gset
SELECT status, type_a_imported, type_b_imported FROM casemis.import_run WHERE run_id = :run;

CREATE TEMP TABLE snap AS
SELECT (SELECT md5(string_agg(c::text, ',' ORDER BY student_id)) FROM casemis.cse c) AS cse,
       (SELECT md5(string_agg(c::text, ',' ORDER BY c::text)) FROM casemis.csv c) AS csv,
       pg_postmaster_start_time() AS started;
-- cse/csv as before, no spool file left, the server not restarted
CREATE VIEW pg_temp.unharmed AS
SELECT s.cse = (SELECT md5(string_agg(c::text, ',' ORDER BY student_id)) FROM casemis.cse c) AS cse_same,
       s.csv = (SELECT md5(string_agg(c::text, ',' ORDER BY c::text)) FROM casemis.csv c) AS csv_same,
       (SELECT count(*) FROM pg_ls_tmpdir() WHERE name LIKE 'pgsql_tmp_casemis%') AS spool_files,
       s.started = pg_postmaster_start_time() AS no_restart
  FROM snap s;
-- the latest run of the setting, once it has an outcome (its worker records
-- it after the caller has returned)
CREATE FUNCTION pg_temp.outcome() RETURNS TABLE (status text, message text) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..200 LOOP
    EXIT WHEN (SELECT r.status <> 'running' FROM casemis.import_run r
                WHERE r.settings_name = 'faults' ORDER BY r.run_id DESC LIMIT 1);
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN QUERY SELECT r.status, regexp_replace(r.message, 'pid \d+', 'pid N') FROM casemis.import_run r
                WHERE r.settings_name = 'faults' ORDER BY r.run_id DESC LIMIT 1;
END $$;
-- another session takes casemis.cse and keeps it (at most 60 s) until terminated;
-- while it does, this session must not read cse either. The background shells
-- below act once the run waits for it (test/wait_for_lock_wait.sh).
CREATE FUNCTION pg_temp.wait_for_lock_holder() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..200 LOOP
    IF EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE a.application_name = 'faults_lock_holder' AND l.relation = 'casemis.cse'::regclass
                  AND l.granted AND l.mode = 'AccessExclusiveLock') THEN
      RETURN true;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN false;
END $$;

-- ---------------------------------------------------------------- statement_timeout
\! psql -X -q -c "SET application_name = 'faults_lock_holder'" -c "BEGIN" -c "LOCK casemis.cse" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
SELECT pg_temp.wait_for_lock_holder() AS lock_held;
SET statement_timeout = '1s';
SELECT casemis.casemis_import('faults', force => true);
RESET statement_timeout;
SELECT * FROM pg_temp.outcome();

-- ---------------------------------------------------------------- pg_cancel_backend
\! (sh test/wait_for_lock_wait.sh; psql -X -q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'faults_caller'") >/dev/null 2>&1 &
SELECT casemis.casemis_import('faults', force => true);
SELECT * FROM pg_temp.outcome();

-- ---------------------------------------------------------------- the worker terminated
-- pg_terminate_backend of the run's worker (found by its backend_type): the
-- caller is told, the run is marked 'interrupted' by the next look at
-- casemis.status, and the worker's spool copies are gone with it
\! (sh test/wait_for_lock_wait.sh; psql -X -At -c "SELECT count(*) FROM pg_ls_tmpdir() WHERE name LIKE 'pgsql_tmp_casemis%'" >"$CASEMIS_SCRATCH/faults_spool_before"; psql -X -q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'casemis_import' AND datname = current_database()") >/dev/null 2>&1 &
SET client_min_messages = error;  -- the relayed FATAL names the query the worker waited in
SELECT casemis.casemis_import('faults', force => true) AS run \gset
SET client_min_messages = warning;
SELECT pg_read_file(:'root' || '/scratch/faults_spool_before')::int AS spool_files_while_running;
SELECT status FROM casemis.import_run WHERE run_id = :run;
SELECT last_status FROM casemis.status WHERE name = 'faults';
SELECT status, message FROM casemis.import_run WHERE run_id = :run;
-- (the lock holder is let go only now: unharmed reads cse)
SELECT pg_terminate_backend(pid) AS lock_holder_gone FROM pg_stat_activity WHERE application_name = 'faults_lock_holder';
SELECT * FROM pg_temp.unharmed;

-- ---------------------------------------------------------------- the caller holds what the run needs
-- a run waits for the caller's own locks, and the caller for the run: the
-- caller notices (within a second), says so, and cancels the run
\set VERBOSITY terse
BEGIN;
TRUNCATE casemis.cse;
SELECT casemis.casemis_import('faults', force => true);
ROLLBACK;
SELECT * FROM pg_temp.outcome();
BEGIN;
UPDATE casemis.cse SET grade = 'hand-edited' WHERE student_id = 1001;
SELECT casemis.casemis_import('faults', force => true);
ROLLBACK;
SELECT * FROM pg_temp.outcome();
BEGIN;
LOCK casemis.import_report IN SHARE MODE;
SELECT casemis.casemis_import('faults', force => true);
ROLLBACK;
SELECT * FROM pg_temp.outcome();
\set VERBOSITY default
SELECT * FROM pg_temp.unharmed;
-- locks that do not conflict are fine: the run goes through
BEGIN;
SELECT count(*) AS cse_rows FROM casemis.cse;
SELECT casemis.casemis_import('faults', force => true) AS run \gset
COMMIT;
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
SELECT 1 AS backend_alive;

\! rm -f "$CASEMIS_SCRATCH/faults_spool_before"
DELETE FROM casemis.import_settings WHERE name = 'faults';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
