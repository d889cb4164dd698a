-- security: the attacks that found the holes of 0.1.0 (README.md, "Security"),
-- made again as they were made; each fails on 0.1.0.
--  1. a roster view whose WHERE calls its owner's function, and a roster column
--     of the owner's type with the owner's cast to text: run by a superuser by
--     hand, the owner's code runs with the owner's rights only
--  2. a redirected destination clears its secret; a password never goes out
--     without TLS; smtp_url carries no userinfo (a hostile SMTP listener
--     records what it receives); the SFTP password never reaches a new host
--  3. a session holding the old advisory-lock keys stops nothing; a held lock
--     row makes a run wait lock_timeout, then fail saying why
--  4. export_reports never writes through a planted symbolic link
-- (The scheduled side of 1 and the restored copy: sql/security_schedule.sql.)
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') AS root,
       current_setting('casemis_test.sftp_port') AS sftp_port \gset
\setenv PGDATABASE :DBNAME
\setenv CASEMIS_ROOT :root
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('casemis_t_eve', 'casemis_t_op') LOOP
    EXECUTE format('DROP OWNED BY %I', r);
    EXECUTE format('DROP ROLE %I', r);
  END LOOP;
END $$;
DROP SCHEMA IF EXISTS eve CASCADE;
INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1002, '1000000002', 'Núñez', 'José', '2009-01-02', '04', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1);
INSERT INTO casemis.import_settings (name, folder_path, school_year, include_services)
VALUES ('sec', :'root' || '/fixtures/basic', 2017, false);
-- (a failed run's WARNING names its run id: the runs' rows are shown instead)
SET client_min_messages = error;

-- ---------------------------------------------------------------- 1. the roster's owner
-- eve owns a roster view and a roster table; her function and her cast try to
-- make her superuser, and record whose rights they run with.
CREATE ROLE casemis_t_eve LOGIN;
CREATE SCHEMA eve AUTHORIZATION casemis_t_eve;
GRANT USAGE ON SCHEMA casemis TO casemis_t_eve;
GRANT SELECT ON casemis.students TO casemis_t_eve;
SET ROLE casemis_t_eve;
CREATE TABLE eve.calls (what text, run_as text, is_superuser boolean);
CREATE FUNCTION eve.promote(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eve.calls VALUES (what, current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user));
  BEGIN
    EXECUTE 'ALTER ROLE casemis_t_eve SUPERUSER';
  EXCEPTION WHEN insufficient_privilege THEN
    NULL;
  END;
  RETURN true;
END $$;
CREATE VIEW eve.roster AS SELECT s.* FROM casemis.students s WHERE eve.promote('view');
-- her own type, whose cast to text is her function
CREATE TYPE eve.code AS (v text);
CREATE FUNCTION eve.code_text(c eve.code) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM eve.promote('cast');
  RETURN c.v;
END $$;
CREATE CAST (eve.code AS text) WITH FUNCTION eve.code_text(eve.code);
CREATE TABLE eve.roster_t (student_id bigint, ssid eve.code, last_name text, first_name text,
                           birthdate date, grade text, school_code int);
INSERT INTO eve.roster_t SELECT student_id, ROW(ssid)::eve.code, last_name, first_name, birthdate, grade, school_code
  FROM (VALUES (1001, '1000000001', 'Garcia', 'Maria', date '2008-05-14', '05', 1)) AS v(student_id, ssid, last_name,
        first_name, birthdate, grade, school_code);
RESET ROLE;
-- a superuser DBA runs the import by hand, with eve's view as the roster
UPDATE casemis.import_settings SET student_relation = 'eve.roster' WHERE name = 'sec';
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT status, type_a_imported, run_by = current_user AS run_for_the_caller FROM casemis.import_run WHERE run_id = :run;
SELECT what, run_as, is_superuser FROM eve.calls GROUP BY 1, 2, 3 ORDER BY 1, 2;
SELECT rolsuper AS eve_is_superuser FROM pg_roles WHERE rolname = 'casemis_t_eve';
-- the table with her type: the roster copy's cast to text runs as eve
TRUNCATE eve.calls;
UPDATE casemis.import_settings SET student_relation = 'eve.roster_t' WHERE name = 'sec';
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
SELECT what, run_as, is_superuser FROM eve.calls GROUP BY 1, 2, 3 ORDER BY 1, 2;
SELECT rolsuper AS eve_is_superuser FROM pg_roles WHERE rolname = 'casemis_t_eve';
-- the role the run is for must still be allowed to SELECT it
CREATE ROLE casemis_t_op LOGIN;
GRANT USAGE ON SCHEMA casemis TO casemis_t_op;
GRANT SELECT, UPDATE ON casemis.import_settings TO casemis_t_op;
GRANT SELECT ON casemis.import_run TO casemis_t_op;
GRANT EXECUTE ON FUNCTION casemis.casemis_import(text, boolean, boolean) TO casemis_t_op;
\! psql -X -q -At -U casemis_t_op -c "SET client_min_messages = error" -c "SELECT casemis.casemis_import('sec', force => true) > 0 AS ran" 2>&1
SELECT status, run_by, message, hint FROM casemis.import_run ORDER BY run_id DESC LIMIT 1;
UPDATE casemis.import_settings SET student_relation = 'casemis.students' WHERE name = 'sec';

-- ---------------------------------------------------------------- 2. secrets follow no redirection
-- smtp_url carries no user or password
SELECT current_setting('casemis_test.smtp_port') AS smtp_port \gset
UPDATE casemis.import_settings SET smtp_url = 'smtp://u:pw@127.0.0.1:' || :smtp_port WHERE name = 'sec';
-- a DBA (superuser) configures the mail server with a password
UPDATE casemis.import_settings
   SET smtp_url = 'smtp://127.0.0.1:' || :smtp_port, smtp_user = 'office', smtp_password = 'mail-S3cret',
       email_to = '{sped@district.example}'
 WHERE name = 'sec';
SELECT smtp_password IS NOT NULL AS has_password, cleared_secrets FROM casemis.import_settings WHERE name = 'sec';
-- the hostile listener: offers AUTH, no STARTTLS, records every line
\! rm -f "$CASEMIS_ROOT/scratch/fake_smtp.log" "$CASEMIS_ROOT/scratch/fake_smtp.port"; (/usr/bin/python3 test/fake_smtp.py "$CASEMIS_ROOT/scratch/fake_smtp.log" "$CASEMIS_ROOT/scratch/fake_smtp.port" 60 &) >/dev/null 2>&1
DO $$BEGIN
  FOR i IN 1..100 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_ls_dir(current_setting('casemis_test.root') || '/scratch') f WHERE f = 'fake_smtp.port');
    PERFORM pg_sleep(0.1);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
END $$;
SELECT pg_read_file(:'root' || '/scratch/fake_smtp.port') AS fake_port \gset
-- an operator allowed to UPDATE settings points smtp_url at it: the password is cleared
\! psql -X -q -U casemis_t_op -c "UPDATE casemis.import_settings SET smtp_url = 'smtp://127.0.0.1:$(cat $CASEMIS_ROOT/scratch/fake_smtp.port)' WHERE name = 'sec'" 2>&1 | sed -e 's/[0-9]\{4,5\}/PORT/'
SELECT smtp_password IS NULL AS password_cleared, cleared_secrets FROM casemis.import_settings WHERE name = 'sec';
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT status, regexp_replace(email_status, 'resend_email\(\d+\)', 'resend_email(RUN)') AS email_status
  FROM casemis.import_run WHERE run_id = :run;
-- the same with smtp_user
UPDATE casemis.import_settings SET smtp_url = 'smtp://127.0.0.1:' || :smtp_port, smtp_password = 'mail-S3cret' WHERE name = 'sec';
\! psql -X -q -U casemis_t_op -c "UPDATE casemis.import_settings SET smtp_user = 'eve' WHERE name = 'sec'" 2>&1 | head -1
SELECT smtp_password IS NULL AS password_cleared, cleared_secrets FROM casemis.import_settings WHERE name = 'sec';
-- setting it again in the same statement (to the same value, too) keeps it
\! psql -X -q -U casemis_t_op -c "UPDATE casemis.import_settings SET smtp_user = 'office', smtp_password = 'mail-S3cret' WHERE name = 'sec'"
SELECT smtp_password = 'mail-S3cret' AS password_kept, cleared_secrets FROM casemis.import_settings WHERE name = 'sec';
-- a superuser's change keeps it: then the listener gets a connection, but the
-- password never goes out without TLS (it offers no STARTTLS)
UPDATE casemis.import_settings SET smtp_url = 'smtp://127.0.0.1:' || :fake_port WHERE name = 'sec';
SELECT smtp_password IS NOT NULL AS password_kept FROM casemis.import_settings WHERE name = 'sec';
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT status, regexp_replace(email_status, '[0-9]{4,5}', 'PORT', 'g') AS email_status FROM casemis.import_run WHERE run_id = :run;
SELECT count(*) FILTER (WHERE l ~* '^EHLO') > 0 AS saw_ehlo,
       count(*) FILTER (WHERE l ~* '^AUTH') AS auth_lines,
       count(*) FILTER (WHERE strpos(l, 'mail-S3cret') > 0
                           OR strpos(l, encode('\x006f666669636500'::bytea || 'mail-S3cret'::bytea, 'base64')) > 0
                           OR strpos(l, encode('mail-S3cret'::bytea, 'base64')) > 0) AS password_seen
  FROM regexp_split_to_table(pg_read_file(:'root' || '/scratch/fake_smtp.log'), E'\n') AS l;
UPDATE casemis.import_settings SET smtp_url = NULL, smtp_user = NULL, smtp_password = NULL, email_to = '{}' WHERE name = 'sec';

-- the SFTP password: the operator redirects sftp_host (and pins the new
-- server's key); the password is cleared, and the run fails before connecting
UPDATE casemis.import_settings
   SET source = 'sftp', sftp_host = '127.0.0.1', sftp_port = :sftp_port, sftp_user = current_setting('casemis_test.sftp_user'),
       sftp_password = 'S3cret-pw', sftp_host_key = current_setting('casemis_test.sftp_host_key'), sftp_directory = 'upload'
 WHERE name = 'sec';
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT status FROM casemis.import_run WHERE run_id = :run;
\! psql -X -q -U casemis_t_op -c "UPDATE casemis.import_settings SET sftp_host = 'localhost', sftp_host_key = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE name = 'sec'" 2>&1 | head -1
SELECT sftp_password IS NULL AS password_cleared, cleared_secrets FROM casemis.import_settings WHERE name = 'sec';
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
-- entered again: cleared_secrets is empty, and the mismatching host key is
-- refused without printing the key the (maybe hostile) server presented
UPDATE casemis.import_settings SET sftp_host = '127.0.0.1', sftp_password = 'S3cret-pw' WHERE name = 'sec';
SELECT cleared_secrets FROM casemis.import_settings WHERE name = 'sec';
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT status, strpos(message, current_setting('casemis_test.sftp_host_key')) = 0 AS presented_key_not_printed,
       message ~ 'host key mismatch' AS says_mismatch
  FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings
   SET source = 'folder', sftp_host = NULL, sftp_password = NULL, sftp_host_key = NULL WHERE name = 'sec';

-- ---------------------------------------------------------------- 3. locks no one else can hold
-- a session holding both advisory-lock keys of 0.1.0 (the setting's and the
-- shared write key) blocks and skips nothing
\! psql -X -q -c "SET application_name = 'sec_advisory_holder'" -c "SELECT pg_advisory_lock((x'5CA5E000'::bigint << 32) | (hashtextextended('sec', 0) & x'7FFFFFFF'::bigint)), pg_advisory_lock(x'5CA5E000'::int, 1), pg_sleep(60)" >/dev/null 2>&1 &
DO $$BEGIN
  FOR i IN 1..100 LOOP
    EXIT WHEN (SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE a.application_name = 'sec_advisory_holder' AND l.locktype = 'advisory' AND l.granted) = 2;
    PERFORM pg_sleep(0.1);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
END $$;
SELECT count(*) AS advisory_keys_held FROM pg_locks l JOIN pg_stat_activity a USING (pid)
 WHERE a.application_name = 'sec_advisory_holder' AND l.locktype = 'advisory' AND l.granted;
SET statement_timeout = '60s';
SELECT casemis.casemis_import('sec', force => true) AS run \gset
RESET statement_timeout;
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
SELECT pg_terminate_backend(pid) AS holder_gone FROM pg_stat_activity WHERE application_name = 'sec_advisory_holder';
-- a held lock row: the run waits lock_timeout, then fails saying what it waited for
UPDATE casemis.import_settings SET lock_timeout = '2 seconds' WHERE name = 'sec';
INSERT INTO casemis.run_lock VALUES ('*') ON CONFLICT DO NOTHING;
\! psql -X -q -c "SET application_name = 'sec_row_holder'" -c "BEGIN" -c "SELECT 1 FROM casemis.run_lock WHERE name = '*' FOR UPDATE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
DO $$BEGIN
  FOR i IN 1..100 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'sec_row_holder' AND query ~ 'pg_sleep');
    PERFORM pg_sleep(0.1);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
END $$;
SELECT clock_timestamp() AS t0 \gset
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT clock_timestamp() - :'t0'::timestamptz BETWEEN interval '2 seconds' AND interval '30 seconds' AS waited_lock_timeout;
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
-- a dry run writes nothing, so it does not wait for the write lock
SELECT casemis.casemis_import('sec', dry_run => true, force => true) AS run \gset
SELECT status FROM casemis.import_run WHERE run_id = :run;
SELECT pg_terminate_backend(pid) AS holder_gone FROM pg_stat_activity WHERE application_name = 'sec_row_holder';
-- the setting's own row: held by someone else, the run fails the same way (and is recorded)
\! psql -X -q -c "SET application_name = 'sec_row_holder2'" -c "BEGIN" -c "INSERT INTO casemis.run_lock VALUES ('sec') ON CONFLICT DO NOTHING" -c "SELECT 1 FROM casemis.run_lock WHERE name = 'sec' FOR UPDATE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
DO $$BEGIN
  FOR i IN 1..100 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'sec_row_holder2' AND query ~ 'pg_sleep');
    PERFORM pg_sleep(0.1);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
END $$;
SELECT casemis.casemis_import('sec', force => true) AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
SELECT pg_terminate_backend(pid) AS holder_gone FROM pg_stat_activity WHERE application_name = 'sec_row_holder2';
UPDATE casemis.import_settings SET lock_timeout = DEFAULT WHERE name = 'sec';
SELECT lock_timeout FROM casemis.import_settings WHERE name = 'sec';

-- ---------------------------------------------------------------- 4. exports never write through a link
SELECT casemis.casemis_import('sec', force => true) AS run \gset
\! rm -rf "$CASEMIS_ROOT/export/sec" "$CASEMIS_ROOT/scratch/victim_"*; mkdir -p "$CASEMIS_ROOT/export/sec"; echo precious > "$CASEMIS_ROOT/scratch/victim_tmp"; echo precious > "$CASEMIS_ROOT/scratch/victim_final"; ln -s "$CASEMIS_ROOT/scratch/victim_tmp" "$CASEMIS_ROOT/export/sec/CASEMIS_TypeA_ImportedRecords.csv.tmp"; ln -s "$CASEMIS_ROOT/scratch/victim_final" "$CASEMIS_ROOT/export/sec/CASEMIS_TypeA_Errors.csv"
SELECT count(*) AS files_written FROM casemis.export_reports(:run, :'root' || '/export/sec');
SELECT pg_read_file(:'root' || '/scratch/victim_tmp') AS victim_tmp, pg_read_file(:'root' || '/scratch/victim_final') AS victim_final;
SELECT pg_read_file(:'root' || '/export/sec/CASEMIS_TypeA_ImportedRecords.csv') = casemis.report_csv(:run, 'CASEMIS_TypeA_ImportedRecords.csv') AS report_written;
\! cd "$CASEMIS_ROOT/export/sec" && for f in CASEMIS_TypeA_Errors.csv CASEMIS_TypeA_ImportedRecords.csv.tmp; do if [ -L "$f" ]; then echo "$f: link"; else echo "$f: file"; fi; done; ls | grep -c '[0-9a-f]\{16\}\.tmp$'

-- ---------------------------------------------------------------- 5. a copy is not armed
-- enabling arms the schedule here, for the role that enabled it
UPDATE casemis.import_settings SET enabled = true WHERE name = 'sec';
SELECT enabled_by = current_user AS enabled_by_me, casemis._armed_here(enabled_in) AS armed
  FROM casemis.import_settings WHERE name = 'sec';
-- an operator cannot forge either
\! psql -X -q -U casemis_t_op -c "UPDATE casemis.import_settings SET enabled_by = 'postgres', enabled_in = 'x', cleared_secrets = '{}' WHERE name = 'sec'"
SELECT enabled_by = current_user AS enabled_by_me, casemis._armed_here(enabled_in) AS armed
  FROM casemis.import_settings WHERE name = 'sec';
-- as a restore of another database's dump brings it (the restore itself:
-- sql/security_schedule.sql), with a slot due: the tick runs nothing
ALTER TABLE casemis.import_settings DISABLE TRIGGER import_settings_1_reset;
UPDATE casemis.import_settings SET enabled_in = '7000000000000000000/1' WHERE name = 'sec';
ALTER TABLE casemis.import_settings ENABLE TRIGGER import_settings_1_reset;
UPDATE casemis.schedule_state SET last_slot = now() - interval '2 days' WHERE settings_name = 'sec';
SELECT count(*) AS tick_actions FROM casemis.tick() WHERE settings_name = 'sec';
SELECT enabled, scheduler_ok, next_run_at IS NULL AS no_next_run, scheduler_message FROM casemis.status WHERE name = 'sec';
-- enabled again here: armed
UPDATE casemis.schedule_state SET last_slot = now() WHERE settings_name = 'sec';
UPDATE casemis.import_settings SET enabled = true WHERE name = 'sec';
SELECT casemis._armed_here(enabled_in) AS armed FROM casemis.import_settings WHERE name = 'sec';
SELECT enabled, scheduler_ok, next_run_at IS NOT NULL AS has_next_run FROM casemis.status WHERE name = 'sec';
UPDATE casemis.import_settings SET enabled = false WHERE name = 'sec';
SELECT enabled_by IS NULL AND enabled_in IS NULL AS disarmed FROM casemis.import_settings WHERE name = 'sec';

-- ---------------------------------------------------------------- clean up
DELETE FROM casemis.import_settings WHERE name = 'sec';
\! rm -rf "$CASEMIS_ROOT/export/sec" "$CASEMIS_ROOT/scratch/victim_"* "$CASEMIS_ROOT/scratch/fake_smtp."*
DROP SCHEMA eve CASCADE;
DROP OWNED BY casemis_t_eve, casemis_t_op;
DROP ROLE casemis_t_eve, casemis_t_op;
TRUNCATE casemis.students, casemis.cse, casemis.csv;
