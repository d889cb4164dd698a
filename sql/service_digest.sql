-- service_digest: a run keeps, per student and school year, a digest of the
-- csv rows it wrote or found equal to its file (casemis.csv_digest), and trusts
-- it only while those rows are untouched (same xmin, same count): then it
-- decides "unchanged" without hashing the stored rows. Any change to the rows
-- (a DBA's edit, even one that changes no value; a revert) makes the run hash
-- them again, so the end state is always the rules' own.
SET client_min_messages = warning;
SET datestyle = ISO;

INSERT INTO casemis.students VALUES
 (7101, '7100000001', 'Digest', 'Ann', '2008-01-01', '05', 1),
 (7102, '7100000002', 'Digest', 'Ben', '2009-02-02', '04', 1),
 (7103, '7100000003', 'Digest', 'Cat', '2010-03-03', '03', 1),
 (7104, '7100000004', 'Digest', 'Dan', '2010-04-04', '03', 1),
 (7105, '7100000005', 'Digest', 'Eve', '2010-05-05', '03', 1);
INSERT INTO casemis.import_settings (name, school_year) VALUES ('sd', 2017);

CREATE TEMP TABLE sd_file (name text PRIMARY KEY, body text);
INSERT INTO sd_file VALUES
 ('a', E'SELPA_CODE,STUDENT_ID,SSID,LAST_NAME,FIRST_NAME,BIRTHDATE,GRADE,PLAN_TYPE,DISABILIT1,IN_REGCLS,EXIT_DATE\n'
       '3401,D-1,7100000001,Digest,Ann,20080101,05,10,240,80,\n'
       '3401,D-2,7100000002,Digest,Ben,20090202,04,10,210,100,\n'
       '3401,D-3,7100000003,Digest,Cat,20100303,03,10,240,50,\n'
       '3401,D-4,7100000004,Digest,Dan,20100404,03,10,240,50,\n'
       '3401,D-5,7100000005,Digest,Eve,20100505,03,10,240,50,\n'),
 ('b', E'SELPA_CODE,STUDENT_ID,SSID,SERVICE,PROVIDER,LOCATION,FREQUENCY,DURATION,START_DATE,END_DATE\n'
       '3401,D-1,7100000001,330,10,100,2,30,20170901,20180601\n'
       '3401,D-1,7100000001,415,10,100,1,60,20170901,20180601\n'
       '3401,D-2,7100000002,330,10,100,2,30,20170901,20180601\n'
       '3401,D-3,7100000003,510,10,100,1,45,20170901,20180601\n'
       '3401,D-3,7100000003,515,10,100,1,45,20170901,20180601\n'
       '3401,D-4,7100000004,330,10,100,2,30,20170901,20180601\n'
       '3401,D-5,7100000005,330,10,100,2,30,20170901,20180601\n');
CREATE FUNCTION pg_temp.run(dry boolean DEFAULT false) RETURNS bigint LANGUAGE sql AS $$
  SELECT casemis.casemis_import_files(convert_to((SELECT body FROM sd_file WHERE name = 'a'), 'UTF8'),
                                      convert_to((SELECT body FROM sd_file WHERE name = 'b'), 'UTF8'), 'sd', NULL, dry) $$;
-- each student's digest: does it hold (rows untouched since it was written)?
CREATE FUNCTION pg_temp.digests() RETURNS TABLE (student_id bigint, row_count int, csv_rows bigint, holds boolean)
LANGUAGE sql AS $$
  SELECT d.student_id, d.row_count, count(c.*),
         count(c.*) = d.row_count AND coalesce(bool_and(c.xmin = d.written_xid), false)
    FROM casemis.csv_digest d LEFT JOIN casemis.csv c ON (c.school_year, c.student_id) = (d.school_year, d.student_id)
   WHERE d.school_year = 2017 AND d.student_id BETWEEN 7101 AND 7105
   GROUP BY d.student_id, d.row_count ORDER BY d.student_id $$;
-- which students' csv rows a run rewrote (their rows carry its id)
CREATE FUNCTION pg_temp.rewritten(r bigint) RETURNS bigint[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(DISTINCT student_id ORDER BY student_id), '{}')
    FROM casemis.csv WHERE run_id = r AND student_id BETWEEN 7101 AND 7105 $$;

-- 1. the first run writes a digest for every student with services, by its own transaction
SELECT pg_temp.run() AS r1 \gset
SELECT status, type_b_imported FROM casemis.import_run WHERE run_id = :r1;
SELECT * FROM pg_temp.digests();
SELECT count(*) AS digests_by_other_xids FROM casemis.csv_digest d
  WHERE d.student_id BETWEEN 7101 AND 7105
    AND d.written_xid::text <> (SELECT min(c.xmin::text) FROM casemis.csv c WHERE c.run_id = :r1);

-- 2. a dry run writes no digest; the same files again rewrite nothing and keep the digests
CREATE TEMP TABLE sd_d1 AS SELECT * FROM casemis.csv_digest WHERE student_id BETWEEN 7101 AND 7105;
SELECT pg_temp.run(true) AS r_dry \gset
SELECT pg_temp.run() AS r2 \gset
SELECT pg_temp.rewritten(:r2) AS rewritten_r2;
SELECT count(*) AS digests_changed FROM casemis.csv_digest d JOIN sd_d1 o USING (school_year, student_id)
  WHERE (d.*)::text <> (o.*)::text;

-- 3. a digest that holds decides without the rows: one altered by hand (rows
--    untouched) makes its student "changed", and the run writes it anew
UPDATE casemis.csv_digest SET sum_a = sum_a + 1 WHERE student_id = 7102;
SELECT pg_temp.run() AS r3 \gset
SELECT pg_temp.rewritten(:r3) AS rewritten_r3;
SELECT * FROM pg_temp.digests() WHERE student_id = 7102;
SELECT d.sum_a = o.sum_a AS sum_as_before FROM casemis.csv_digest d JOIN sd_d1 o USING (school_year, student_id)
  WHERE student_id = 7102;

-- 4. a DBA's edit of one row voids its student's digest: the run hashes the
--    rows (only that student's: the others' digests hold) and puts the file's value back
UPDATE casemis.csv SET provider = 'edited' WHERE student_id = 7103 AND service = '515';
SELECT student_id, holds FROM pg_temp.digests() WHERE student_id = 7103;
SELECT pg_temp.run() AS r4 \gset
SELECT pg_temp.rewritten(:r4) AS rewritten_r4;
SELECT provider FROM casemis.csv WHERE student_id = 7103 AND service = '515';
SELECT * FROM pg_temp.digests() WHERE student_id = 7103;

-- 5. an edit that changes no value, of all of a student's rows: the rows are
--    hashed, found equal, left alone, and digested with the editing transaction
UPDATE casemis.csv SET provider = provider WHERE student_id = 7101;
CREATE TEMP TABLE sd_edit AS SELECT ctid AS tid, xmin::text AS x FROM casemis.csv WHERE student_id = 7101;
SELECT pg_temp.run() AS r5 \gset
SELECT pg_temp.rewritten(:r5) AS rewritten_r5;
SELECT count(*) AS rows_untouched FROM casemis.csv c JOIN sd_edit e ON (e.tid, e.x) = (c.ctid, c.xmin::text);
SELECT * FROM pg_temp.digests() WHERE student_id = 7101;

-- 6. the same edit of one of two rows: equal, left alone, but rows of two
--    transactions get no digest (it stays void; the next run hashes them again)
UPDATE casemis.csv SET provider = provider WHERE student_id = 7103 AND service = '510';
SELECT pg_temp.run() AS r6 \gset
SELECT pg_temp.rewritten(:r6) AS rewritten_r6;
SELECT student_id, holds FROM pg_temp.digests() WHERE student_id = 7103;
SELECT pg_temp.run() AS r6b \gset
SELECT pg_temp.rewritten(:r6b) AS rewritten_r6b;

-- 7. a reverted run's rows come back from its history, with the revert's
--    xmin: their digests are void, and the next run still gets them right
UPDATE sd_file SET body = replace(body, '7100000004,330,10,100,2,30', '7100000004,330,10,100,2,45') WHERE name = 'b';
SELECT pg_temp.run() AS r7 \gset
SELECT pg_temp.rewritten(:r7) AS rewritten_r7;
SELECT casemis.revert_run(:r7) > :r7 AS reverted;
SELECT duration FROM casemis.csv WHERE student_id = 7104;
SELECT student_id, holds FROM pg_temp.digests() WHERE student_id = 7104;
SELECT pg_temp.run() AS r8 \gset
SELECT pg_temp.rewritten(:r8) AS rewritten_r8;
SELECT duration FROM casemis.csv WHERE student_id = 7104;
SELECT * FROM pg_temp.digests();

-- 8. a new first day of school changes every row's service_start_date: no
--    digest holds for it (it is part of what a digest names), all are rewritten
CREATE TEMP TABLE sd_cal AS SELECT * FROM casemis.school_calendar WHERE school_code = 0 AND school_year = 2017;
DELETE FROM casemis.school_calendar WHERE school_code = 0 AND school_year = 2017;
INSERT INTO casemis.school_calendar (school_code, school_year, first_day) VALUES (0, 2017, '2017-08-21');
SELECT pg_temp.run() AS r9 \gset
SELECT pg_temp.rewritten(:r9) AS rewritten_r9;
SELECT DISTINCT service_start_date FROM casemis.csv WHERE student_id BETWEEN 7101 AND 7105;
SELECT pg_temp.run() AS r10 \gset
SELECT pg_temp.rewritten(:r10) AS rewritten_r10;
DELETE FROM casemis.school_calendar WHERE school_code = 0 AND school_year = 2017;
INSERT INTO casemis.school_calendar SELECT * FROM sd_cal;

DELETE FROM casemis.csv_digest WHERE student_id BETWEEN 7101 AND 7105;
DELETE FROM casemis.csv WHERE student_id BETWEEN 7101 AND 7105;
DELETE FROM casemis.cse WHERE student_id BETWEEN 7101 AND 7105;
DELETE FROM casemis.students WHERE student_id BETWEEN 7101 AND 7105;
DELETE FROM casemis.import_settings WHERE name = 'sd';
