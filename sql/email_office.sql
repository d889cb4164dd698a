-- email_office: the completion email as office staff get it, against the real
-- SMTP sink: a multipart/alternative message (text and HTML saying the same
-- counts, hostile values escaped, nothing loaded from elsewhere), the CSVs and
-- the workbook (opened with openpyxl: each sheet equals its CSV cell for cell,
-- every value text, leading zeros kept), the size cap, a failed run's HTML and
-- resend_email. The stored messages are parsed by test/mail_check.py.
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') AS root,
       current_setting('casemis_test.smtp_port') AS smtp_port \gset
\setenv CASEMIS_SCRATCH :root/scratch
-- the newest stored message, as a path for mail_check.py
CREATE FUNCTION pg_temp.last_mail() RETURNS text LANGUAGE sql AS $$
  SELECT format('%s/mail/%s', current_setting('casemis_test.root'), max(f))
    FROM pg_ls_dir(current_setting('casemis_test.root') || '/mail') AS f WHERE f ~ '^[0-9]+\.eml$' $$;
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.mail_count() RETURNS int LANGUAGE sql AS $$
  SELECT count(*)::int FROM pg_ls_dir(current_setting('casemis_test.root') || '/mail') AS f
   WHERE f ~ '^[0-9]+\.eml$' $$;

-- ---------------------------------------------------------------- a run with every kind of row
-- 300 students with leading-zero SSIDs and grade 01; in the file an unmatched
-- record named <script>..., Ann & "Bo", a bad date and a duplicate pair; two
-- unknown headers with hostile names (warnings, shown in the email).
INSERT INTO casemis.students
SELECT 5000 + i, lpad(i::text, 10, '0'), 'Last' || i, 'First' || i, date '2010-01-01' + i, '01', 1
  FROM generate_series(1, 300) AS i;
SELECT convert_to(
         E'SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE,GRADE,DISABILIT1,"<script>alert(""x"")</script>","Ann & ""Bo"""\r\n'
         || string_agg(format('%s,S%s,Last%s,First%s,%s,01,010,,', lpad(i::text, 10, '0'), i, i, i,
                              to_char(date '2010-01-01' + i, 'YYYYMMDD')), E'\r\n' ORDER BY i)
         || E'\r\n9999999999,S9999,<script>alert(1)</script>,"Ann & ""Bo""",20100101,01,010,,'
         || E'\r\n0000009001,S9001,Dup,One,20100101,01,010,,'
         || E'\r\n0000009001,S9002,Dup,Two,20100101,01,010,,'
         || E'\r\n0000009003,S9003,Bad,Date,02/30/2016,01,010,,\r\n', 'UTF8') AS table_a
  FROM generate_series(1, 300) AS i \gset
SELECT convert_to(E'STUDENT_ID,SSID,SERVICE\r\n'
         || string_agg(format('S%s,%s,010', i, lpad(i::text, 10, '0')), E'\r\n' ORDER BY i)
         || E'\r\nS7777,0000007777,010\r\n', 'UTF8') AS table_b
  FROM generate_series(1, 50) AS i \gset
INSERT INTO casemis.import_settings (name, school_year, email_to, email_from, smtp_url)
VALUES ('office', 2017, '{office@district.example}', 'casemis@district.example',
        'smtp://127.0.0.1:' || :'smtp_port');
SELECT max_email_bytes AS default_max_email_bytes FROM casemis.import_settings WHERE name = 'office';

SELECT casemis.casemis_import_files(:'table_a'::bytea, :'table_b'::bytea, 'office') AS run \gset
SELECT status, email_status, type_a_imported, type_a_unmatched, type_a_duplicates, type_a_errors,
       type_b_imported, type_b_unmatched
  FROM casemis.import_run WHERE run_id = :run;
SELECT pg_temp.last_mail() AS mail \gset
\setenv MAIL :mail
\setenv RUN :run
\! /usr/bin/python3 test/mail_check.py summary "$MAIL" "$RUN"
\! /usr/bin/python3 test/mail_check.py hostile "$MAIL" '<script>alert("x")</script>' 'Ann & "Bo"'
-- the workbook attached is the one report_xlsx(run) returns, byte for byte
\! /usr/bin/python3 test/mail_check.py attachment "$MAIL" "CASEMIS_Reports_$RUN.xlsx" "$CASEMIS_SCRATCH/attached.xlsx"
SELECT pg_read_binary_file(:'root' || '/scratch/attached.xlsx') = casemis.report_xlsx(:run) AS attached_workbook_is_report_xlsx;
\! rm -f "$CASEMIS_SCRATCH/attached.xlsx"

-- ---------------------------------------------------------------- resend: the same message
SELECT casemis.resend_email(:run) AS resend;
SELECT pg_temp.last_mail() AS resent \gset
\setenv RESENT :resent
\! /usr/bin/python3 test/mail_check.py same "$MAIL" "$RESENT"

-- ---------------------------------------------------------------- the size cap
-- the attachments are about 25 kB encoded; ImportedRecords goes first
SELECT octet_length(casemis.report_csv(:run, 'CASEMIS_TypeA_ImportedRecords.csv')) > 9000 AS imported_a_is_large;
UPDATE casemis.import_settings SET max_email_bytes = 30000 WHERE name = 'office';
SELECT casemis.resend_email(:run) AS resend_capped;
SELECT pg_temp.last_mail() AS capped \gset
\setenv CAPPED :capped
\! /usr/bin/python3 test/mail_check.py size "$CAPPED" 30000 "$RUN"
-- so small that nothing fits: still sent, every attachment named with how to get it
UPDATE casemis.import_settings SET max_email_bytes = 1000 WHERE name = 'office';
SELECT casemis.resend_email(:run) AS resend_tiny_cap;
SELECT pg_temp.last_mail() AS capped \gset
\setenv CAPPED :capped
\! /usr/bin/python3 test/mail_check.py size "$CAPPED" 1000 "$RUN"
SELECT casemis.resend_email(:run) IS NOT NULL AS sent_again;
UPDATE casemis.import_settings SET max_email_bytes = DEFAULT WHERE name = 'office';

-- ---------------------------------------------------------------- a failed run's HTML
-- a Table A whose key header is misspelled (and carries a hostile header);
-- its WARNING names the run id, which varies
SET client_min_messages = error;
SELECT casemis.casemis_import_files(convert_to(E'SSID,STUDENT_IDD,LAST_NAME,FIRST_NAME,BIRTHDATE,<b>bold</b>\r\n1,2,3,4,20100101,x\r\n', 'UTF8'),
                                    NULL, 'office') AS failed_run \gset
SET client_min_messages = warning;
SELECT status, email_status FROM casemis.import_run WHERE run_id = :failed_run;
SELECT pg_temp.last_mail() AS mail \gset
\setenv MAIL :mail
\setenv RUN :failed_run
\! /usr/bin/python3 test/mail_check.py summary "$MAIL" "$RUN"
\! /usr/bin/python3 test/mail_check.py hostile "$MAIL" '<b>bold</b>'
\! /usr/bin/python3 test/mail_check.py html "$MAIL" "$CASEMIS_SCRATCH/failed.html" && grep -c -e 'Reason:' -e 'What to do:' -e 'The import failed' "$CASEMIS_SCRATCH/failed.html"
-- the last ten runs, newest first, this one included
\! grep -o 'Last [0-9]* runs of this setting' "$CASEMIS_SCRATCH/failed.html"
\! rm -f "$CASEMIS_SCRATCH/failed.html"
-- report_xlsx of a run without report rows: one sheet saying so
SELECT octet_length(casemis.report_xlsx(:failed_run)) > 0 AS workbook_of_failed_run;

-- ---------------------------------------------------------------- report_xlsx errors
SELECT pg_temp.try('SELECT casemis.report_xlsx(-1)') AS unknown_run;
SELECT pg_temp.try('SELECT casemis.report_xlsx(NULL)') AS null_run;
SELECT pg_temp.try($$UPDATE casemis.import_settings SET max_email_bytes = 0 WHERE name = 'office'$$) AS zero_cap;
-- no temporary workbook is left behind
SELECT count(*) AS temp_workbooks_left FROM pg_ls_dir('base/pgsql_tmp') AS f WHERE f LIKE 'pgsql_tmp_casemis_xlsx%';

DELETE FROM casemis.import_settings WHERE name = 'office';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
