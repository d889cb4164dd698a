-- import_passes: what each pass over the files writes (src/run/import.cpp). An
-- invalid record's Errors rows and all of Table B's report rows are written in
-- pass 1, and Table B is read again only for the services a run writes: so the
-- reports are the same whether a run writes every student's services, none
-- (nothing changed), one student's, or only counts them (a dry run, whose csv
-- NOTICE still counts the rows it would insert).
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') || '/scratch/import_passes' AS dir \gset
\setenv IP_DIR :dir
\setenv PGDATABASE :DBNAME
\! mkdir -p "$IP_DIR"

INSERT INTO casemis.students VALUES
 (7101, '7100000001', 'Passa', 'Ann', '2008-01-01', '05', 1),
 (7102, '7100000002', 'Passb', 'Ben', '2009-02-02', '04', 1),
 (7103, '7100000003', 'Passc', 'Cy', '2010-03-03', '03', 1);
INSERT INTO casemis.import_settings (name, school_year) VALUES ('ip', 2017);

-- Table A: two imported, an error, an unmatched SSID, two duplicates.
-- Table B: services of both imported, of the error's and the duplicates'
-- STUDENT_IDs, of no Table A record, and an invalid one.
\! printf '%s\n' 'SELPA_CODE,STUDENT_ID,SSID,LAST_NAME,FIRST_NAME,BIRTHDATE,GRADE,PLAN_TYPE,DISABILIT1' '3401,P-1,7100000001,Passa,Ann,20080101,05,10,240' '3401,P-2,7100000002,Passb,Ben,20090202,04,10,210' '3401,P-E,7100000009,Err,Eve,20081345,05,10,240' '3401,P-U,7199999999,Nobody,Ned,20080101,05,10,240' '3401,P-3,7100000003,Passc,Cy,20100303,03,10,240' '3401,P-3b,7100000003,Passc,Cy,20100303,03,10,240' > "$IP_DIR/a.csv"
\! printf '%s\n' 'SELPA_CODE,STUDENT_ID,SSID,SERVICE,PROVIDER,LOCATION,FREQUENCY,DURATION,START_DATE,END_DATE' '3401,P-1,7100000001,330,10,100,2,30,20170901,20180601' '3401,P-1,7100000001,415,10,100,1,60,20170901,20180601' '3401,P-2,7100000002,330,10,100,2,30,20170901,20180601' '3401,P-E,7100000009,330,10,100,2,30,20170901,20180601' '3401,P-3,7100000003,330,10,100,2,30,20170901,20180601' '3401,P-Z,,330,10,100,2,30,20170901,20180601' '3401,P-1,7100000001,510,10,100,2,30,20171399,20180601' > "$IP_DIR/b.csv"
-- the csv NOTICE a caller gets (timings cut)
CREATE FUNCTION pg_temp.csv_notice() RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(regexp_replace(l, ',? in [0-9.]+ s.*$', ''), E'\n')
    FROM regexp_split_to_table(pg_read_file(current_setting('casemis_test.root') || '/scratch/import_passes/client.txt'), E'\n') AS l
   WHERE l ~ 'NOTICE:  (dry run: )?csv' $$;
CREATE FUNCTION pg_temp.reports(run bigint) RETURNS TABLE (report text, body text) LANGUAGE sql AS $$
  SELECT k.report, replace(casemis.report_csv(run, k.report), E'\r', '\r')
    FROM (SELECT DISTINCT c.report FROM casemis.report_chunk c WHERE c.run_id = run) k ORDER BY k.report $$;

-- 1. the first run writes every matched student's services
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$IP_DIR/a.csv'), pg_read_binary_file('$IP_DIR/b.csv'), 'ip', NULL, false, true)" >"$IP_DIR/client.txt" 2>&1
SELECT max(run_id) AS r1 FROM casemis.import_run \gset
SELECT pg_temp.csv_notice() AS csv_says;
SELECT status, type_a_imported, type_a_unmatched, type_a_duplicates, type_a_errors,
       type_b_imported, type_b_unmatched, type_b_errors
  FROM casemis.import_run WHERE run_id = :r1;
SELECT * FROM pg_temp.reports(:r1);
SELECT student_id, service, start_date, end_date FROM casemis.csv WHERE student_id BETWEEN 7101 AND 7103
 ORDER BY student_id, service;

-- 2. a dry run counts the rows it would insert; the same reports
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$IP_DIR/a.csv'), pg_read_binary_file('$IP_DIR/b.csv'), 'ip', NULL, true, true)" >"$IP_DIR/client.txt" 2>&1
SELECT max(run_id) AS r2 FROM casemis.import_run \gset
SELECT pg_temp.csv_notice() AS csv_says;
SELECT status FROM casemis.import_run WHERE run_id = :r2;
SELECT a.report, a.body IS NOT DISTINCT FROM b.body AS same_as_run1
  FROM pg_temp.reports(:r1) a FULL JOIN pg_temp.reports(:r2) b USING (report) ORDER BY 1;

-- 3. nothing changed: no student's services written (Table B is not read
--    again); the same reports
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$IP_DIR/a.csv'), pg_read_binary_file('$IP_DIR/b.csv'), 'ip', NULL, false, true)" >"$IP_DIR/client.txt" 2>&1
SELECT max(run_id) AS r3 FROM casemis.import_run \gset
SELECT pg_temp.csv_notice() AS csv_says;
SELECT a.report, a.body IS NOT DISTINCT FROM b.body AS same_as_run1
  FROM pg_temp.reports(:r1) a FULL JOIN pg_temp.reports(:r3) b USING (report) ORDER BY 1;
SELECT count(*) AS csv_rows, count(*) FILTER (WHERE run_id = :r1) AS by_run1
  FROM casemis.csv WHERE student_id BETWEEN 7101 AND 7103;

-- 4. one service of 7102 changes: only 7102's services are written (its
--    record validated again), the reports as the file says
\! sed -i 's/^3401,P-2,7100000002,330,10,100,2,30,/3401,P-2,7100000002,331,10,100,2,30,/' "$IP_DIR/b.csv"
\! psql -X -q -At -c "SELECT casemis.casemis_import_files(pg_read_binary_file('$IP_DIR/a.csv'), pg_read_binary_file('$IP_DIR/b.csv'), 'ip', NULL, false, true)" >"$IP_DIR/client.txt" 2>&1
SELECT max(run_id) AS r4 FROM casemis.import_run \gset
SELECT pg_temp.csv_notice() AS csv_says;
SELECT student_id, service, run_id = :r4 AS by_r4 FROM casemis.csv WHERE student_id BETWEEN 7101 AND 7103
 ORDER BY student_id, service;
SELECT a.report, a.body IS NOT DISTINCT FROM b.body AS same_as_run1
  FROM pg_temp.reports(:r1) a FULL JOIN pg_temp.reports(:r4) b USING (report) ORDER BY 1;
SELECT body AS b_imported FROM pg_temp.reports(:r4) WHERE report = 'CASEMIS_TypeB_ImportedRecords.csv';

DELETE FROM casemis.csv WHERE student_id BETWEEN 7101 AND 7103;
DELETE FROM casemis.cse WHERE student_id BETWEEN 7101 AND 7103;
DELETE FROM casemis.students WHERE student_id BETWEEN 7101 AND 7103;
DELETE FROM casemis.import_settings WHERE name = 'ip';
