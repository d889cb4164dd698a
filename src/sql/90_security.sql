-- ---------------------------------------------------------------- data safety
-- pg_dump keeps the district's data: every table is extension configuration.
SELECT pg_catalog.pg_extension_config_dump('casemis.students', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.cse', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.csv', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.school_calendar', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.import_settings', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.import_run', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.import_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.layout_field', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('casemis.layout_alias', 'WHERE NOT shipped');
-- 0.2.0, safety nets (src/sql/35_revert.sql): what revert_run needs
SELECT pg_catalog.pg_extension_config_dump('casemis.run_history_cse', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.run_history_cse_stamp', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.run_history_csv', '');
-- (registered last: the 0.2.0 upgrade re-registers the report
-- storage, which appends it, and both must list the tables in the same order)
SELECT pg_catalog.pg_extension_config_dump('casemis.import_report', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.report_chunk', '');

-- ---------------------------------------------------------------- privileges
-- Nothing is granted to PUBLIC, functions included.
REVOKE ALL ON SCHEMA casemis FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA casemis FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA casemis FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA casemis FROM PUBLIC;
