-- readme: the README's code blocks marked <!-- readme-test --> run as written
-- (test/readme_blocks.sh: paths and the database name are the only stand-ins),
-- so that what a DBA pastes cannot rot. A failed block prints its output.
SET client_min_messages = warning;
SELECT current_setting('casemis_test.root') || '/scratch/readme' AS dir \gset
\setenv README_WORK :dir
\setenv PGDATABASE :DBNAME
-- the README's operator block grants the role to "an existing LOGIN role"
CREATE ROLE alice LOGIN;
\! rm -rf "$README_WORK"; bash test/readme_blocks.sh "$README_WORK" >"$README_WORK.out" 2>&1; echo "exit $?" >>"$README_WORK.out"
\pset format unaligned
\pset tuples_only on
SELECT pg_read_file(:'dir' || '.out') AS readme;
\pset tuples_only off
\pset format aligned
-- what the blocks made: the runs succeeded and read the sample files
SELECT trigger, status, type_a_imported > 0 AS imported FROM casemis.import_run
 WHERE settings_name = 'default' ORDER BY run_id;
SELECT pg_has_role('alice', 'casemis_operator', 'MEMBER') AS alice_is_operator;

-- clean up for the next tests
\! rm -rf "$README_WORK" "$README_WORK.out"
UPDATE casemis.import_settings SET enabled = false WHERE enabled;
DELETE FROM casemis.import_settings;
TRUNCATE casemis.students, casemis.cse, casemis.csv;
DROP OWNED BY casemis_operator;
DROP ROLE alice, casemis_operator;
