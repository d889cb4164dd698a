-- calpads: CALPADS SPED and SSRV files (README "CALPADS files"), each rule
-- against a hand-written fixture (test/fixtures/calpads_*): detection and the
-- two forms, Record and Transaction Type Codes, matching, duplicates by
-- meeting identifier, the latest meeting writes cse, the SSRV linkage, the
-- reports, cross-family failures, and the layout as data.
SET client_min_messages = error;   -- failed runs WARN with run ids; their messages are read below
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') || '/fixtures/' AS fx \gset
TRUNCATE casemis.cse, casemis.csv;

INSERT INTO casemis.students VALUES
 (2001, '2000000001', 'Alvarez', 'Ana', '2010-01-15', '07', 1),
 (2002, '2000000002', 'Baker', 'Ben', '2011-02-20', '06', 1),
 (2003, '2000000003', 'Chen', 'Chloe', '2009-03-25', '08', 1),
 (2004, NULL, 'Diaz', 'Diego', '2012-04-30', '05', 1),
 (2005, NULL, 'Evans-Whitfield-Montgomery', 'Elizabeth', '2010-05-05', '07', 1),
 (2006, '2000000006', 'Núñez', 'José', '2008-06-06', '09', 1),
 (2007, '2000000007', 'Fox', 'Faye', '2010-07-07', '07', 1),
 (2008, '2000000008', 'Gray', 'Gus', '2010-08-08', '07', 1),
 (2009, '2000000009', 'Hill', 'Hana', '2011-09-09', '06', 1);
INSERT INTO casemis.import_settings (name, folder_path, school_year, include_services)
VALUES ('cp', :'fx' || 'calpads_pos', 2022, true);
-- one small fixture after another: the record-count guard (its own test,
-- record_guard) is off for this setting
UPDATE casemis.import_settings SET min_record_ratio = 0 WHERE name = 'cp';

-- ---------------------------------------------------------------- the layouts
SELECT layout, count(*) AS fields, max(position) AS last_position, count(*) FILTER (WHERE is_key) AS keys,
       bool_and(shipped) AS shipped
  FROM casemis.layout_field WHERE layout IN ('SPED', 'SSRV') GROUP BY layout ORDER BY layout;
SELECT column_default FROM information_schema.columns
 WHERE table_schema = 'casemis' AND table_name = 'import_settings' AND column_name = 'file_format';

-- ---------------------------------------------------------------- positional form, '^', CRLF
-- no header: the first record is line 1; 49 fields and a trailing 50th (kept)
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, file_format, type_a_imported, type_a_unmatched, type_a_duplicates, type_a_errors,
       type_b_imported, type_b_unmatched, type_b_errors
  FROM casemis.import_run WHERE run_id = :run;
SELECT unnest(warnings) AS warning FROM casemis.import_run WHERE run_id = :run;
SELECT r.report, replace(casemis.report_csv(:run, r.report), E'\r', '\r') AS csv
  FROM casemis.report_kind r ORDER BY r.ordinal;
-- cse: the SPED -> cse mapping; one row per student, from its latest record
-- (Hana: H2, whose amendment date is the latest; Gus: a tie, the later line G2)
SELECT student_id, reporting_lea, sch_code, academic_year, selpa_student_id, gender, selpa_code,
       district_accountability, meeting_type, meeting_date, meeting_id, plan_type, plan_amendment_date,
       program_type, resid_stat, entry_date, disabilit1, program_setting, gened_percent_range, spec_trans,
       extra, last_updated = current_date AS updated_today
  FROM casemis.cse ORDER BY student_id;
-- csv: the SSRV -> csv mapping; record holds every field under its public name
SELECT student_id, school_year, selpa_student_id, service, provider, location, frequency, duration,
       ssid, selpa_code, reporting_lea, npa_id, meeting_id
  FROM casemis.csv ORDER BY student_id, service;
SELECT record FROM casemis.csv WHERE student_id = 2007;

-- ---------------------------------------------------------------- with a header row
-- ',', LF, BOM; public names matched ignoring case, spaces, underscores,
-- hyphens and periods; aliases; quoted fields; an unknown column kept in extra;
-- blank meeting identifiers are a value (Ana's two records are duplicates)
UPDATE casemis.import_settings SET folder_path = :'fx' || 'calpads_hdr' WHERE name = 'cp';
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, file_format, type_a_imported, type_a_unmatched, type_a_duplicates, type_a_errors,
       type_b_imported, type_b_unmatched, type_b_errors
  FROM casemis.import_run WHERE run_id = :run;
SELECT unnest(warnings) AS warning FROM casemis.import_run WHERE run_id = :run;
SELECT r.report, replace(casemis.report_csv(:run, r.report), E'\r', '\r') AS csv
  FROM casemis.report_kind r WHERE r.report NOT LIKE '%NotInFile%' ORDER BY r.ordinal;
SELECT student_id, selpa_student_id, meeting_id, meeting_date, disabilit1, extra FROM casemis.cse
 WHERE student_id IN (2002, 2004) ORDER BY student_id;
SELECT student_id, service, provider, duration, meeting_id, record FROM casemis.csv
 WHERE school_year = 2022 AND student_id IN (2002, 2004) ORDER BY student_id, service;

-- ---------------------------------------------------------------- Windows-1252 '^' LF; ',' positional
UPDATE casemis.import_settings SET folder_path = :'fx' || 'calpads_cp1252', include_services = false WHERE name = 'cp';
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, type_a_imported, type_a_unmatched FROM casemis.import_run WHERE run_id = :run;
SELECT line_number, ssid, first_name, last_name, birthdate, grade, student_id FROM casemis.import_report
 WHERE run_id = :run AND report = 'CASEMIS_TypeA_ImportedRecords.csv';
UPDATE casemis.import_settings SET folder_path = :'fx' || 'calpads_comma', include_services = true WHERE name = 'cp';
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, file_format, type_a_imported, type_b_imported FROM casemis.import_run WHERE run_id = :run;
SELECT student_id, meeting_id, service FROM casemis.csv WHERE student_id = 2002 ORDER BY service;

-- ---------------------------------------------------------------- a missing key header fails the run
-- under 'auto' a header row without all SPED key headers is not CALPADS (so
-- it fails as a Table A file); under 'calpads' the SPED check names what is missing
UPDATE casemis.import_settings SET folder_path = :'fx' || 'calpads_badkey', include_services = false WHERE name = 'cp';
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings SET file_format = 'calpads' WHERE name = 'cp';
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings SET file_format = 'auto' WHERE name = 'cp';

-- ---------------------------------------------------------------- families
-- CASEMIS files under 'auto' are CASEMIS; under 'calpads' they fail, and a
-- SPED file under 'casemis' fails, each saying what the file looks like; a
-- Services file of the other family fails naming both files; nothing written
-- (forced: files a run read before are otherwise 'unchanged', before any check)
CREATE TEMP TABLE before_cse AS SELECT * FROM casemis.cse;
CREATE TEMP TABLE before_csv AS SELECT * FROM casemis.csv;
UPDATE casemis.import_settings SET folder_path = :'fx' || 'basic', include_services = true WHERE name = 'cp';
SELECT casemis.casemis_import('cp', dry_run => true) AS run \gset
SELECT status, file_format FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings SET file_format = 'calpads' WHERE name = 'cp';
SELECT casemis.casemis_import('cp', force => true) AS run \gset
SELECT status, file_format, message, hint FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings SET file_format = 'casemis', folder_path = :'fx' || 'calpads_pos' WHERE name = 'cp';
SELECT casemis.casemis_import('cp', force => true) AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings SET file_format = 'casemis', folder_path = :'fx' || 'calpads_hdr' WHERE name = 'cp';
SELECT casemis.casemis_import('cp', force => true) AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings SET file_format = 'auto', folder_path = :'fx' || 'calpads_mixed_a' WHERE name = 'cp';
SELECT casemis.casemis_import('cp', force => true) AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings SET folder_path = :'fx' || 'calpads_mixed_b' WHERE name = 'cp';
SELECT casemis.casemis_import('cp', force => true) AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
-- beside a SPED file, a Services header row with neither family's key headers
-- is an SSRV file missing one: the SSRV check names it
UPDATE casemis.import_settings SET folder_path = :'fx' || 'calpads_ssrv_badkey' WHERE name = 'cp';
SELECT casemis.casemis_import('cp', force => true) AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
SELECT (SELECT count(*) FROM (SELECT * FROM casemis.cse EXCEPT SELECT * FROM before_cse) d) AS cse_changed,
       (SELECT count(*) FROM (SELECT * FROM casemis.csv EXCEPT SELECT * FROM before_csv) d) AS csv_changed,
       (SELECT count(*) FROM casemis.import_report p JOIN casemis.import_run r USING (run_id)
         WHERE r.settings_name = 'cp' AND r.status = 'failed') AS report_rows_of_failed_runs;
\set VERBOSITY terse
UPDATE casemis.import_settings SET file_format = 'sped' WHERE name = 'cp';
\set VERBOSITY default

-- ---------------------------------------------------------------- the layout is data
-- an alias and a fixed position, by an UPDATE or INSERT of the layout tables;
-- a changed shipped row becomes the district's (pg_dump keeps it), and
-- restoring it over a fresh install's shipped row updates that row
INSERT INTO casemis.layout_alias (layout, alias, header) VALUES ('SPED', 'DOB', 'student birth date');
SELECT layout, alias, header, shipped FROM casemis.layout_alias WHERE alias = 'DOB';
UPDATE casemis.layout_field SET position = 50 WHERE layout = 'SPED' AND header = 'Special Education Program Exit Reason Code';
UPDATE casemis.layout_field SET position = 49 WHERE layout = 'SPED' AND header = 'Workability I Work-Based Learning Program Completion Indicator';
SELECT header, position, shipped FROM casemis.layout_field WHERE layout = 'SPED' AND position >= 47 ORDER BY position;
UPDATE casemis.import_settings SET file_format = 'auto', include_services = false,
       folder_path = :'fx' || 'calpads_pos50' WHERE name = 'cp';
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, type_a_imported, type_a_errors FROM casemis.import_run WHERE run_id = :run;
SELECT student_id, workability_completion, exit_reson, exit_date, extra FROM casemis.cse WHERE student_id = 2003;
INSERT INTO casemis.layout_field (layout, position, header, data_type, target_column, role, is_key, codes, shipped)
VALUES ('SPED', 48, 'Department of Rehabilitation Student Services Work-based Learning Program Completion Indicator',
        'text', 'dor_completion', NULL, false, '{Y,N,U}', false);
SELECT header, position, codes, shipped FROM casemis.layout_field
 WHERE layout = 'SPED' AND header LIKE 'Department of Rehabilitation%';
-- a header file whose vendor writes SSN and DOB, with the exit reason code
UPDATE casemis.import_settings SET file_format = 'calpads', include_services = false,
       folder_path = :'fx' || 'calpads_alias' WHERE name = 'cp';
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, message, hint FROM casemis.import_run WHERE run_id = :run;
INSERT INTO casemis.layout_alias (layout, alias, header) VALUES ('SPED', 'SSN', 'SSID');
SELECT casemis.casemis_import('cp') AS run \gset
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
SELECT student_id, exit_reson, meeting_id FROM casemis.cse WHERE student_id = 2003;
SELECT layout, alias, header FROM casemis.layout_alias WHERE NOT shipped ORDER BY alias;
