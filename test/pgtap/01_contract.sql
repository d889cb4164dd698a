-- pgTAP: the SQL surface (README, "Reference") is a contract: names, columns, types,
-- function signatures. Run with pg_prove (make test does).
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS casemis_import;
SELECT plan(51);

SELECT has_schema('casemis');
SELECT ok(NOT extrelocatable, 'casemis_import is not relocatable') FROM pg_extension WHERE extname = 'casemis_import';
SELECT is(extnamespace::regnamespace::text, 'casemis', 'installed in schema casemis') FROM pg_extension WHERE extname = 'casemis_import';

-- the roster
SELECT columns_are('casemis', 'students', ARRAY['student_id', 'ssid', 'last_name', 'first_name', 'birthdate', 'grade', 'school_code']);
SELECT col_is_pk('casemis', 'students', 'student_id', 'students.student_id is the primary key');
SELECT col_type_is('casemis', 'students', 'student_id', 'bigint', 'students.student_id is bigint');
SELECT col_type_is('casemis', 'students', 'birthdate', 'date', 'students.birthdate is date');
SELECT col_type_is('casemis', 'students', 'school_code', 'integer', 'students.school_code is int');

-- cse: one column per Table A field, lower-case header; identity fields not stored
SELECT col_is_pk('casemis', 'cse', 'student_id', 'cse.student_id is the primary key');
SELECT hasnt_column('casemis', 'cse', c, 'cse does not store ' || c)
  FROM unnest(ARRAY['last_name', 'first_name', 'birthdate', 'ssid', 'filler', 'student_id_file']) c;
SELECT is((SELECT count(*)::int FROM casemis.layout_field f
            WHERE f.layout = 'A' AND f.target_column IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
                               WHERE c.table_schema = 'casemis' AND c.table_name = 'cse' AND c.column_name = f.target_column)),
          0, 'every Table A field with a target has its cse column');
SELECT is((SELECT count(*)::int FROM casemis.layout_field WHERE layout = 'A'), 67, 'Table A layout has 67 fields');
SELECT col_type_is('casemis', 'cse', 'selpa_student_id', 'text', 'STUDENT_ID is stored as selpa_student_id text');
SELECT col_type_is('casemis', 'cse', 'in_regcls', 'smallint', 'IN_REGCLS is smallint');
SELECT col_type_is('casemis', 'cse', 'rept_date', 'date', 'REPT_DATE is date');
SELECT col_type_is('casemis', 'cse', 'exit_date', 'date', 'EXIT_DATE is date');
SELECT col_type_is('casemis', 'cse', 'grade', 'text', 'GRADE is text (leading zeros)');
SELECT col_type_is('casemis', 'cse', 'test_participation_1', 'text', 'FILLER1 is test_participation_1');
SELECT col_type_is('casemis', 'cse', 'test_participation_6', 'text', 'FILLER6 is test_participation_6');
SELECT col_type_is('casemis', 'cse', 'last_updated', 'date', 'cse.last_updated is date');
SELECT col_type_is('casemis', 'cse', 'extra', 'jsonb', 'cse.extra is jsonb');

-- csv
SELECT col_type_is('casemis', 'csv', 'student_id', 'bigint', 'csv.student_id bigint');
SELECT col_type_is('casemis', 'csv', 'school_year', 'integer', 'csv.school_year int');
SELECT col_type_is('casemis', 'csv', 'service_start_date', 'date', 'csv.service_start_date date');
SELECT col_type_is('casemis', 'csv', 'selpa_student_id', 'text', 'csv.selpa_student_id text');
SELECT col_type_is('casemis', 'csv', 'service', 'text', 'csv.service text');
SELECT col_type_is('casemis', 'csv', 'record', 'jsonb', 'csv.record jsonb');

-- calendar
SELECT columns_are('casemis', 'school_calendar', ARRAY['school_code', 'school_year', 'first_day']);

-- settings: the documented columns (more are allowed)
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['name', 'source', 'folder_path', 'sftp_host', 'sftp_port', 'sftp_directory', 'sftp_user',
                    'sftp_password', 'sftp_private_key', 'sftp_host_key', 'students_file', 'services_file',
                    'include_services', 'school_year', 'schedule_days', 'schedule_time', 'time_zone', 'email_to',
                    'email_from', 'smtp_url', 'smtp_user', 'smtp_password', 'enabled', 'student_relation']) c
            WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns i
                               WHERE i.table_schema = 'casemis' AND i.table_name = 'import_settings' AND i.column_name = c)),
          0, 'import_settings has every documented column');
SELECT col_is_pk('casemis', 'import_settings', 'name', 'import_settings.name is the primary key');
SELECT col_default_is('casemis', 'import_settings', 'name', 'default', 'name defaults to ''default''');
SELECT col_type_is('casemis', 'import_settings', 'schedule_days', 'text[]', 'schedule_days is text[]');
SELECT col_type_is('casemis', 'import_settings', 'schedule_time', 'time without time zone', 'schedule_time is time');
SELECT col_type_is('casemis', 'import_settings', 'email_to', 'text[]', 'email_to is text[]');

-- runs
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['run_id', 'settings_name', 'status', 'started_at', 'finished_at', 'message',
                    'type_a_imported', 'type_a_unmatched', 'type_a_duplicates', 'type_a_errors', 'type_a_not_in_file',
                    'type_b_imported', 'type_b_unmatched', 'type_b_errors', 'email_status']) c
            WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns i
                               WHERE i.table_schema = 'casemis' AND i.table_name = 'import_run' AND i.column_name = c)),
          0, 'import_run has every documented column');
SELECT col_type_is('casemis', 'import_run', 'run_id', 'bigint', 'run_id is bigint');
SELECT throws_ok($$INSERT INTO casemis.import_run (settings_name, status) VALUES ('x', 'done')$$, '23514', NULL,
                 'import_run.status is one of the documented statuses');
SELECT has_view('casemis', 'status', 'casemis.status is a view');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['name', 'enabled', 'next_run_at', 'last_run_id', 'last_status', 'last_finished_at']) c
            WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns i
                               WHERE i.table_schema = 'casemis' AND i.table_name = 'status' AND i.column_name = c)),
          0, 'status has the documented columns');

-- functions
SELECT function_returns('casemis', 'casemis_import', ARRAY['text', 'boolean', 'boolean'], 'bigint');
SELECT function_returns('casemis', 'casemis_import_files', ARRAY['bytea', 'bytea', 'text', 'text', 'boolean'], 'bigint');
SELECT function_returns('casemis', 'report_csv', ARRAY['bigint', 'text'], 'text');
SELECT function_returns('casemis', 'export_reports', ARRAY['bigint', 'text'], 'setof text');
SELECT is(pg_get_function_arguments('casemis.casemis_import(text,boolean,boolean)'::regprocedure),
          'settings_name text DEFAULT ''default''::text, dry_run boolean DEFAULT false, force boolean DEFAULT false',
          'casemis_import arguments and defaults');
SELECT is(pg_get_function_arguments('casemis.casemis_import_files(bytea,bytea,text,text,boolean)'::regprocedure),
          'students bytea, services bytea DEFAULT NULL::bytea, settings_name text DEFAULT ''default''::text, notify text DEFAULT NULL::text, dry_run boolean DEFAULT false',
          'casemis_import_files arguments and defaults');
-- every function pins search_path
SELECT is((SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = 'casemis'::regnamespace
             AND NOT coalesce(p.proconfig::text[] && ARRAY['search_path=pg_catalog, pg_temp'], false)),
          0, 'every function in schema casemis pins search_path');

SELECT * FROM finish();
ROLLBACK;
