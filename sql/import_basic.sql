-- import_basic: one run over a hand-written Table A/B pair that exercises every
-- match path, duplicates, errors and NotInFile; every report's exact CSV.
SET client_min_messages = warning;   -- the run's NOTICEs carry timings
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') || '/fixtures/basic' AS folder \gset

INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1002, '1000000002', 'Núñez', 'José', '2009-01-02', '04', 1),
 (1003, '1000000003', 'Smith', 'John', '2010-03-03', '03', 1),
 (1004, '1000000004', 'Smith', 'John', '2010-03-03', '03', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1),
 (1006, NULL, 'Washington-Montgomery', 'Alexandrina-Louisa', '2011-11-11', '02', 1),
 (1007, '1000000007', 'Brown', 'Ann', '2008-08-08', '05', 1),
 (1008, '1000000008', 'Old', 'Timer', '2005-01-01', '09', 1);
-- 1008 is a special-ed student already, absent from the file: NotInFile
INSERT INTO casemis.cse (student_id, disabilit1, last_updated) VALUES (1008, '240', '2016-01-01');
-- a service of 1002 for another school year, and one of 1001 for this year
INSERT INTO casemis.csv (student_id, school_year, service, record) VALUES
 (1002, 2016, 'old-2016', '{}'), (1001, 2017, 'replaced', '{}'), (1005, 2017, 'kept: A record was a duplicate', '{}');

INSERT INTO casemis.import_settings (name, folder_path, school_year)
VALUES ('basic', :'folder', 2017);

SELECT casemis.casemis_import('basic') AS run \gset
SELECT status, type_a_imported, type_a_unmatched, type_a_duplicates, type_a_errors, type_a_not_in_file,
       type_b_imported, type_b_unmatched, type_b_errors, dry_run, trigger, school_year,
       run_date = current_date AS run_date_today,
       students_file, students_size, services_file, services_size,
       students_sha256 ~ '^[0-9a-f]{64}$' AS sha_ok, finished_at >= started_at AS finished
  FROM casemis.import_run WHERE run_id = :run;
\pset format unaligned
SELECT message FROM casemis.import_run WHERE run_id = :run;
SELECT unnest(warnings) AS warning FROM casemis.import_run WHERE run_id = :run;
\pset format aligned

-- the eight reports, exactly as the files will be (CRLF shown as \r)
SELECT r.report, replace(casemis.report_csv(:run, r.report), E'\r', '\r') AS csv
  FROM casemis.report_kind r ORDER BY r.ordinal;

-- cse: the file's values, typed; identity fields not stored; extra keeps unknown columns
SELECT student_id, selpa_code, selpa_student_id, plan_type, disabilit1, in_regcls, grade, exit_date,
       test_participation_1 AS tp1, test_participation_2 AS tp2, extra,
       last_updated = current_date AS updated_today, last_run_id = :run AS by_run
  FROM casemis.cse ORDER BY student_id;

-- csv: services of 2017 replaced only for students with matched services;
-- other years and students untouched; start date July 1 (no calendar row)
SELECT student_id, school_year, service_start_date, selpa_student_id, service, selpa_code, ssid, provider,
       location, frequency, duration, start_date, end_date, record ->> 'START_DATE' AS raw_start
  FROM casemis.csv ORDER BY student_id, school_year, service, raw_start;
SELECT record FROM casemis.csv WHERE student_id = 1001 AND service = '330';

-- a run with no services setting imports Table A only
UPDATE casemis.import_settings SET include_services = false WHERE name = 'basic';
SELECT casemis.casemis_import('basic', force => true) AS run2 \gset
SELECT status, services_file, type_b_imported, message LIKE '%services not included%' AS said
  FROM casemis.import_run WHERE run_id = :run2;
SELECT casemis.report_csv(:run2, 'CASEMIS_TypeB_ImportedRecords.csv') = E'OriginalLineNumber,SSID,StudentID,Service\r\n' AS b_report_empty;

-- clean up for the next tests
DELETE FROM casemis.import_settings WHERE name = 'basic';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
