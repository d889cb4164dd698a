-- revert_stamps: a run that only stamps (last_updated, last_run_id) more than
-- 10000 students of one former stamp saves them as several rows of
-- casemis.run_history_cse_stamp (at most 10000 ids a row, each sorted, every
-- student once), and revert_run puts every stamp back exactly: NULLs, infinity
-- and a BC date included, beside updated and inserted rows of the same run.
SET client_min_messages = warning;
SET datestyle = ISO;
TRUNCATE casemis.cse, casemis.csv;
INSERT INTO casemis.students
SELECT 700000 + i, (7000000000 + i)::text, 'Last', 'First', '2008-01-01', '05', 1 FROM generate_series(1, 25005) i;
INSERT INTO casemis.import_settings (name, school_year) VALUES ('rst', 2017);
-- Table A as bytes: DISABILIT1 240, except the students in "changed" (280)
CREATE TEMP TABLE changed (student_id bigint PRIMARY KEY);
CREATE FUNCTION pg_temp.table_a(last bigint) RETURNS bytea LANGUAGE sql AS $$
  SELECT convert_to('SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE,DISABILIT1' || E'\n' ||
                    string_agg(format('%s,S-%s,Last,First,20080101,%s', s.ssid, s.student_id,
                                      CASE WHEN c.student_id IS NULL THEN '240' ELSE '280' END),
                               E'\n' ORDER BY s.student_id) || E'\n', 'UTF8')
    FROM casemis.students s LEFT JOIN pg_temp.changed c USING (student_id)
   WHERE s.student_id BETWEEN 700001 AND last $$;

-- run 1 inserts 25000 students; then their stamps are made various
SELECT casemis.casemis_import_files(pg_temp.table_a(725000), NULL, 'rst') AS first \gset
UPDATE casemis.cse SET last_updated = '2016-09-01', last_run_id = NULL WHERE student_id BETWEEN 712001 AND 723000;
UPDATE casemis.cse SET last_updated = NULL WHERE student_id BETWEEN 723001 AND 724000;
UPDATE casemis.cse SET last_updated = 'infinity' WHERE student_id BETWEEN 724001 AND 724100;
UPDATE casemis.cse SET last_updated = '-infinity', last_run_id = NULL WHERE student_id BETWEEN 724101 AND 724200;
UPDATE casemis.cse SET last_updated = '0044-03-15 BC' WHERE student_id BETWEEN 724201 AND 724300;
UPDATE casemis.cse SET last_updated = '2017-02-28', last_run_id = -7 WHERE student_id > 724300;
CREATE TEMP TABLE snap AS SELECT * FROM casemis.cse;

-- run 2: 10 students changed, 5 new, the other 24990 only stamped
INSERT INTO changed SELECT generate_series(700001, 725000, 2500);
SELECT casemis.casemis_import_files(pg_temp.table_a(725005), NULL, 'rst') AS second \gset
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = :second;
SELECT count(*) FILTER (WHERE last_run_id = :second) AS stamped_by_second, count(*) AS cse_rows FROM casemis.cse;
SELECT count(*) AS before_images FROM casemis.run_history_cse WHERE run_id = :second;
-- its stamp rows: one stamp of 12000 students takes two rows, of 11000 two
SELECT CASE WHEN st.last_updated = r.run_date THEN 'run 1''s date' ELSE st.last_updated::text END AS last_updated,
       CASE st.last_run_id WHEN :first THEN 'run 1' ELSE st.last_run_id::text END AS last_run_id,
       count(*) AS rows, sum(cardinality(st.student_ids)) AS students, max(cardinality(st.student_ids)) AS largest,
       bool_and(st.student_ids = ARRAY(SELECT x FROM unnest(st.student_ids) x ORDER BY x)) AS sorted
  FROM casemis.run_history_cse_stamp st, casemis.import_run r
 WHERE st.run_id = :second AND r.run_id = :first
 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS ids, count(DISTINCT x) AS distinct_ids
  FROM casemis.run_history_cse_stamp st, unnest(st.student_ids) x WHERE st.run_id = :second;

-- the revert: cse exactly as before run 2
SELECT casemis.revert_run(:second) AS revert \gset
SELECT status, trigger, revert_of = :second AS of_second, replace(message, 'run ' || :second, 'run <second>') AS message
  FROM casemis.import_run WHERE run_id = :revert;
SELECT status FROM casemis.import_run WHERE run_id = :second;
SELECT count(*) AS differ FROM ((TABLE casemis.cse EXCEPT ALL TABLE snap) UNION ALL (TABLE snap EXCEPT ALL TABLE casemis.cse)) d;
SELECT count(*) FILTER (WHERE last_updated IS NULL) AS null_dates, count(*) FILTER (WHERE last_updated = 'infinity') AS infinity,
       count(*) FILTER (WHERE last_updated = '-infinity') AS minus_infinity, count(*) FILTER (WHERE last_updated = '0044-03-15 BC') AS bc,
       count(*) FILTER (WHERE last_run_id IS NULL) AS null_runs, count(*) FILTER (WHERE last_run_id = -7) AS run_minus_7
  FROM casemis.cse;

-- clean up for the next tests
DELETE FROM casemis.import_settings WHERE name = 'rst';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
