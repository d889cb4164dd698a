-- import_rules: the README's rules ("What one run does") one by one, each against a small hand-written
-- fixture (test/fixtures/<case>/), staged under casemis_test.root.
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') || '/fixtures/' AS fx \gset

INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1002, '1000000002', 'Núñez', 'José', '2009-01-02', '04', 1),
 (1003, '1000000003', 'Smith', 'John', '2010-03-03', '03', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1),
 (1007, '1000000007', 'Brown Smith', 'Ann', '2008-08-08', '05', 1),
 (1009, '1000000009', 'PEÑA', 'ZOË', '2010-10-10', '03', 1);
INSERT INTO casemis.import_settings (name, folder_path, school_year, include_services)
VALUES ('rules', :'fx' || 'full', 2017, false);
-- one small file after another: the record-count guard (its own test,
-- record_guard) is off for this setting
UPDATE casemis.import_settings SET min_record_ratio = 0 WHERE name = 'rules';

-- ---------------------------------------------------------------- full layout
-- all 67 fields, UTF-8 BOM, CRLF; every date form; codes keep leading zeros
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, type_a_imported, type_a_errors, warnings FROM casemis.import_run WHERE run_id = :run;
SELECT a.attname AS column, j.value
  FROM casemis.cse c, jsonb_each_text(to_jsonb(c)) j, pg_attribute a
 WHERE c.student_id = 1001 AND a.attrelid = 'casemis.cse'::regclass AND a.attname = j.key
   AND a.attname NOT IN ('last_updated', 'last_run_id')
 ORDER BY a.attnum;
SELECT student_id, rept_date, birth_is_not_stored, plan_type, disabilit1, in_regcls, grade, exit_date, test_participation_6
  FROM (SELECT c.*, NOT EXISTS (SELECT 1 FROM information_schema.columns
                                 WHERE table_schema = 'casemis' AND table_name = 'cse'
                                   AND column_name IN ('birthdate', 'ssid', 'last_name', 'first_name', 'filler')) AS birth_is_not_stored
          FROM casemis.cse c) x
 ORDER BY student_id;

-- ---------------------------------------------------------------- the same files again
-- unchanged (nothing imported), unless forced -- dry runs included; a dry run
-- is not a "successful run" for the check
SELECT casemis.casemis_import('rules') AS run_unchanged \gset
SELECT status, type_a_imported, message LIKE 'unchanged: the files are byte for byte those of run ' || :run || '%' AS says_which
  FROM casemis.import_run WHERE run_id = :run_unchanged;
SELECT casemis.casemis_import('rules', dry_run => true) AS run_x \gset
SELECT status FROM casemis.import_run WHERE run_id = :run_x;
SELECT casemis.casemis_import('rules', dry_run => true, force => true) AS run_dry \gset
SELECT status, type_a_imported, message LIKE 'DRY RUN%' AS marked FROM casemis.import_run WHERE run_id = :run_dry;
SELECT casemis.casemis_import('rules') AS run_x \gset
SELECT status AS after_dry_run_still FROM casemis.import_run WHERE run_id = :run_x;
SELECT casemis.casemis_import('rules', force => true) AS run_forced \gset
SELECT status, forced, type_a_imported FROM casemis.import_run WHERE run_id = :run_forced;

-- ---------------------------------------------------------------- updating a student
-- second file: fillers all blank for 1001 (stored values kept), one non-blank
-- for 1005 (all six written, blanks become NULL); PLAN_TYPE and IN_REGCLS
-- absent from the file (stored values kept); GRADE present (updated)
UPDATE casemis.cse SET test_participation_1 = 'hand-entered' WHERE student_id = 1005;
UPDATE casemis.import_settings SET folder_path = :'fx' || 'update' WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
SELECT student_id, grade, plan_type, in_regcls, disabilit1,
       test_participation_1 AS tp1, test_participation_2 AS tp2, test_participation_6 AS tp6
  FROM casemis.cse ORDER BY student_id;

-- ---------------------------------------------------------------- dry run
-- every report, no cse/csv change
CREATE TEMP TABLE cse_before AS SELECT * FROM casemis.cse;
UPDATE casemis.import_settings SET folder_path = :'fx' || 'basic', include_services = true WHERE name = 'rules';
SELECT casemis.casemis_import('rules', dry_run => true) AS run \gset
SELECT status, type_a_imported, type_a_unmatched, type_a_duplicates, type_a_errors, type_b_imported
  FROM casemis.import_run WHERE run_id = :run;
SELECT count(*) AS report_rows FROM casemis.import_report WHERE run_id = :run;
SELECT (SELECT count(*) FROM (SELECT * FROM casemis.cse EXCEPT SELECT * FROM cse_before) d) AS cse_changed,
       (SELECT count(*) FROM casemis.csv) AS csv_rows;

-- ---------------------------------------------------------------- Windows-1252
UPDATE casemis.import_settings SET folder_path = :'fx' || 'cp1252', include_services = false WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, type_a_imported, type_a_unmatched FROM casemis.import_run WHERE run_id = :run;
SELECT casemis.report_csv(:run, 'CASEMIS_TypeA_ImportedRecords.csv');

-- ---------------------------------------------------------------- fields and quoting
-- quoted commas and doubled quotes; too many / too few fields; a quoted field
-- spanning two lines (the next record's line number counts it); blank lines at the end
UPDATE casemis.import_settings SET folder_path = :'fx' || 'fields' WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, type_a_imported, type_a_errors FROM casemis.import_run WHERE run_id = :run;
SELECT casemis.report_csv(:run, 'CASEMIS_TypeA_ImportedRecords.csv');
SELECT casemis.report_csv(:run, 'CASEMIS_TypeA_Errors.csv');

-- ---------------------------------------------------------------- NotInFile
-- disability + no exit date, exit date in the future: listed;
-- exit date in the past, no disability, blank disability: not listed
INSERT INTO casemis.students VALUES
 (2001, '2000000001', 'Future', 'Exit', '2009-01-01', '04', 1),
 (2002, '2000000002', 'Past', 'Exit', '2009-01-01', '04', 1),
 (2003, '2000000003', 'No', 'Disability', '2009-01-01', '04', 1),
 (2004, '2000000004', 'Blank', 'Disability', '2009-01-01', '04', 1),
 (2005, '2000000005', 'Still', 'Here', '2009-01-01', '04', 1);
INSERT INTO casemis.cse (student_id, disabilit1, exit_date) VALUES
 (2001, '240', current_date + 30), (2002, '240', current_date - 1), (2003, NULL, NULL),
 (2004, '  ', NULL), (2005, '330', NULL);
SELECT casemis.casemis_import('rules', force => true) AS run \gset
SELECT casemis.report_csv(:run, 'CASEMIS_TypeA_NotInFile.csv');
SELECT type_a_not_in_file FROM casemis.import_run WHERE run_id = :run;

-- ---------------------------------------------------------------- services: calendar start date
INSERT INTO casemis.school_calendar VALUES (0, 2017, '2017-08-23'), (1, 2017, '2017-08-20'), (0, 2016, '2016-08-24');
UPDATE casemis.import_settings SET folder_path = :'fx' || 'basic', include_services = true WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT DISTINCT school_year, service_start_date FROM casemis.csv WHERE run_id = :run;
-- school_year NULL: the school year (July 1 - June 30) holding the run's date
UPDATE casemis.import_settings SET school_year = NULL WHERE name = 'rules';
SELECT casemis.casemis_import('rules', force => true) AS run \gset
SELECT school_year = (CASE WHEN extract(month FROM current_date) >= 7 THEN extract(year FROM current_date)
                           ELSE extract(year FROM current_date) - 1 END) AS current_school_year
  FROM casemis.import_run WHERE run_id = :run;
SELECT count(*) > 0 AS services_of_current_year, bool_and(service_start_date = make_date(school_year, 7, 1)) AS july_first
  FROM casemis.csv WHERE run_id = :run;
UPDATE casemis.import_settings SET school_year = 2017 WHERE name = 'rules';

-- ---------------------------------------------------------------- failed runs change nothing
CREATE TEMP TABLE snap AS SELECT (SELECT count(*) FROM casemis.cse) AS cse, (SELECT count(*) FROM casemis.csv) AS csv,
                                 (SELECT md5(string_agg(c::text, ',' ORDER BY student_id)) FROM casemis.cse c) AS cse_md5;
-- a misnamed key header: failed, the headers named, nothing changed (WARNING shown)
\set VERBOSITY terse
UPDATE casemis.import_settings SET folder_path = :'fx' || 'badkey', include_services = false WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, message FROM casemis.import_run WHERE run_id = :run;
-- a failed run keeps its error's SQLSTATE: a file the run cannot read
SELECT errcode FROM casemis.import_run WHERE run_id = :run;
-- ... and so does the WARNING its caller gets
\set VERBOSITY sqlstate
SELECT casemis.casemis_import('rules') > :run AS failed_again;
\set VERBOSITY terse
-- a missing file (its WARNING names the server path: not shown here)
SET client_min_messages = error;
UPDATE casemis.import_settings SET folder_path = :'fx' || 'missing' WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, replace(message, :'fx', '<fixtures>/') AS message, hint FROM casemis.import_run WHERE run_id = :run;
SELECT errcode AS missing_file_errcode FROM casemis.import_run WHERE run_id = :run;
-- an empty file
UPDATE casemis.import_settings SET folder_path = :'fx' || 'empty' WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, replace(message, :'fx', '<fixtures>/') AS message, hint FROM casemis.import_run WHERE run_id = :run;
-- the services file missing while services are included
UPDATE casemis.import_settings SET folder_path = :'fx' || 'full', include_services = true WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, replace(message, :'fx', '<fixtures>/') AS message, hint FROM casemis.import_run WHERE run_id = :run;
SET client_min_messages = warning;
SELECT s.cse = (SELECT count(*) FROM casemis.cse) AND s.csv = (SELECT count(*) FROM casemis.csv)
       AND s.cse_md5 = (SELECT md5(string_agg(c::text, ',' ORDER BY student_id)) FROM casemis.cse c) AS nothing_changed
  FROM snap s;
-- a header-only file is a successful run that imports nothing (everyone is NotInFile)
UPDATE casemis.import_settings SET folder_path = :'fx' || 'headeronly', include_services = false WHERE name = 'rules';
SELECT casemis.casemis_import('rules') AS run \gset
SELECT status, type_a_imported, type_a_not_in_file > 0 AS lists_not_in_file FROM casemis.import_run WHERE run_id = :run;
SELECT errcode IS NULL AS no_errcode FROM casemis.import_run WHERE run_id = :run;

-- ---------------------------------------------------------------- the one-time manual import
-- always imports (no unchanged check), reads the files sent from the client
SELECT casemis.casemis_import_files(pg_read_binary_file(:'fx' || 'basic/tableA.csv'),
                                    pg_read_binary_file(:'fx' || 'basic/tableB.csv'), 'rules') AS run \gset
SELECT status, trigger, students_file, services_file, type_a_imported, type_b_imported
  FROM casemis.import_run WHERE run_id = :run;
SELECT casemis.casemis_import_files(pg_read_binary_file(:'fx' || 'basic/tableA.csv'), NULL, 'rules') AS run \gset
SELECT status, services_file, type_a_imported FROM casemis.import_run WHERE run_id = :run;
SELECT casemis.casemis_import_files(convert_to(E'SSID,STUDENT_ID\n1,2\n', 'UTF8'), NULL, 'rules') AS run \gset
SELECT status, message FROM casemis.import_run WHERE run_id = :run;

-- ---------------------------------------------------------------- the layout is data
-- an alias added with an INSERT is honoured at the next run, no rebuild
SELECT casemis.casemis_import_files(convert_to(E'ssid,Student_ID,last_name,first_name,DOB\n1000000001,S-1,Garcia,Maria,20080514\n', 'UTF8'),
                                    NULL, 'rules') AS run \gset
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
INSERT INTO casemis.layout_alias (layout, alias, header) VALUES ('A', 'dob ', 'birthdate') RETURNING alias, header;
SELECT casemis.casemis_import_files(convert_to(E'ssid,Student_ID,last_name,first_name,DOB\n1000000001,S-1,Garcia,Maria,20080514\n', 'UTF8'),
                                    NULL, 'rules') AS run \gset
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
DELETE FROM casemis.layout_alias WHERE alias = 'DOB';

-- ---------------------------------------------------------------- cse.extra, the columns the layout does not know
-- a column in the file replaces its key (blank drops it); a column absent from the file keeps its key
SELECT casemis.casemis_import_files(convert_to(E'SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE,NOTE,ROOM\n1000000001,S-1,Garcia,Maria,20080514,first,12\n', 'UTF8'), NULL, 'rules') AS run \gset
SELECT extra FROM casemis.cse WHERE student_id = 1001;
SELECT casemis.casemis_import_files(convert_to(E'SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE,NOTE\n1000000001,S-1,Garcia,Maria,20080514,\n', 'UTF8'), NULL, 'rules') AS run \gset
SELECT extra FROM casemis.cse WHERE student_id = 1001;
SELECT casemis.casemis_import_files(convert_to(E'SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE,ROOM\n1000000001,S-1,Garcia,Maria,20080514,\n', 'UTF8'), NULL, 'rules') AS run \gset
SELECT extra FROM casemis.cse WHERE student_id = 1001;

-- ---------------------------------------------------------------- errors in the call itself raise
\set VERBOSITY default
SELECT casemis.casemis_import('no_such_setting');
SELECT casemis.casemis_import_files(NULL);
SELECT casemis.casemis_import_files('x'::bytea, NULL, 'rules', 'not an address');
SELECT casemis.report_csv(:run, 'NoSuchReport.csv');

DELETE FROM casemis.import_settings WHERE name = 'rules';
TRUNCATE casemis.students, casemis.cse, casemis.csv, casemis.school_calendar;
