-- notify: the SFTP source and the completion email, end to end against the
-- real sshd and SMTP sink that test/run_all.sh starts. Each stored message is
-- parsed here (headers, quoted-printable body, base64 attachments) and compared
-- with the run's row and report_csv(). Ports, run ids and dates vary: they are
-- compared, not printed.
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') AS root,
       current_setting('casemis_test.sftp_port') AS sftp_port,
       current_setting('casemis_test.smtp_port') AS smtp_port,
       current_setting('casemis_test.smtp_down_port') AS down_port \gset

-- ---------------------------------------------------------------- helpers
-- the error of a statement, with the test's ports and host key replaced
CREATE FUNCTION pg_temp.norm(t text) RETURNS text LANGUAGE sql AS $$
  SELECT replace(replace(replace(replace(t,
           current_setting('casemis_test.smtp_down_port'), 'DOWN_PORT'),
           current_setting('casemis_test.sftp_host_key'), 'HOST_KEY'),
           current_setting('casemis_test.sftp_port'), 'SFTP_PORT'),
           current_setting('casemis_test.smtp_port'), 'SMTP_PORT') $$;
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || pg_temp.norm(SQLERRM);
END $$;
-- the messages the sink stored (NNNN.eml + NNNN.json, numbered from 1)
CREATE FUNCTION pg_temp.mail_count() RETURNS int LANGUAGE sql AS $$
  SELECT count(*)::int FROM pg_ls_dir(current_setting('casemis_test.root') || '/mail') AS f
   WHERE f ~ '^[0-9]+\.eml$' $$;
CREATE FUNCTION pg_temp.mail(n int) RETURNS text LANGUAGE sql AS $$
  SELECT pg_read_file(format('%s/mail/%s.eml', current_setting('casemis_test.root'), lpad(n::text, 4, '0'))) $$;
CREATE FUNCTION pg_temp.envelope(n int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT pg_read_file(format('%s/mail/%s.json', current_setting('casemis_test.root'), lpad(n::text, 4, '0')))::jsonb $$;
CREATE FUNCTION pg_temp.header(eml text, name text) RETURNS text LANGUAGE sql AS $$
  SELECT substring(split_part(eml, E'\r\n\r\n', 1) FROM '(?:^|\r\n)' || name || ': ([^\r\n]*)') $$;
-- MIME parts after the top-level headers: n = 1 is the text body
CREATE FUNCTION pg_temp.parts(eml text)
RETURNS TABLE (n bigint, headers text, filename text, content text) LANGUAGE sql AS $$
  SELECT p.n - 1, split_part(p.part, E'\r\n\r\n', 1),
         substring(split_part(p.part, E'\r\n\r\n', 1) FROM 'filename="([^"]+)"'),
         substr(p.part, position(E'\r\n\r\n' IN p.part) + 4)
    FROM string_to_table(eml, E'\r\n--' || substring(eml FROM 'boundary="([^"]+)"')) WITH ORDINALITY AS p(part, n)
   WHERE p.n > 1 AND p.part <> E'--\r\n' $$;
-- quoted-printable (RFC 2045) to text, LF line ends
CREATE FUNCTION pg_temp.qp(t text) RETURNS text LANGUAGE sql AS $$
  SELECT replace(convert_from(coalesce(string_agg(
           CASE WHEN m[1] IS NOT NULL THEN decode(m[1], 'hex') ELSE convert_to(m[2], 'UTF8') END,
           ''::bytea ORDER BY i), ''::bytea), 'UTF8'), E'\r\n', E'\n')
    FROM regexp_matches(replace(t, E'=\r\n', ''), '=([0-9A-F]{2})|([^=]+)', 'g') WITH ORDINALITY AS x(m, i) $$;
-- part 1 is a multipart/alternative of the text/plain and the text/html body:
-- the one of the given subtype (its headers and content)
CREATE FUNCTION pg_temp.alternative(eml text, subtype text, OUT headers text, OUT content text) LANGUAGE sql AS $$
  SELECT split_part(a.part, E'\r\n\r\n', 1), substr(a.part, position(E'\r\n\r\n' IN a.part) + 4)
    FROM pg_temp.parts(eml) p,
         string_to_table(E'\r\n' || p.content, E'\r\n--' || substring(p.headers FROM 'boundary="([^"]+)"')) AS a(part)
   WHERE p.n = 1 AND p.headers ~ '^\r\nContent-Type: multipart/alternative;'
     AND a.part ~ ('^\r\nContent-Type: text/' || subtype || ';') $$;
CREATE FUNCTION pg_temp.body(eml text) RETURNS text LANGUAGE sql AS $$
  SELECT pg_temp.qp(content) FROM pg_temp.alternative(eml, 'plain') $$;
-- the eight counts as the body states them, next to the run's row
CREATE FUNCTION pg_temp.counts_match(eml text, run bigint) RETURNS TABLE (count text, in_body int, in_run int)
LANGUAGE sql AS $$
  SELECT c.label, substring(pg_temp.body(eml) FROM c.label || ': +([0-9]+)')::int, c.v
    FROM casemis.import_run r,
         LATERAL (VALUES (1, 'Type A imported', r.type_a_imported), (2, 'Type A unmatched', r.type_a_unmatched),
                         (3, 'Type A duplicates', r.type_a_duplicates), (4, 'Type A errors', r.type_a_errors),
                         (5, 'Type A not in file', r.type_a_not_in_file), (6, 'Type B imported', r.type_b_imported),
                         (7, 'Type B unmatched', r.type_b_unmatched), (8, 'Type B errors', r.type_b_errors)) AS c(o, label, v)
   WHERE r.run_id = run ORDER BY c.o $$;
-- each attachment: its name (the run id shown as <run>), and whether its bytes
-- are report_csv() of the run (a CSV file) or report_xlsx() (the workbook)
CREATE FUNCTION pg_temp.attachments(eml text, run bigint)
RETURNS TABLE (filename text, content_type text, equals_report boolean) LANGUAGE sql AS $$
  SELECT replace(p.filename, '_' || run || '.', '_<run>.'),
         substring(p.headers FROM 'Content-Type: ([^;\r\n]+(; charset=utf-8)?)'),
         CASE WHEN p.filename ~ '\.xlsx$' THEN decode(p.content, 'base64') = casemis.report_xlsx(run)
              ELSE convert_from(decode(p.content, 'base64'), 'UTF8') = casemis.report_csv(run, p.filename) END
    FROM pg_temp.parts(eml) p WHERE p.n > 1 ORDER BY p.n $$;

-- ---------------------------------------------------------------- the host key fingerprint
SELECT casemis.sftp_host_fingerprint('127.0.0.1', :sftp_port)
       = btrim(pg_read_file(:'root' || '/sshd/fingerprint'), E' \n') AS fingerprint_is_ssh_keygens;
SELECT pg_temp.try(format('SELECT casemis.sftp_host_fingerprint(%L, %s)', '127.0.0.1', :down_port)) AS nothing_listens;
-- the SMTP port: a greeting that is not SSH, then silence (the greeting's text varies)
SELECT regexp_replace(pg_temp.try(format('SELECT casemis.sftp_host_fingerprint(%L, %s)', '127.0.0.1', :smtp_port)),
                      'it said ".*', 'it said "..."') AS not_ssh;
SELECT pg_temp.try('SELECT casemis.sftp_host_fingerprint(''127.0.0.1'', 0)') AS bad_port;
SELECT casemis.sftp_host_fingerprint(NULL) IS NULL AS strict;

-- ---------------------------------------------------------------- import from SFTP, emailed
INSERT INTO casemis.students VALUES
 (2001, '1000000001', 'Núñez', 'José', '2008-03-15', '03', 1),
 (2002, '1000000002', 'Smith', 'Anna', '2007-07-04', '04', 1);
INSERT INTO casemis.import_settings (name, source, sftp_host, sftp_port, sftp_user, sftp_password,
                                     sftp_host_key, sftp_directory, school_year,
                                     email_to, email_from, smtp_url)
VALUES ('sftp_mail', 'sftp', '127.0.0.1', :sftp_port, current_setting('casemis_test.sftp_user'), 'S3cret-pw',
        current_setting('casemis_test.sftp_host_key'), 'upload', 2016,
        '{office@district.example,sped@district.example}', 'casemis@district.example',
        'smtp://127.0.0.1:' || :'smtp_port');
SELECT pg_temp.mail_count() AS mails_before \gset

SELECT casemis.casemis_import('sftp_mail') AS run \gset
SELECT status, email_status, students_file, students_size, services_file, services_size,
       type_a_imported, type_a_unmatched, type_b_imported, email_sent_at IS NOT NULL AS sent_at
  FROM casemis.import_run WHERE run_id = :run;
SELECT pg_temp.mail_count() - :mails_before AS new_mails;
SELECT :mails_before + 1 AS m \gset
SELECT pg_temp.envelope(:m) AS envelope;
SELECT pg_temp.header(pg_temp.mail(:m), 'To') AS "To",
       pg_temp.header(pg_temp.mail(:m), 'From') AS "From",
       pg_temp.header(pg_temp.mail(:m), 'Subject')
         = format('[casemis_import] %s (sftp_mail): import succeeded %s', current_database(), r.run_date) AS subject_ok,
       pg_temp.header(pg_temp.mail(:m), 'Date') ~ '^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$' AS date_ok,
       pg_temp.header(pg_temp.mail(:m), 'Message-ID') ~ '^<[0-9a-f]{32}@district\.example>$' AS message_id_ok,
       pg_temp.header(pg_temp.mail(:m), 'Content-Type') ~ '^multipart/mixed; boundary=' AS multipart
  FROM casemis.import_run r WHERE r.run_id = :run;
SELECT * FROM pg_temp.counts_match(pg_temp.mail(:m), :run);
SELECT pg_temp.body(pg_temp.mail(:m)) LIKE '%Table A: tableA.csv, 1140 bytes, SHA-256 ' || students_sha256 || '%' AS file_a,
       pg_temp.body(pg_temp.mail(:m)) LIKE '%Table B: tableB.csv, 267 bytes, SHA-256 ' || services_sha256 || '%' AS file_b,
       pg_temp.body(pg_temp.mail(:m)) LIKE '%casemis.resend_email(' || run_id || ')%' AS says_how_to_resend
  FROM casemis.import_run WHERE run_id = :run;
SELECT * FROM pg_temp.attachments(pg_temp.mail(:m), :run);
-- the parts are proper MIME: the text and HTML alternatives of the body, each
-- quoted-printable UTF-8, then base64 CSVs
SELECT n, regexp_replace(headers, E'^\r\n|\r|(file)?name="[^"]*"|boundary="[^"]*"', '', 'g') AS part_headers
  FROM pg_temp.parts(pg_temp.mail(:m)) WHERE n <= 2 ORDER BY n;
SELECT t AS alternative, regexp_replace((pg_temp.alternative(pg_temp.mail(:m), t)).headers, E'^\r\n|\r', '', 'g') AS part_headers
  FROM unnest('{plain,html}'::text[]) AS t;

-- the same files again: unchanged, and the email says so
SELECT casemis.casemis_import('sftp_mail') AS run \gset
SELECT status, email_status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
SELECT pg_temp.mail_count() AS m \gset
SELECT pg_temp.header(pg_temp.mail(:m), 'Subject') LIKE '%(sftp_mail): unchanged, nothing imported %' AS subject_unchanged,
       pg_temp.body(pg_temp.mail(:m)) LIKE '%byte for byte the same%casemis.casemis_import(''sftp_mail'', force => true);%' AS says_force,
       (SELECT count(*) FROM pg_temp.parts(pg_temp.mail(:m)) WHERE n > 1) AS attachments;

-- a dry run with an ed25519 key instead of the password
UPDATE casemis.import_settings
   SET sftp_password = NULL, sftp_private_key = pg_read_file(:'root' || '/sshd/client_ed25519')
 WHERE name = 'sftp_mail';
SELECT casemis.casemis_import('sftp_mail', dry_run => true, force => true) AS run \gset
SELECT status, email_status, type_a_imported FROM casemis.import_run WHERE run_id = :run;
SELECT pg_temp.mail_count() AS m \gset
SELECT pg_temp.header(pg_temp.mail(:m), 'Subject') LIKE '%(sftp_mail): DRY RUN %' AS subject_dry_run,
       pg_temp.body(pg_temp.mail(:m)) LIKE '%*** DRY RUN: nothing was written%' AS body_dry_run;
SELECT * FROM pg_temp.attachments(pg_temp.mail(:m), :run);

-- ---------------------------------------------------------------- SFTP failures: failed runs, clear messages
-- (the WARNING of a failed run names its id and port: the run's message is shown instead)
SET client_min_messages = error;
\pset format unaligned
-- a wrong pin: refused before any credential is sent
UPDATE casemis.import_settings SET sftp_host_key = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE name = 'sftp_mail';
SELECT casemis.casemis_import('sftp_mail', force => true) AS run \gset
SELECT status, pg_temp.norm(message) AS message, hint FROM casemis.import_run WHERE run_id = :run;
SELECT pg_temp.mail_count() AS m \gset
SELECT pg_temp.header(pg_temp.mail(:m), 'Subject') LIKE '%(sftp_mail): import FAILED %' AS subject_failed,
       pg_temp.body(pg_temp.mail(:m)) LIKE '%Reason:%host key mismatch%What to do:%' AS reason_and_what_to_do,
       (SELECT count(*) FROM pg_temp.parts(pg_temp.mail(:m)) WHERE n > 1) AS attachments;
-- a bad password: the message never shows it
UPDATE casemis.import_settings
   SET sftp_host_key = current_setting('casemis_test.sftp_host_key'), sftp_private_key = NULL,
       sftp_password = 'Wr0ng-pw-xyzzy', email_to = '{}'
 WHERE name = 'sftp_mail';
SELECT casemis.casemis_import('sftp_mail', force => true) AS run \gset
SELECT status, pg_temp.norm(message) AS message, hint, position('Wr0ng' IN message) = 0 AS no_password, email_status
  FROM casemis.import_run WHERE run_id = :run;
-- the server is down
UPDATE casemis.import_settings SET sftp_password = 'S3cret-pw', sftp_port = :down_port WHERE name = 'sftp_mail';
SELECT casemis.casemis_import('sftp_mail', force => true) AS run \gset
SELECT status, pg_temp.norm(message) AS message, hint FROM casemis.import_run WHERE run_id = :run;
-- the file is not there
UPDATE casemis.import_settings SET sftp_port = :sftp_port, students_file = 'no_such_file.csv' WHERE name = 'sftp_mail';
SELECT casemis.casemis_import('sftp_mail', force => true) AS run \gset
SELECT status, pg_temp.norm(message) AS message, hint FROM casemis.import_run WHERE run_id = :run;
-- no pin at all: refused, and the message shows the fingerprint to verify
UPDATE casemis.import_settings SET students_file = 'tableA.csv', sftp_host_key = NULL WHERE name = 'sftp_mail';
SELECT casemis.casemis_import('sftp_mail', force => true) AS run \gset
SELECT status, pg_temp.norm(message) AS message, hint FROM casemis.import_run WHERE run_id = :run;
\pset format aligned
SET client_min_messages = warning;

-- ---------------------------------------------------------------- SMTP down, then resend
UPDATE casemis.import_settings
   SET sftp_host_key = current_setting('casemis_test.sftp_host_key'),
       email_to = '{office@district.example}', smtp_url = 'smtp://127.0.0.1:' || :'down_port'
 WHERE name = 'sftp_mail';
SELECT pg_temp.mail_count() AS mails_before \gset
SELECT casemis.casemis_import('sftp_mail', force => true) AS run \gset
SELECT status, type_a_imported, regexp_replace(pg_temp.norm(email_status), 'after \d+ ms', 'after N ms') AS email_status,
       email_sent_at IS NULL AS not_sent
  FROM casemis.import_run WHERE run_id = :run;
SELECT count(*) AS cse_rows_imported_anyway FROM casemis.cse WHERE student_id IN (2001, 2002);
SELECT pg_temp.mail_count() - :mails_before AS new_mails;
-- the mail server is back
UPDATE casemis.import_settings SET smtp_url = 'smtp://127.0.0.1:' || :'smtp_port' WHERE name = 'sftp_mail';
SELECT casemis.resend_email(:run) AS resend;
SELECT email_status, email_sent_at IS NOT NULL AS sent_at FROM casemis.import_run WHERE run_id = :run;
SELECT pg_temp.mail_count() AS m \gset
SELECT pg_temp.envelope(:m) -> 'rcpt_tos' AS rcpt_tos,
       pg_temp.header(pg_temp.mail(:m), 'Subject')
         = format('[casemis_import] %s (sftp_mail): import succeeded %s', current_database(), r.run_date) AS subject_ok
  FROM casemis.import_run r WHERE r.run_id = :run;
SELECT * FROM pg_temp.counts_match(pg_temp.mail(:m), :run);
SELECT * FROM pg_temp.attachments(pg_temp.mail(:m), :run);
SELECT pg_temp.try('SELECT casemis.resend_email(-1)') AS unknown_run;
SELECT pg_temp.try('SELECT casemis.resend_email(NULL)') AS null_run;

-- ---------------------------------------------------------------- an upload, with notify => an extra address
-- (Table A without its last column TRIDELAY: a header warning, which the email lists)
SELECT casemis.casemis_import_files(convert_to(regexp_replace(replace(
           pg_read_file(:'root' || '/fixtures/sftp/tableA.csv'), E',TRIDELAY\r\n', E'\r\n'), E',\r\n', E'\r\n', 'g'), 'UTF8'),
                                    pg_read_binary_file(:'root' || '/fixtures/sftp/tableB.csv'),
                                    'sftp_mail', notify => 'principal@district.example') AS run \gset
SELECT status, email_status, trigger FROM casemis.import_run WHERE run_id = :run;
SELECT pg_temp.mail_count() AS m \gset
SELECT pg_temp.envelope(:m) -> 'rcpt_tos' AS rcpt_tos,
       pg_temp.body(pg_temp.mail(:m)) LIKE '%Table A: uploaded Table A, 1128 bytes, SHA-256 ' || r.students_sha256 || '%' AS upload_a,
       pg_temp.body(pg_temp.mail(:m)) LIKE '%Table B: uploaded Table B, 267 bytes, SHA-256 ' || r.services_sha256 || '%' AS upload_b,
       cardinality(r.warnings) AS warnings,
       (SELECT bool_and(strpos(pg_temp.body(pg_temp.mail(:m)), E'\n  - ' || w || E'\n') > 0) FROM unnest(r.warnings) w) AS all_warnings_listed
  FROM casemis.import_run r WHERE r.run_id = :run;
SELECT * FROM pg_temp.attachments(pg_temp.mail(:m), :run);
-- a resend reaches the same people
SELECT casemis.resend_email(:run) AS resend;
SELECT pg_temp.envelope(pg_temp.mail_count()) -> 'rcpt_tos' AS rcpt_tos;

-- ---------------------------------------------------------------- nothing to send to
UPDATE casemis.import_settings SET email_to = '{}' WHERE name = 'sftp_mail';
SELECT pg_temp.mail_count() AS mails_before \gset
SELECT casemis.casemis_import('sftp_mail', dry_run => true, force => true) AS run \gset
SELECT status, email_status FROM casemis.import_run WHERE run_id = :run;
UPDATE casemis.import_settings SET email_to = '{office@district.example}', smtp_url = NULL WHERE name = 'sftp_mail';
SELECT casemis.resend_email(:run) AS resend_without_smtp_url;
SELECT pg_temp.mail_count() - :mails_before AS new_mails;

-- ---------------------------------------------------------------- cancel during a slow transfer
-- a 600 MB file takes seconds over SFTP (200 MB could arrive in 1.4 s on an idle
-- machine, before the timeout): statement_timeout cancels the call,
-- which cancels the run while it waits on the network
SELECT :'root' || '/sftp_home/upload/big.csv' AS big_file \gset
DO $$ BEGIN
  EXECUTE format('COPY (SELECT repeat(''x'', 999999) FROM generate_series(1, 600)) TO %L',
                 current_setting('casemis_test.root') || '/sftp_home/upload/big.csv');
END $$;
UPDATE casemis.import_settings SET students_file = 'big.csv', include_services = false WHERE name = 'sftp_mail';
SET statement_timeout = '1500ms';
SELECT casemis.casemis_import('sftp_mail', force => true);
RESET statement_timeout;
-- the caller returns at once; the worker records the outcome right after
DO $$ BEGIN
  FOR i IN 1..100 LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM casemis.import_run WHERE settings_name = 'sftp_mail' AND status = 'running');
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;
SELECT status, message, finished_at - started_at < interval '5 seconds' AS stopped_promptly
  FROM casemis.import_run WHERE settings_name = 'sftp_mail' ORDER BY run_id DESC LIMIT 1;
\setenv BIG_FILE :big_file
\! rm -f "$BIG_FILE"

-- no message anywhere holds a password
SELECT count(*) AS mails_with_secrets
  FROM pg_ls_dir(:'root' || '/mail') AS f
 WHERE f ~ '\.eml$' AND pg_read_file(:'root' || '/mail/' || f) ~ '(S3cret|Wr0ng|PRIVATE KEY)';
SELECT count(*) AS runs_with_secrets FROM casemis.import_run
 WHERE message ~ '(S3cret|Wr0ng|PRIVATE KEY)' OR email_status ~ '(S3cret|Wr0ng|PRIVATE KEY)';
-- EXECUTE is not granted to PUBLIC
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc p WHERE p.pronamespace = 'casemis'::regnamespace
   AND p.proname IN ('resend_email', 'sftp_host_fingerprint', 'report_xlsx') ORDER BY 1;

-- clean up for the next tests
DELETE FROM casemis.import_settings WHERE name = 'sftp_mail';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
