-- pgTAP: the SQL surface of the safety nets (README: "Safety nets"): the
-- record-count guard's setting and counts, revert_run, the 'reverted' status
-- and 'revert' trigger, and the one "last successful run".
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS casemis_import;
SELECT plan(14);

SELECT col_type_is('casemis', 'import_settings', 'min_record_ratio', 'real', 'min_record_ratio is real');
SELECT col_default_is('casemis', 'import_settings', 'min_record_ratio', '0.5', 'min_record_ratio defaults to 0.5');
SELECT col_not_null('casemis', 'import_settings', 'min_record_ratio', 'min_record_ratio is NOT NULL');
SELECT col_type_is('casemis', 'import_run', 'students_records', 'bigint', 'import_run.students_records is bigint');
SELECT col_type_is('casemis', 'import_run', 'services_records', 'bigint', 'import_run.services_records is bigint');
SELECT col_type_is('casemis', 'import_run', 'revert_of', 'bigint', 'import_run.revert_of is bigint');
SELECT function_returns('casemis', 'revert_run', ARRAY['bigint'], 'bigint');
SELECT is(pg_get_function_arguments('casemis.revert_run(bigint)'::regprocedure), 'run_id bigint',
          'revert_run arguments');
SELECT lives_ok($$INSERT INTO casemis.import_run (settings_name, status, trigger) VALUES ('x', 'reverted', 'revert')$$,
                'status ''reverted'' and trigger ''revert'' are allowed');
SELECT throws_ok($$INSERT INTO casemis.import_settings (name, min_record_ratio) VALUES ('neg', -0.1)$$, '23514', NULL,
                 'a negative min_record_ratio is refused');

-- the last successful run: by run_id as a number, not a dry run, a revert or a reverted run
INSERT INTO casemis.import_run (run_id, settings_name, status, trigger) VALUES
  (9000000009, 'lsr', 'succeeded', 'manual'), (9000000010, 'lsr', 'succeeded', 'manual'),
  (9000000011, 'lsr', 'dry_run', 'manual');
SELECT is(casemis._last_successful_run('lsr'), 9000000010::bigint, 'the highest run_id numerically (...10, not ...9)');
UPDATE casemis.import_run SET status = 'reverted' WHERE run_id = 9000000010;
INSERT INTO casemis.import_run (run_id, settings_name, status, trigger, revert_of) VALUES (9000000012, 'lsr', 'succeeded', 'revert', 9000000010);
SELECT is(casemis._last_successful_run('lsr'), 9000000009::bigint, 'a reverted run and a revert run do not count');
SELECT is(casemis._last_successful_run('none'), NULL::bigint, 'no run: NULL');
SELECT is((SELECT count(*)::int FROM pg_proc p WHERE p.proname = 'revert_run'
             AND p.pronamespace = 'casemis'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')),
          0, 'revert_run is not granted to PUBLIC');

SELECT * FROM finish();
ROLLBACK;
