-- record_guard: import_settings.min_record_ratio. A Student Data or Services
-- file with fewer records than that fraction of the same file's records in the
-- setting's last successful run fails before anything is written, naming both
-- counts, the run compared with and force => true; uploads too; 0 turns it off.
SET client_min_messages = error;   -- a failed run's WARNING names its run id, which varies
SET datestyle = ISO;
TRUNCATE casemis.cse, casemis.csv;   -- what earlier tests left (NotInFile counts them)
SELECT current_setting('casemis_test.root') || '/scratch/record_guard' AS folder,
       current_setting('casemis_test.smtp_port') AS smtp_port \gset
\setenv GUARD_DIR :folder
\! mkdir -p "$GUARD_DIR"

INSERT INTO casemis.students
SELECT 72000 + i, (7200000000 + i)::text, 'Last' || i, 'First' || i, date '2008-01-01' + i, '05', 1
  FROM generate_series(1, 10) AS i;
INSERT INTO casemis.import_settings (name, folder_path, school_year, time_zone, email_to, smtp_url)
VALUES ('guard', :'folder', 2017, 'America/Los_Angeles', '{office@district.example}',
        'smtp://127.0.0.1:' || :'smtp_port');

-- tableA.csv with the first a students, tableB.csv with one service each of the first b
CREATE FUNCTION pg_temp.files(a int, b int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$COPY (SELECT ssid AS "SSID", 'S-' || student_id AS "STUDENT_ID", last_name AS "LAST_NAME",
                               first_name AS "FIRST_NAME", to_char(birthdate, 'YYYYMMDD') AS "BIRTHDATE",
                               '240' AS "DISABILIT1"
                          FROM casemis.students WHERE student_id BETWEEN 72001 AND 72000 + %s ORDER BY student_id)
                   TO %L WITH (FORMAT csv, HEADER)$q$, a, current_setting('casemis_test.root') || '/scratch/record_guard/tableA.csv');
  EXECUTE format($q$COPY (SELECT ssid AS "SSID", 'S-' || student_id AS "STUDENT_ID", '510' AS "SERVICE"
                          FROM casemis.students WHERE student_id BETWEEN 72001 AND 72000 + %s ORDER BY student_id)
                   TO %L WITH (FORMAT csv, HEADER)$q$, b, current_setting('casemis_test.root') || '/scratch/record_guard/tableB.csv');
END $$;
CREATE FUNCTION pg_temp.file(name text) RETURNS bytea LANGUAGE sql AS $$
  SELECT pg_read_binary_file(current_setting('casemis_test.root') || '/scratch/record_guard/' || name) $$;
-- the run's outcome, its counts, and what cse/csv hold (the run ids are replaced: they vary)
CREATE FUNCTION pg_temp.outcome(run bigint)
RETURNS TABLE (status text, forced boolean, students_records bigint, services_records bigint,
               cse bigint, csv bigint, message text) LANGUAGE sql AS $$
  SELECT r.status, r.forced, r.students_records, r.services_records,
         (SELECT count(*) FROM casemis.cse WHERE student_id BETWEEN 72001 AND 72010),
         (SELECT count(*) FROM casemis.csv WHERE student_id BETWEEN 72001 AND 72010),
         regexp_replace(regexp_replace(r.message, ' Warnings: .*$', ''), 'run [0-9]+', 'run N')
    FROM casemis.import_run r WHERE r.run_id = run $$;
CREATE FUNCTION pg_temp.mail_count() RETURNS int LANGUAGE sql AS $$
  SELECT count(*)::int FROM pg_ls_dir(current_setting('casemis_test.root') || '/mail') AS f
   WHERE f ~ '^[0-9]+\.eml$' $$;
-- the newest stored message, quoted-printable soft line breaks undone and
-- runs of white space made one space (the plain text is wrapped)
CREATE FUNCTION pg_temp.last_mail() RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(replace(replace(pg_read_file(format('%s/mail/%s.eml', current_setting('casemis_test.root'),
                                             lpad(pg_temp.mail_count()::text, 4, '0'))), E'=\r\n', ''), '=3D', '='),
                        '\s+', ' ', 'g') $$;
\pset format unaligned

-- 1. the first run ever: nothing to compare with
SELECT pg_temp.files(10, 10);
SELECT casemis.casemis_import('guard') AS first \gset
SELECT * FROM pg_temp.outcome(:first);
SELECT casemis._last_successful_run('guard') = :first AS first_is_last_successful;

-- 2. just under half: 4 Student Data records against 10 -- nothing written
SELECT pg_temp.files(4, 10);
SELECT casemis.casemis_import('guard') AS short_a \gset
SELECT * FROM pg_temp.outcome(:short_a);
SELECT position(format('in run %s,', :first) IN message) > 0 AS names_the_run FROM casemis.import_run WHERE run_id = :short_a;
-- the email says the same in plain words, with the call that imports it anyway
SELECT position('a file held far fewer records' IN m) > 0 AS plain_words,
       position('cut short' IN m) > 0 AS why,
       position('holds 4 records, fewer than 50% (min_record_ratio) of the 10 records' IN m) > 0 AS counts,
       position('SELECT casemis.casemis_import(''guard'', force => true);' IN m) > 0 AS force_call
  FROM pg_temp.last_mail() AS m;

-- 3. the Services file just under half
SELECT pg_temp.files(10, 4);
SELECT * FROM pg_temp.outcome(casemis.casemis_import('guard'));

-- 4. exactly half is not fewer: imported (and the next run compares with this one)
SELECT pg_temp.files(5, 5);
SELECT casemis.casemis_import('guard') AS half \gset
SELECT * FROM pg_temp.outcome(:half);
SELECT casemis._last_successful_run('guard') = :half AS half_is_last_successful;

-- 5. just over the ratio against 5 records: 3 >= 2.5 passes, 2 does not
SELECT pg_temp.files(2, 5);
SELECT * FROM pg_temp.outcome(casemis.casemis_import('guard'));
SELECT pg_temp.files(3, 3);
SELECT * FROM pg_temp.outcome(casemis.casemis_import('guard'));

-- 6. a dry run is checked too (it shows what the real run would do)
SELECT pg_temp.files(1, 3);
SELECT * FROM pg_temp.outcome(casemis.casemis_import('guard', dry_run => true));

-- 7. force => true imports it anyway
SELECT * FROM pg_temp.outcome(casemis.casemis_import('guard', force => true));

-- 8. uploads are checked the same way; the six-argument form forces
SELECT pg_temp.files(10, 10);
SELECT * FROM pg_temp.outcome(casemis.casemis_import_files(pg_temp.file('tableA.csv'), pg_temp.file('tableB.csv'), 'guard'));
SELECT pg_temp.files(4, 10);
SELECT * FROM pg_temp.outcome(casemis.casemis_import_files(pg_temp.file('tableA.csv'), pg_temp.file('tableB.csv'), 'guard'));
SELECT position('SELECT casemis.casemis_import_files(students, services, ''guard'', NULL, false, force => true);' IN m) > 0
         AS upload_force_call
  FROM pg_temp.last_mail() AS m;
SELECT * FROM pg_temp.outcome(casemis.casemis_import_files(pg_temp.file('tableA.csv'), pg_temp.file('tableB.csv'),
                                                           'guard', NULL, false, force => true));

-- 9. a ratio of 0 turns the guard off; a ratio out of 0..1 is refused
UPDATE casemis.import_settings SET min_record_ratio = 0 WHERE name = 'guard';
SELECT pg_temp.files(1, 1);
SELECT * FROM pg_temp.outcome(casemis.casemis_import('guard'));
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.try($$UPDATE casemis.import_settings SET min_record_ratio = 1.5 WHERE name = 'guard'$$) AS above_1;

-- 10. a ratio of 0.3 is 0.3 (not the real's 0.30000001): 3 of 10 passes
UPDATE casemis.import_settings SET min_record_ratio = 0.3 WHERE name = 'guard';
SELECT pg_temp.files(10, 10);
SELECT * FROM pg_temp.outcome(casemis.casemis_import('guard'));
SELECT pg_temp.files(3, 3);
SELECT * FROM pg_temp.outcome(casemis.casemis_import('guard'));
\pset format aligned

-- clean up for the next tests
\! rm -rf "$GUARD_DIR"
DELETE FROM casemis.import_settings WHERE name = 'guard';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
