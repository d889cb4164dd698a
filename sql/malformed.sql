-- malformed: every file of test/fixtures/malformed/MANIFEST.csv (hand-written
-- files, plus the big and special ones generate.sh makes at test time) is
-- imported by a setting of its own; each run's status, message and Errors
-- report rows are checked against the manifest, and after every case the
-- server has not restarted, this session lives on, and a run that did not
-- succeed changed nothing in cse/csv and left no report rows.
SET client_min_messages = error;   -- failed runs WARN with server paths
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') AS root \gset
SELECT :'root' || '/fixtures/malformed' AS fx, :'root' || '/scratch/malformed' AS gen,
       :'root' || '/fixtures/malformed/MANIFEST.csv' AS manifest \gset
\setenv CASEMIS_MF_FIXTURES :fx
\setenv CASEMIS_MF_GEN :gen
\! sh "$CASEMIS_MF_FIXTURES/generate.sh" "$CASEMIS_MF_GEN"

INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1002, '1000000002', 'Nunez', 'Jose', '2009-01-02', '04', 1),
 (1003, '1000000003', 'Smith', 'John', '2010-03-03', '03', 1),
 (1004, '1000000004', 'Lee', 'Kim', '2007-07-07', '06', 1);

CREATE TEMP TABLE mf_case (ord serial, file text, tbl text, max_file_size bigint, max_line_length int,
                           max_columns int, status text, message text, errors text);
COPY mf_case (file, tbl, max_file_size, max_line_length, max_columns, status, message, errors)
  FROM :'manifest' WITH (FORMAT csv, HEADER);
-- one setting per case, committed before its run (a run sees only committed settings)
INSERT INTO casemis.import_settings (name, folder_path, students_file, services_file, include_services,
                                     school_year, max_file_size, max_line_length, max_columns)
SELECT 'mf' || c.ord,
       CASE WHEN c.file LIKE 'gen/%' THEN :'gen' ELSE :'fx' END,
       CASE WHEN c.tbl = 'A' THEN regexp_replace(c.file, '^gen/', '') ELSE '_tableA_good.csv' END,
       CASE WHEN c.tbl = 'B' THEN c.file ELSE 'tableB.csv' END,
       c.tbl = 'B', 2017,
       coalesce(c.max_file_size, 2147483648), coalesce(c.max_line_length, 1048576), coalesce(c.max_columns, 1000)
  FROM mf_case c;

CREATE TEMP TABLE mf_server AS SELECT pg_postmaster_start_time() AS started, pg_backend_pid() AS pid;
CREATE TEMP TABLE mf_result (ord int, file text, run_id bigint, status text, status_ok boolean, message_ok boolean,
                             errors_ok boolean, untouched boolean, alive boolean, message text, errors text, hint text);

CREATE FUNCTION pg_temp.table_hash(rel regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
  EXECUTE format('SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s t', rel) INTO h;
  RETURN h;
END $$;

-- One case: its run, and what it left behind.
CREATE FUNCTION pg_temp.mf_run(case_file text) RETURNS SETOF mf_result LANGUAGE plpgsql AS $$
DECLARE
  c mf_case;
  cse0 text := pg_temp.table_hash('casemis.cse');
  csv0 text := pg_temp.table_hash('casemis.csv');
  rid bigint;
  r casemis.import_run;
  errs text;
  reports bigint;
BEGIN
  SELECT * INTO c FROM mf_case WHERE file = case_file;
  rid := casemis.casemis_import('mf' || c.ord, force => true);
  SELECT * INTO r FROM casemis.import_run WHERE run_id = rid;
  SELECT string_agg(concat_ws(':', p.line_number, p.field, p.value, p.problem), ' | ' ORDER BY p.line_number, p.position)
    INTO errs FROM casemis.import_report p
   WHERE p.run_id = rid AND p.report = 'CASEMIS_Type' || c.tbl || '_Errors.csv';
  SELECT count(*) INTO reports FROM casemis.import_report p WHERE p.run_id = rid;
  RETURN QUERY SELECT c.ord, c.file, rid, r.status, r.status = c.status,
    strpos(r.message, c.message) > 0,
    coalesce(errs, '') = coalesce(c.errors, ''),
    CASE WHEN r.status = 'succeeded' THEN NULL
         ELSE cse0 = pg_temp.table_hash('casemis.cse') AND csv0 = pg_temp.table_hash('casemis.csv') AND reports = 0 END,
    (SELECT s.started = pg_postmaster_start_time() AND s.pid = pg_backend_pid() FROM mf_server s),
    r.message, errs, r.hint;
END $$;

-- every case but the last, each as a statement of its own
\set QUIET on
SELECT format('INSERT INTO mf_result SELECT * FROM pg_temp.mf_run(%L)', file)
  FROM mf_case WHERE file <> 'gen/g13_changes_while_read.csv' ORDER BY ord \gexec

-- A file that changes while it is read: a background writer appends a byte
-- every 20 ms (for at most 30 s) while the 256 MiB file is copied.
\! (i=0; while [ ! -e "$CASEMIS_MF_GEN/stop" ] && [ $i -lt 1500 ]; do printf x >>"$CASEMIS_MF_GEN/g13_changes_while_read.csv"; sleep 0.02; i=$((i+1)); done; touch "$CASEMIS_MF_GEN/stopped") >/dev/null 2>&1 &
\! sleep 0.2
INSERT INTO mf_result SELECT * FROM pg_temp.mf_run('gen/g13_changes_while_read.csv');
\! touch "$CASEMIS_MF_GEN/stop"; i=0; while [ ! -e "$CASEMIS_MF_GEN/stopped" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
\set QUIET off

-- ---------------------------------------------------------------- the outcomes
SELECT 1 AS server_alive;
SELECT count(*) AS cases, count(*) FILTER (WHERE status_ok AND message_ok AND errors_ok) AS as_expected,
       count(*) FILTER (WHERE status = 'failed') AS failed_runs,
       count(*) FILTER (WHERE status = 'failed' AND untouched) AS failed_and_untouched,
       count(*) FILTER (WHERE alive) AS server_alive_after
  FROM mf_result;
-- per case (the message as recorded, paths under the test root shortened)
SELECT file, status, status_ok AND message_ok AND errors_ok AS ok, coalesce(untouched::text, '-') AS untouched,
       left(replace(regexp_replace(message, ' Warnings: Table .: Header\(s\) of the layout not found in the file: [A-Z0-9_, ]+\.$', ''),
                    :'root', '<root>'), 140) AS message,
       left(replace(hint, :'root', '<root>'), 80) AS hint
  FROM mf_result ORDER BY ord;
-- any case not as the manifest says, in full
SELECT r.file, r.status, c.status AS expected_status, r.message, c.message AS expected_in_message,
       r.errors, c.errors AS expected_errors
  FROM mf_result r JOIN mf_case c USING (ord)
 WHERE NOT (r.status_ok AND r.message_ok AND r.errors_ok AND r.alive);

-- ---------------------------------------------------------------- values kept exactly
-- re-run a few cases on empty cse/csv and look at what they wrote
CREATE FUNCTION pg_temp.rerun(f text) RETURNS bigint LANGUAGE sql AS $$
  SELECT casemis.casemis_import('mf' || ord, force => true) FROM mf_case WHERE file = f $$;
-- Windows-1252 text is converted (the name as the report shows it)
SELECT last_name, first_name, reason FROM casemis.import_report
 WHERE run_id = (SELECT run_id FROM mf_result WHERE file = 'a13_invalid_utf8_is_1252.csv')
   AND report = 'CASEMIS_TypeA_UnmatchedRecords.csv';
-- control characters kept as they are (cse column and extra)
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('a38_control_characters.csv') AS rr \gset
SELECT student_id, grade = E'0\x015' AS grade_kept, extra->>'NOTE' = E'bell\x07 esc\x1b[31m del\x7f' AS note_kept,
       extra->>'NOTE' = E'tab\there' AS tab_kept
  FROM casemis.cse WHERE student_id IN (1001, 1002) ORDER BY 1;
-- COPY's escapes in the data are data: \N is not NULL, \. does not end anything
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('a39_copy_escape_values.csv') AS rr \gset
SELECT student_id, grade, extra->>'NOTE' AS note FROM casemis.cse WHERE student_id IN (1001, 1002, 1003) ORDER BY 1;
-- SQL in values is text
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('a40_sql_injection_values.csv') AS rr \gset
SELECT student_id, disabilit1, extra->>'NOTE' AS note FROM casemis.cse WHERE student_id IN (1001, 1002) ORDER BY 1;
SELECT last_name FROM casemis.import_report WHERE run_id = :rr
   AND report = 'CASEMIS_TypeA_ImportedRecords.csv' ORDER BY line_number;
SELECT to_regclass('casemis.cse') IS NOT NULL AS cse_exists, (SELECT count(*) FROM casemis.students) AS students;
-- quoted line breaks and quotes
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('a41_quoted_newlines.csv') AS rr \gset
SELECT student_id, replace(replace(extra->>'NOTE', E'\r', '\r'), E'\n', '\n') AS note FROM casemis.cse
 WHERE student_id IN (1001, 1002) ORDER BY 1;
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('a50_quoted_empty_and_escaped_quotes.csv') AS rr \gset
SELECT student_id, extra->>'NOTE' AS note FROM casemis.cse WHERE student_id IN (1001, 1002, 1003) ORDER BY 1;
-- a field of 1,000,000 bytes; 99,991 unknown columns kept, but the run's message stays short
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('gen/g08_long_field_within_limit.csv') AS rr \gset
SELECT length(extra->>'NOTE') AS note_length FROM casemis.cse WHERE student_id = 1001;
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('gen/g03_columns_100k_limit_raised.csv') AS rr \gset
SELECT (SELECT count(*) FROM jsonb_object_keys(extra)) AS extra_keys FROM casemis.cse WHERE student_id = 1001;
SELECT length(message) < 2000 AS message_short, message LIKE '%C108, C109 and 99891 more;%' AS says_how_many
  FROM casemis.import_run WHERE run_id = :rr;
-- Table B with only SSID, or only STUDENT_ID: services land on the right students
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('b04_only_ssid.csv') AS rr \gset
SELECT student_id, service FROM casemis.csv ORDER BY 1, 2;
TRUNCATE casemis.cse, casemis.csv;
SELECT pg_temp.rerun('b05_only_student_id.csv') AS rr \gset
SELECT student_id, service FROM casemis.csv ORDER BY 1, 2;

-- ---------------------------------------------------------------- the same bytes uploaded
-- casemis_import_files checks uploads the same way
CREATE TEMP TABLE up AS
SELECT f, casemis.casemis_import_files(pg_read_binary_file(:'fx' || '/' || f), NULL, 'mf1') AS run_id
  FROM unnest(ARRAY['a01_empty.csv', 'a07_binary_garbage.bin', 'a10_utf16le_bom.csv', 'a12_not_utf8_not_1252.csv',
                    'a17_unterminated_quote_header.csv', 'a21_duplicate_headers.csv']) f;
SELECT u.f, r.status, r.message FROM up u JOIN casemis.import_run r USING (run_id) ORDER BY u.f;
SELECT 1 AS server_alive;

\! rm -rf "$CASEMIS_MF_GEN"
DELETE FROM casemis.import_settings WHERE name LIKE 'mf%';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
