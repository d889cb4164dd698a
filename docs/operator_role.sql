-- operator_role.sql -- the privileges of an import operator: runs imports,
-- reads runs, reports and the status view, sees every setting except its
-- secrets, and changes nothing else. See docs/operator_role.md.
--
-- As a superuser (or the extension's owner), in the database of the extension:
--   psql -d district -v operator=casemis_operator -f docs/operator_role.sql
--   psql -d district -c 'GRANT casemis_operator TO alice'   -- alice: a LOGIN role
-- (without -v operator=..., the role is casemis_operator). Re-running is harmless.
\if :{?operator}
\else
\set operator casemis_operator
\endif
SELECT NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'operator') AS casemis_create_operator \gset
\if :casemis_create_operator
CREATE ROLE :"operator" NOLOGIN;
\endif

GRANT USAGE ON SCHEMA casemis TO :"operator";

-- run imports: now (a setting's files) or of files sent from the client
GRANT EXECUTE ON FUNCTION casemis.casemis_import(text, boolean, boolean),
                          casemis.casemis_import_files(bytea, bytea, text, text, boolean),
                          casemis.casemis_import_files(bytea, bytea, text, text, boolean, boolean)
   TO :"operator";
-- undo a run (a run of its own, like an import: see README "Reverting a run")
GRANT EXECUTE ON FUNCTION casemis.revert_run(bigint) TO :"operator";
-- a run reads the roster as the role that calls it (a setting whose
-- student_relation names another relation needs SELECT on that one instead)
GRANT SELECT ON casemis.students TO :"operator";

-- runs, their report rows, the report files, the status of each setting
GRANT SELECT ON casemis.import_run, casemis.runs, casemis.import_report, casemis.report_kind, casemis.status
   TO :"operator";
GRANT EXECUTE ON FUNCTION casemis.report_csv(bigint, text), casemis.report_xlsx(bigint),
                          casemis.csv_field(text), casemis._status_rows(), casemis.check_run(bigint)
   TO :"operator";

-- the settings, column by column: every column except the three secrets
-- (sftp_password, sftp_private_key, smtp_password). A column added later is
-- not readable until it is added here on purpose.
GRANT SELECT (name, source, folder_path, sftp_host, sftp_port, sftp_directory, sftp_user, sftp_host_key,
              students_file, services_file, include_services, school_year, schedule_days, schedule_time,
              time_zone, email_to, email_from, smtp_url, smtp_user, enabled, student_relation,
              smtp_require_tls, connect_timeout, transfer_timeout, catch_up_window, history_retention,
              max_file_size, max_line_length, max_columns, created_at, updated_at, max_email_bytes, min_record_ratio)
   ON casemis.import_settings TO :"operator";
