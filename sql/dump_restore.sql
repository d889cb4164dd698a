-- dump_restore: pg_dump keeps every table's data (all are extension
-- configuration) and pg_restore into a fresh database brings it all back.
-- Uses a database of its own without pg_cron (pg_cron lives in one database only).
SET client_min_messages = warning;
SELECT current_setting('casemis_test.root') AS root \gset
\setenv CASEMIS_DUMP :root/export/casemis_dump_test.dump
\setenv PGBIN /usr/lib/postgresql/15/bin
-- one fingerprint (row count + md5 of the rows) per table, built the same way in both databases
\set fingerprint_view 'SELECT ''CREATE TEMP VIEW fingerprint AS '' || string_agg(format(''SELECT %L AS t, count(*) AS n, md5(string_agg(x::text, %L ORDER BY x::text)) AS h FROM casemis.%I x'', t, ''|'', t), '' UNION ALL '') || '' UNION ALL SELECT ''''run_id_seq'''', last_value, NULL FROM casemis.import_run_id_seq'' FROM unnest(''{students,cse,csv,school_calendar,import_settings,import_run,import_report,layout_field,layout_alias}''::text[]) t \\gexec'
DROP DATABASE IF EXISTS casemis_dump_src;
DROP DATABASE IF EXISTS casemis_dump_dst;
CREATE DATABASE casemis_dump_src;
\c casemis_dump_src
SET client_min_messages = warning;
CREATE EXTENSION casemis_import;
SELECT current_setting('casemis_test.root') AS root \gset
INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1);
INSERT INTO casemis.school_calendar VALUES (0, 2017, '2017-08-23');
INSERT INTO casemis.layout_alias (layout, alias, header) VALUES ('A', 'DOB', 'BIRTHDATE');
INSERT INTO casemis.layout_field (layout, position, header, data_type) VALUES ('B', 99, 'NOTES', 'text');
INSERT INTO casemis.import_settings (name, folder_path, school_year, sftp_password)
VALUES ('dumped', :'root' || '/fixtures/basic', 2017, 'kept-secret');
SELECT casemis.casemis_import('dumped') AS run \gset
SELECT status FROM casemis.import_run WHERE run_id = :run;
-- one fingerprint per table
:fingerprint_view
SELECT string_agg(t || '=' || n || ':' || coalesce(h, ''), ' ' ORDER BY t) AS before FROM fingerprint \gset
SELECT t, n FROM fingerprint ORDER BY t;
\! "$PGBIN/pg_dump" -Fc -f "$CASEMIS_DUMP" casemis_dump_src && echo dumped
\c contrib_regression
CREATE DATABASE casemis_dump_dst;
\! "$PGBIN/pg_restore" --exit-on-error -d casemis_dump_dst "$CASEMIS_DUMP" && echo restored
\c casemis_dump_dst
SET client_min_messages = warning;
:fingerprint_view
SELECT string_agg(t || '=' || n || ':' || coalesce(h, ''), ' ' ORDER BY t) = :'before' AS identical FROM fingerprint;
SELECT t, n FROM fingerprint ORDER BY t;
-- the restored database works: the next run gets the next id and imports
SELECT casemis.casemis_import('dumped', force => true) AS run2 \gset
SELECT status, run_id > :run AS next_id FROM casemis.import_run WHERE run_id = :run2;
\c contrib_regression
DROP DATABASE casemis_dump_src;
DROP DATABASE casemis_dump_dst;
\! rm -f "$CASEMIS_DUMP"
