-- write_changes: a run writes only what changes. Students whose services equal
-- the stored ones for the year (in any order) keep their csv rows (same ctid and
-- xmin); a cse row the file does not change gets only last_updated and
-- last_run_id (no UPDATE names another column: an UPDATE OF trigger stays
-- silent); changed students are rewritten; the end state is the rules' own.
SET client_min_messages = warning;
SET datestyle = ISO;

INSERT INTO casemis.students VALUES
 (7001, '7000000001', 'Quote', 'Anne', '2008-01-01', '05', 1),
 (7002, '7000000002', 'Comma', 'Bob', '2009-02-02', '04', 1),
 (7003, '7000000003', 'Space', 'Cy', '2010-03-03', '03', 1);
INSERT INTO casemis.import_settings (name, school_year) VALUES ('wc', 2017);

-- values that need quoting in ROW(...)::text and escaping in jsonb
CREATE TEMP TABLE wc_file (name text PRIMARY KEY, body text);
INSERT INTO wc_file VALUES
 ('a', E'SELPA_CODE,STUDENT_ID,SSID,LAST_NAME,FIRST_NAME,BIRTHDATE,GRADE,PLAN_TYPE,DISABILIT1,IN_REGCLS,EXIT_DATE,FILLER1,FILLER2,FILLER3,FILLER4,FILLER5,FILLER6,LOCAL_NOTE\n'
       '3401,"W ""1"", x",7000000001,Quote,Anne,20080101,05,10,240,080,,Y,,,,,,"a ""b"", \\c (d)"\n'
       '3401,W-2,7000000002,Comma,Bob,20090202,04,10,210,100,,,,,,,,\n'
       '3401,W-3,7000000003,Space,Cy,20100303,03,10,240,50,06/30/2018,N,N,N,N,N,N,plain\n'),
 ('b', E'SELPA_CODE,STUDENT_ID,SSID,SERVICE,PROVIDER,LOCATION,FREQUENCY,DURATION,START_DATE,END_DATE,NOTE\n'
       '3401,"W ""1"", x",7000000001,330,"p, ""q"" \\r",100,2,30,20170901,20180601,"tab\there"\n'
       '3401,"W ""1"", x",7000000001,415,10,100,1,60,09/01/2017,06/01/2018,\n'
       '3401,W-2,7000000002,330,10,100,2,30,20170901,20180601,( )\n'
       '3401,W-2,7000000002,330,10,100,2,30,20170901,20180601,( )\n'
       '3401,W-3,7000000003,510,10,,,,,,\n');
-- the same Table B records in another order
INSERT INTO wc_file SELECT 'b_shuffled', E'SELPA_CODE,STUDENT_ID,SSID,SERVICE,PROVIDER,LOCATION,FREQUENCY,DURATION,START_DATE,END_DATE,NOTE\n'
    || string_agg(l, E'\n' ORDER BY md5(l) DESC) || E'\n'
  FROM (SELECT unnest(string_to_array(rtrim(body, E'\n'), E'\n')) l FROM wc_file WHERE name = 'b') s
 WHERE l NOT LIKE 'SELPA_CODE%';
CREATE FUNCTION pg_temp.run(a text, b text) RETURNS bigint LANGUAGE sql AS $$
  SELECT casemis.casemis_import_files(convert_to((SELECT body FROM wc_file WHERE name = a), 'UTF8'),
                                      convert_to((SELECT body FROM wc_file WHERE name = b), 'UTF8'), 'wc') $$;

-- which cse columns an UPDATE names besides last_updated / last_run_id
CREATE TABLE public.wc_cse_updates (run bigint, student_id bigint);
CREATE FUNCTION public.wc_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.wc_cse_updates VALUES (NEW.last_run_id, NEW.student_id); RETURN NEW; END $$;
CREATE TRIGGER wc_cse_data_update AFTER UPDATE OF selpa_code, selpa_student_id, plan_type, disabilit1, in_regcls,
  grade, exit_date, test_participation_1, test_participation_2, test_participation_6, extra
  ON casemis.cse FOR EACH ROW WHEN (NEW.student_id BETWEEN 7001 AND 7003) EXECUTE FUNCTION public.wc_log();

SELECT pg_temp.run('a', 'b') AS r1 \gset
SELECT status, type_a_imported, type_b_imported, type_b_unmatched, type_b_errors FROM casemis.import_run WHERE run_id = :r1;
CREATE TEMP TABLE wc_before AS SELECT ctid AS tid, xmin::text AS x, student_id, service FROM casemis.csv WHERE student_id BETWEEN 7001 AND 7003;
SELECT count(*) AS rows_run1 FROM wc_before;

-- 1. the same files, services in another order: no csv row rewritten, no cse data column updated
SELECT pg_temp.run('a', 'b_shuffled') AS r2 \gset
SELECT status, type_a_imported, type_b_imported FROM casemis.import_run WHERE run_id = :r2;
SELECT count(*) AS csv_rows, count(*) FILTER (WHERE (c.ctid, c.xmin::text) = (b.tid, b.x)) AS untouched
  FROM casemis.csv c LEFT JOIN wc_before b ON b.tid = c.ctid WHERE c.student_id BETWEEN 7001 AND 7003;
SELECT count(*) AS cse_data_updates FROM public.wc_cse_updates;
SELECT student_id, last_run_id = :r2 AS stamped, last_updated = current_date AS updated_today
  FROM casemis.cse WHERE student_id BETWEEN 7001 AND 7003 ORDER BY student_id;
-- reports as complete as ever
SELECT replace(casemis.report_csv(:r2, 'CASEMIS_TypeB_ImportedRecords.csv'), E'\r', '\r') AS b_imported;
SELECT replace(casemis.report_csv(:r2, 'CASEMIS_TypeA_ImportedRecords.csv'), E'\r', '\r') AS a_imported;

-- 2. one service of 7002 and one cse value of 7003 change: only they are written
UPDATE wc_file SET body = regexp_replace(body, '(W-2,7000000002,330,[^\n]*\n3401,W-2,7000000002,)330', '\1331') WHERE name = 'b';
UPDATE wc_file SET body = replace(body, ',50,06/30/2018', ',51,06/30/2018') WHERE name = 'a';
SELECT pg_temp.run('a', 'b') AS r3 \gset
SELECT c.student_id, count(*) AS csv_rows, count(b.tid) AS untouched
  FROM casemis.csv c LEFT JOIN wc_before b ON (b.tid, b.x) = (c.ctid, c.xmin::text)
 WHERE c.student_id BETWEEN 7001 AND 7003 GROUP BY c.student_id ORDER BY c.student_id;
SELECT run = :r3 AS by_r3, student_id FROM public.wc_cse_updates ORDER BY student_id;

-- 3. a stored value the file does not hold (a DBA's edit) is not "unchanged":
--    the run puts the file's value back; so is an extra key the file gives again
UPDATE casemis.csv SET provider = 'edited' WHERE student_id = 7001 AND service = '415';
UPDATE casemis.cse SET extra = '{"LOCAL_NOTE": "edited", "KEEP": "me"}' WHERE student_id = 7001;
UPDATE casemis.cse SET grade = '99' WHERE student_id = 7002;
TRUNCATE public.wc_cse_updates;
SELECT pg_temp.run('a', 'b') AS r4 \gset
SELECT student_id FROM public.wc_cse_updates ORDER BY student_id;

-- the end state: the rules' own
SELECT student_id, selpa_code, selpa_student_id, plan_type, disabilit1, in_regcls, grade, exit_date,
       test_participation_1 AS tp1, test_participation_2 AS tp2, test_participation_6 AS tp6, extra,
       last_run_id = :r4 AS by_r4
  FROM casemis.cse WHERE student_id BETWEEN 7001 AND 7003 ORDER BY student_id;
SELECT student_id, school_year, service_start_date, selpa_student_id, service, provider, location, frequency,
       duration, start_date, end_date, record
  FROM casemis.csv WHERE student_id BETWEEN 7001 AND 7003 ORDER BY student_id, service, record::text;

-- the stamp of an unchanged row is a HOT update (no row moved, no index
-- entry): cse keeps half of each page free for it (src/sql/00_schema.sql)
SELECT reloptions FROM pg_class WHERE oid = 'casemis.cse'::regclass;

DROP TRIGGER wc_cse_data_update ON casemis.cse;
DROP FUNCTION public.wc_log();
DROP TABLE public.wc_cse_updates;
DELETE FROM casemis.csv WHERE student_id BETWEEN 7001 AND 7003;
DELETE FROM casemis.cse WHERE student_id BETWEEN 7001 AND 7003;
DELETE FROM casemis.students WHERE student_id BETWEEN 7001 AND 7003;
DELETE FROM casemis.import_settings WHERE name = 'wc';
