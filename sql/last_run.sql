-- last_run: "the last successful run" (the unchanged check) is the one with the
-- highest run_id numerically, past run ids 9/10 and 99/100 (string order would
-- pick 9 over 11 and 99 over 101). Scenario: X, then Y, then X again => X is
-- imported again, not 'unchanged'.
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') || '/scratch/last_run' AS folder \gset
\setenv LAST_RUN_DIR :folder
\! mkdir -p "$LAST_RUN_DIR"
\! printf 'SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE,DISABILIT1\n1000000001,S-1,Garcia,Maria,20080514,240\n' > "$LAST_RUN_DIR/X.csv"
\! printf 'SSID,STUDENT_ID,LAST_NAME,FIRST_NAME,BIRTHDATE,DISABILIT1\n1000000001,S-1,Garcia,Maria,20080514,210\n' > "$LAST_RUN_DIR/Y.csv"

INSERT INTO casemis.students VALUES (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1);
INSERT INTO casemis.import_settings (name, folder_path, include_services, school_year, time_zone)
VALUES ('last_run', :'folder', false, 2017, 'America/Los_Angeles');

-- run ids 9, 10, 11 (setval rather than 100 real runs); X is 240, Y is 210
SELECT setval('casemis.import_run_id_seq', 8) IS NOT NULL AS set;
\! cp "$LAST_RUN_DIR/X.csv" "$LAST_RUN_DIR/tableA.csv"
SELECT casemis.casemis_import('last_run') AS r \gset
SELECT run_id, status, (SELECT disabilit1 FROM casemis.cse WHERE student_id = 1001) AS cse
  FROM casemis.import_run WHERE run_id = :r;
\! cp "$LAST_RUN_DIR/Y.csv" "$LAST_RUN_DIR/tableA.csv"
SELECT casemis.casemis_import('last_run') AS r \gset
SELECT run_id, status, (SELECT disabilit1 FROM casemis.cse WHERE student_id = 1001) AS cse
  FROM casemis.import_run WHERE run_id = :r;
\! cp "$LAST_RUN_DIR/X.csv" "$LAST_RUN_DIR/tableA.csv"
SELECT casemis.casemis_import('last_run') AS r \gset
SELECT run_id, status, (SELECT disabilit1 FROM casemis.cse WHERE student_id = 1001) AS cse
  FROM casemis.import_run WHERE run_id = :r;

-- run ids 99, 100, 101
SELECT setval('casemis.import_run_id_seq', 98) IS NOT NULL AS set;
\! cp "$LAST_RUN_DIR/Y.csv" "$LAST_RUN_DIR/tableA.csv"
SELECT casemis.casemis_import('last_run') AS r \gset
SELECT run_id, status, (SELECT disabilit1 FROM casemis.cse WHERE student_id = 1001) AS cse
  FROM casemis.import_run WHERE run_id = :r;
\! cp "$LAST_RUN_DIR/X.csv" "$LAST_RUN_DIR/tableA.csv"
SELECT casemis.casemis_import('last_run') AS r \gset
SELECT run_id, status, (SELECT disabilit1 FROM casemis.cse WHERE student_id = 1001) AS cse
  FROM casemis.import_run WHERE run_id = :r;
\! cp "$LAST_RUN_DIR/Y.csv" "$LAST_RUN_DIR/tableA.csv"
SELECT casemis.casemis_import('last_run') AS r \gset
SELECT run_id, status, (SELECT disabilit1 FROM casemis.cse WHERE student_id = 1001) AS cse
  FROM casemis.import_run WHERE run_id = :r;

-- the same file again is still 'unchanged', naming run 101 (not 99)
\pset format unaligned
SELECT casemis.casemis_import('last_run') AS r \gset
SELECT run_id, status, message FROM casemis.import_run WHERE run_id = :r;
\pset format aligned

-- clean up for the next tests
\! rm -rf "$LAST_RUN_DIR"
DELETE FROM casemis.import_settings WHERE name = 'last_run';
TRUNCATE casemis.students, casemis.cse, casemis.csv;
