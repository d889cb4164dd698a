-- report_storage: report rows are stored compactly (casemis.report_chunk: up to
-- 10000 rows of one report per row, an array per column) and read through the
-- view casemis.import_report, same columns as before; report_csv is unchanged;
-- a database upgraded from 0.1.0 keeps its old report rows readable through the
-- same SQL, and report_csv gives the same bytes for them as before the upgrade.
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') || '/fixtures/basic' AS folder \gset

-- the view keeps the columns and types of the 0.1.0 table
SELECT attnum, attname, format_type(atttypid, atttypmod) AS type
  FROM pg_attribute WHERE attrelid = 'casemis.import_report'::regclass AND attnum > 0 ORDER BY attnum;

-- a run's report rows: a chunk row per report, not a row per record
INSERT INTO casemis.students VALUES
 (8001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (8002, '1000000002', 'Núñez', 'José', '2009-01-02', '04', 1);
INSERT INTO casemis.import_settings (name, school_year) VALUES ('rs', 2017);
SELECT casemis.casemis_import_files(pg_read_binary_file(:'folder' || '/tableA.csv'),
                                    pg_read_binary_file(:'folder' || '/tableB.csv'), 'rs') AS run \gset
SELECT report, count(*) AS view_rows FROM casemis.import_report WHERE run_id = :run GROUP BY report ORDER BY report;
SELECT report, chunk, cardinality(line_number) AS rows FROM casemis.report_chunk WHERE run_id = :run ORDER BY report, chunk;
-- more than 10000 rows of a report: several chunks, all rows back in order
SELECT casemis.casemis_import_files(convert_to('SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE' || E'\n' ||
         (SELECT string_agg(format('9%s,X-%s,Last,First,20080101', i, i), E'\n') FROM generate_series(1, 25000) i) || E'\n', 'UTF8'),
       NULL, 'rs') AS big \gset
SELECT report, chunk, cardinality(student_id) AS rows FROM casemis.report_chunk WHERE run_id = :big ORDER BY report, chunk;
SELECT count(*) AS rows, min(line_number), max(line_number), count(DISTINCT line_number) AS distinct_lines
  FROM casemis.import_report WHERE run_id = :big AND report = 'CASEMIS_TypeA_UnmatchedRecords.csv';
SELECT cardinality(l) AS csv_lines, l[1:3] AS first, l[25001:25002] AS last
  FROM string_to_array(casemis.report_csv(:big, 'CASEMIS_TypeA_UnmatchedRecords.csv'), E'\r\n') l;
-- a row inserted through the view is stored as a chunk of its own; changing one is refused
INSERT INTO casemis.import_report (run_id, report, line_number, ssid) VALUES (:big, 'CASEMIS_TypeA_Errors.csv', 7, 'x');
SELECT report, line_number, ssid FROM casemis.import_report WHERE run_id = :big AND report = 'CASEMIS_TypeA_Errors.csv';
\set VERBOSITY default
UPDATE casemis.import_report SET ssid = 'y' WHERE run_id = :big AND report = 'CASEMIS_TypeA_Errors.csv';
\set VERBOSITY terse
DELETE FROM casemis.report_chunk WHERE run_id IN (:run, :big);
DELETE FROM casemis.cse WHERE student_id IN (8001, 8002);
DELETE FROM casemis.csv WHERE student_id IN (8001, 8002);
DELETE FROM casemis.students WHERE student_id IN (8001, 8002);
DELETE FROM casemis.import_settings WHERE name = 'rs';

-- ---------------------------------------------------------------- upgrade
-- a 0.1.0 database with report rows of its own, upgraded
CREATE DATABASE casemis_report_upgrade;
\c casemis_report_upgrade
SET client_min_messages = warning;
CREATE EXTENSION casemis_import VERSION '0.1.0';
INSERT INTO casemis.import_run (settings_name, status) VALUES ('old', 'succeeded'), ('old', 'succeeded');
INSERT INTO casemis.import_report (run_id, report, line_number, position, ssid, student_id, first_name, last_name, birthdate, grade, service, field, value, problem, reason)
SELECT 1, 'CASEMIS_TypeB_ImportedRecords.csv', i + 1, NULL, '10000' || i, (5000 + i / 3)::text, NULL, NULL, NULL, NULL, 'svc, "' || i || '"', NULL, NULL, NULL, NULL
  FROM generate_series(1, 12345) i;
INSERT INTO casemis.import_report VALUES
 (1, 'CASEMIS_TypeA_Errors.csv', 4, 6, '', 'S-9', NULL, NULL, NULL, NULL, NULL, 'BIRTHDATE', '13/45/2008', 'not a date', NULL),
 (1, 'CASEMIS_TypeA_Errors.csv', 4, 2, '', 'S-9', NULL, NULL, NULL, NULL, NULL, 'GRADE', '', 'blank', NULL),
 (1, 'CASEMIS_TypeA_NotInFile.csv', NULL, NULL, '1000000008', '1008', 'Timer', 'Old', '2005-01-01', '09', NULL, NULL, NULL, NULL, NULL),
 (2, 'CASEMIS_TypeA_UnmatchedRecords.csv', 3, NULL, '', 'S-3', 'Ann', 'Brown', '20080808', '05', NULL, NULL, NULL, NULL, 'no name match');
CREATE TEMP TABLE before_upgrade AS
SELECT r.run_id, k.report, md5(casemis.report_csv(r.run_id, k.report)) AS csv,
       (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM casemis.import_report x
         WHERE x.run_id = r.run_id AND x.report = k.report) AS rows_md5
  FROM casemis.import_run r, casemis.report_kind k;
ALTER EXTENSION casemis_import UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'casemis_import';
SELECT c.relkind, count(*) AS report_rows FROM casemis.import_report, pg_class c
 WHERE c.oid = 'casemis.import_report'::regclass GROUP BY 1;
SELECT b.run_id, b.report, b.csv = md5(casemis.report_csv(b.run_id, b.report)) AS same_csv,
       b.rows_md5 IS NOT DISTINCT FROM (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM casemis.import_report x
                                         WHERE x.run_id = b.run_id AND x.report = b.report) AS same_rows
  FROM before_upgrade b ORDER BY 1, 2;
SELECT run_id, report, chunk, cardinality(line_number) AS rows FROM casemis.report_chunk ORDER BY 1, 2, 3;
\c contrib_regression
DROP DATABASE casemis_report_upgrade;
