-- side_thread: the Services file read and matched on a second thread while the
-- Student Data file's rows are written (src/run/import.cpp, ServicesOnSide;
-- README, "Server parameters"). The same files imported with
-- casemis_import.side_thread off and on give the same counts, report rows
-- (several chunks of 10000 handed from one thread to the other), cse and csv;
-- a Windows-1252 Services file is read on the main thread (PostgreSQL's
-- converter); a fatal line in the Services file fails the run the same way in
-- both, writing nothing.
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') || '/scratch/side_thread' AS dir \gset
SELECT :'dir' || '/a.csv' AS afile, :'dir' || '/b.csv' AS bfile \gset
\setenv ST_DIR :dir
\setenv PGDATABASE :DBNAME
\! mkdir -p "$ST_DIR"

-- 12000 students; Table A with errors, unknown SSIDs and duplicates; Table B
-- with three services each (36000 records), errors and unmatched ones
INSERT INTO casemis.students
SELECT 800000 + i, '78' || lpad(i::text, 8, '0'), 'Side' || i, 'Ann', '2008-01-01', '05', 1
  FROM generate_series(1, 12000) i;
INSERT INTO casemis.import_settings (name, school_year) VALUES ('st', 2017);
COPY (SELECT '3401' AS "SELPA_CODE", 'T-' || i AS "STUDENT_ID",
             CASE WHEN i % 1000 = 13 THEN '7999999999' ELSE '78' || lpad(i::text, 8, '0') END AS "SSID",
             'Side' || i AS "LAST_NAME", 'Ann' AS "FIRST_NAME",
             CASE WHEN i % 1000 = 7 THEN '20081345' ELSE '20080101' END AS "BIRTHDATE",
             '05' AS "GRADE", '10' AS "PLAN_TYPE", '240' AS "DISABILIT1"
        FROM generate_series(1, 12000) i, generate_series(1, 2) d
       WHERE d = 1 OR i % 1000 = 21
       ORDER BY i, d) TO STDOUT (FORMAT csv, HEADER) \g :afile
COPY (SELECT '3401' AS "SELPA_CODE", CASE WHEN i % 991 = 3 THEN 'T-X' || i ELSE 'T-' || i END AS "STUDENT_ID",
             CASE WHEN i % 991 = 3 THEN '' ELSE '78' || lpad(i::text, 8, '0') END AS "SSID",
             (ARRAY['330', '415', '510'])[k] AS "SERVICE", '10' AS "PROVIDER", '100' AS "LOCATION",
             '2' AS "FREQUENCY", (30 * k)::text AS "DURATION",
             CASE WHEN i % 997 = 5 AND k = 1 THEN '20171399' ELSE '20170901' END AS "START_DATE",
             '20180601' AS "END_DATE"
        FROM generate_series(1, 12000) i, generate_series(1, 3) k ORDER BY i, k) TO STDOUT (FORMAT csv, HEADER) \g :bfile

-- the Table B NOTICE a caller gets (timings cut), and what a run left
CREATE FUNCTION pg_temp.b_notice() RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(regexp_replace(l, ' in [0-9.]+ s.*$', ''), E'\n')
    FROM regexp_split_to_table(pg_read_file(current_setting('casemis_test.root') || '/scratch/side_thread/client.txt'), E'\n') AS l
   WHERE l ~ 'NOTICE:  Table B' $$;
CREATE FUNCTION pg_temp.reports(run bigint) RETURNS TABLE (report text, rows bigint, body_md5 text) LANGUAGE sql AS $$
  SELECT k.report, (SELECT count(*) FROM casemis.import_report r WHERE r.run_id = run AND r.report = k.report),
         md5(casemis.report_csv(run, k.report))
    FROM (SELECT DISTINCT c.report FROM casemis.report_chunk c WHERE c.run_id = run) k ORDER BY k.report $$;
CREATE FUNCTION pg_temp.data_md5() RETURNS text LANGUAGE sql AS $$
  SELECT md5((SELECT string_agg((to_jsonb(c) - 'last_run_id')::text, E'\n' ORDER BY c.student_id)
                FROM casemis.cse c WHERE c.student_id BETWEEN 800001 AND 812000) ||
             (SELECT string_agg((to_jsonb(s) - 'run_id')::text, E'\n' ORDER BY s.student_id, s.service, s.duration)
                FROM casemis.csv s WHERE s.student_id BETWEEN 800001 AND 812000)) $$;
CREATE FUNCTION pg_temp.forget() RETURNS void LANGUAGE sql AS $$
  DELETE FROM casemis.csv WHERE student_id BETWEEN 800001 AND 812000;
  DELETE FROM casemis.csv_digest WHERE student_id BETWEEN 800001 AND 812000;
  DELETE FROM casemis.cse WHERE student_id BETWEEN 800001 AND 812000 $$;
CREATE TEMP TABLE runs (mode text, run_id bigint, data_md5 text);

-- 1. the same first import with the side thread off, then on (each from the
--    same start: the first run's rows are forgotten before the second)
ALTER DATABASE :"DBNAME" SET casemis_import.side_thread = off;
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$ST_DIR/a.csv'), pg_read_binary_file('$ST_DIR/b.csv'), 'st', NULL, false, true)" >"$ST_DIR/client.txt" 2>&1
SELECT pg_temp.b_notice() AS off_says;
INSERT INTO runs SELECT 'off', max(run_id), pg_temp.data_md5() FROM casemis.import_run;
SELECT pg_temp.forget();
ALTER DATABASE :"DBNAME" SET casemis_import.side_thread = on;
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$ST_DIR/a.csv'), pg_read_binary_file('$ST_DIR/b.csv'), 'st', NULL, false, true)" >"$ST_DIR/client.txt" 2>&1
SELECT pg_temp.b_notice() AS on_says;
INSERT INTO runs SELECT 'on', max(run_id), pg_temp.data_md5() FROM casemis.import_run;

SELECT r.mode, i.status, i.type_a_imported, i.type_a_unmatched, i.type_a_duplicates, i.type_a_errors,
       i.type_a_not_in_file, i.type_b_imported, i.type_b_unmatched, i.type_b_errors, i.message
  FROM runs r JOIN casemis.import_run i USING (run_id) ORDER BY r.mode DESC;
SELECT (SELECT data_md5 FROM runs WHERE mode = 'off') = (SELECT data_md5 FROM runs WHERE mode = 'on') AS same_cse_csv,
       (SELECT count(*) FROM casemis.csv WHERE student_id BETWEEN 800001 AND 812000) AS csv_rows;
SELECT a.report, a.rows, a.body_md5 = b.body_md5 AS same_report
  FROM pg_temp.reports((SELECT run_id FROM runs WHERE mode = 'off')) a
  FULL JOIN pg_temp.reports((SELECT run_id FROM runs WHERE mode = 'on')) b USING (report) ORDER BY 1;
SELECT count(DISTINCT chunk) AS b_imported_chunks FROM casemis.report_chunk
 WHERE run_id = (SELECT run_id FROM runs WHERE mode = 'on') AND report = 'CASEMIS_TypeB_ImportedRecords.csv';

-- 2. a forced re-import on the side thread: nothing changed, the same reports
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$ST_DIR/a.csv'), pg_read_binary_file('$ST_DIR/b.csv'), 'st', NULL, false, true)" >"$ST_DIR/client.txt" 2>&1
INSERT INTO runs SELECT 're', max(run_id), pg_temp.data_md5() FROM casemis.import_run;
SELECT i.status, i.type_b_imported, r.data_md5 = (SELECT data_md5 FROM runs WHERE mode = 'on') AS same_cse_csv,
       (SELECT count(*) FROM casemis.csv s WHERE s.student_id BETWEEN 800001 AND 812000 AND s.run_id = r.run_id) AS csv_rows_rewritten
  FROM runs r JOIN casemis.import_run i USING (run_id) WHERE r.mode = 're';
SELECT a.report, a.body_md5 = b.body_md5 AS same_report
  FROM pg_temp.reports((SELECT run_id FROM runs WHERE mode = 'on')) a
  FULL JOIN pg_temp.reports((SELECT run_id FROM runs WHERE mode = 're')) b USING (report) ORDER BY 1;

-- 3. a Windows-1252 Services file (a byte that is no UTF-8) is read on the main thread
\! sed -i '2s/,10,100,/,10\xe9,100,/' "$ST_DIR/b.csv"
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$ST_DIR/a.csv'), pg_read_binary_file('$ST_DIR/b.csv'), 'st', NULL, false, true)" >"$ST_DIR/client.txt" 2>&1
SELECT pg_temp.b_notice() AS cp1252_says;
SELECT status, type_b_imported, type_b_errors FROM casemis.import_run ORDER BY run_id DESC LIMIT 1;
SELECT provider FROM casemis.csv WHERE student_id = 800001 AND service = '330';

-- 4. a line longer than max_line_length near the end of the Services file
--    fails the run, on the side thread as on the main one, writing nothing
SELECT pg_temp.data_md5() AS before_md5 \gset
UPDATE casemis.import_settings SET max_line_length = 200 WHERE name = 'st';
\! sed -i '35990s/$/,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/' "$ST_DIR/b.csv"
\! sed -i '2s/,10\xe9,100,/,10,100,/' "$ST_DIR/b.csv"
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$ST_DIR/a.csv'), pg_read_binary_file('$ST_DIR/b.csv'), 'st', NULL, false, true)" >"$ST_DIR/client.txt" 2>&1
INSERT INTO runs SELECT 'fail_on', max(run_id), NULL FROM casemis.import_run;
ALTER DATABASE :"DBNAME" SET casemis_import.side_thread = off;
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$ST_DIR/a.csv'), pg_read_binary_file('$ST_DIR/b.csv'), 'st', NULL, false, true)" >"$ST_DIR/client.txt" 2>&1
INSERT INTO runs SELECT 'fail_off', max(run_id), NULL FROM casemis.import_run;
ALTER DATABASE :"DBNAME" RESET casemis_import.side_thread;
SELECT r.mode, i.status, i.errcode, i.message FROM runs r JOIN casemis.import_run i USING (run_id)
 WHERE r.mode LIKE 'fail%' ORDER BY r.mode DESC;
SELECT pg_temp.data_md5() = :'before_md5' AS nothing_written;

-- the parameter: superuser only, on by default
SELECT name, setting, context, vartype FROM pg_settings WHERE name = 'casemis_import.side_thread';

SELECT pg_temp.forget();
DELETE FROM casemis.students WHERE student_id BETWEEN 800001 AND 812000;
DELETE FROM casemis.import_settings WHERE name = 'st';
