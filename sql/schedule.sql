-- schedule: enabling a setting schedules the pg_cron tick job and disabling
-- removes it; only enabling needs pg_cron, and says what to configure; a
-- schedule runs exactly once at its local time under the real pg_cron; missed
-- slots (within and beyond the catch-up window); a due run while another run
-- of the setting holds its lock is skipped; retention; DROP EXTENSION leaves
-- no tick job behind. Slow: waits for pg_cron (up to ~3 minutes).
-- Needs pg_cron preloaded with cron.database_name = this database.
SET client_min_messages = warning;
\set regress_db :DBNAME
-- a folder without files: the scheduled runs fail, which is fine here (this
-- test is about when runs start, not how they end)
SELECT current_setting('casemis_test.root') || '/scratch/schedule_no_files' AS folder \gset
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS casemis_import;
-- pg_cron's scheduler process must be running (it does not come back after a
-- DROP DATABASE ... WITH (FORCE) of its database until the server restarts)
DO $$BEGIN
  FOR i IN 1..20 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher');
    PERFORM pg_sleep(0.5);
  END LOOP;
END$$;
SELECT count(*) AS pg_cron_launchers FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher';
INSERT INTO casemis.import_settings (name, folder_path, time_zone)
VALUES ('sched_a', :'folder', 'America/Los_Angeles'),
       ('sched_b', :'folder', 'UTC');
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';

-- ------------------------------------------------------------ without pg_cron
-- In a database that is not cron.database_name, enabling fails and says what
-- to configure; the rest of the extension works.
CREATE DATABASE casemis_schedule_nocron ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0;
\c casemis_schedule_nocron
SET client_min_messages = warning;
CREATE EXTENSION casemis_import;
INSERT INTO casemis.import_settings (name, folder_path) VALUES ('x', '/tmp');
\set SHOW_CONTEXT never
UPDATE casemis.import_settings SET enabled = true WHERE name = 'x';
INSERT INTO casemis.import_settings (name, folder_path, enabled) VALUES ('y', '/tmp', true);
\set SHOW_CONTEXT errors
UPDATE casemis.import_settings SET schedule_time = '05:00', enabled = false WHERE name = 'x';
SELECT name, enabled, next_run_at, scheduler_ok FROM casemis.status;
\c :regress_db
SET client_min_messages = warning;
DROP DATABASE casemis_schedule_nocron;

-- ------------------------------------------------------------ enable, disable
UPDATE casemis.import_settings SET enabled = true WHERE name = 'sched_b';
SELECT jobname, schedule, active, command = casemis._tick_job_command() AS our_command
  FROM cron.job WHERE jobname = 'casemis_import_tick';
SELECT name, enabled, next_run_at > now() AS next_in_future,
       next_run_local = next_run_at AT TIME ZONE time_zone AS local_matches,
       scheduler_ok, last_run_id
  FROM casemis.status WHERE name LIKE 'sched%' ORDER BY name;
-- a second enabled setting shares the one job; enabling again changes nothing
UPDATE casemis.import_settings SET enabled = true WHERE name LIKE 'sched%';
UPDATE casemis.import_settings SET enabled = true WHERE name = 'sched_a';
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';
UPDATE casemis.import_settings SET enabled = false WHERE name = 'sched_a';
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';
-- the last one disabled: the job is gone, in the same transaction
BEGIN;
UPDATE casemis.import_settings SET enabled = false WHERE name = 'sched_b';
SELECT count(*) AS tick_jobs_in_txn FROM cron.job WHERE jobname = 'casemis_import_tick';
ROLLBACK;
SELECT count(*) AS tick_jobs_after_rollback FROM cron.job WHERE jobname = 'casemis_import_tick';
UPDATE casemis.import_settings SET enabled = false WHERE name = 'sched_b';
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';
SELECT name, enabled, next_run_at, scheduler_ok FROM casemis.status WHERE name LIKE 'sched%' ORDER BY name;
-- deleting the last enabled setting removes the job too
INSERT INTO casemis.import_settings (name, folder_path, enabled) VALUES ('sched_c', :'folder', true);
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';
DELETE FROM casemis.import_settings WHERE name = 'sched_c';
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';

-- ------------------------------------------------------------ the real scheduler
-- sched_a: today (in Los Angeles) at the next minute. Keep clear of a minute
-- boundary while setting it up.
DO $$BEGIN
  IF extract(second FROM clock_timestamp()) > 45 THEN
    PERFORM pg_sleep(61 - extract(second FROM clock_timestamp()));
  END IF;
END$$;
SELECT date_trunc('minute', clock_timestamp()) + interval '1 minute' AS slot \gset
UPDATE casemis.import_settings
   SET schedule_days = ARRAY[casemis._day_name((:'slot'::timestamptz AT TIME ZONE 'America/Los_Angeles')::date)],
       schedule_time = (:'slot'::timestamptz AT TIME ZONE 'America/Los_Angeles')::time,
       enabled = true
 WHERE name = 'sched_a';
SELECT next_run_at = :'slot' AS next_run_is_the_slot,
       next_run_local = :'slot'::timestamptz AT TIME ZONE 'America/Los_Angeles' AS local_time_ok,
       scheduler_ok
  FROM casemis.status WHERE name = 'sched_a';
-- wait (at most ~130 s) for pg_cron's tick to start the run
DO $$BEGIN
  FOR i IN 1..130 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM casemis.import_run WHERE settings_name = 'sched_a' AND trigger = 'scheduled');
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
SELECT count(*) AS scheduled_runs, bool_and(scheduled_for = :'slot') AS for_the_slot,
       bool_and(started_at >= :'slot') AS not_early
  FROM casemis.import_run WHERE settings_name = 'sched_a' AND trigger = 'scheduled';
SELECT last_run_id IS NOT NULL AS has_last_run, scheduler_ok,
       next_run_local = (:'slot'::timestamptz AT TIME ZONE 'America/Los_Angeles') + interval '7 days' AS next_week
  FROM casemis.status WHERE name = 'sched_a';
-- (that it stays one run after the next tick is checked below, meanwhile)

-- ------------------------------------------------------------ missed slots
-- sched_b runs daily in UTC; fake a server that was down by moving its last
-- dealt-with slot back, and tick by hand (in one transaction with the fake,
-- so pg_cron's own tick sees either none or all of it).
UPDATE casemis.import_settings
   SET schedule_days = '{mon,tue,wed,thu,fri,sat,sun}', enabled = true WHERE name = 'sched_b';
-- down for three days, the last slot 2 hours ago: within the catch-up window
-- (6 hours), so it is made up once; the two before it are recorded missed
BEGIN;
UPDATE casemis.import_settings
   SET schedule_time = (date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '2 hours')::time
 WHERE name = 'sched_b';
SELECT date_trunc('minute', now()) - interval '2 hours' AS made_up \gset
UPDATE casemis.schedule_state SET last_slot = now() - interval '3 days' WHERE settings_name = 'sched_b';
SELECT action, scheduled_for = :'made_up' AS the_latest_slot, count(*)
  FROM casemis.tick() WHERE settings_name = 'sched_b' GROUP BY 1, 2 ORDER BY 1, 2;
-- a second tick does not launch the same slot again
SELECT count(*) AS second_tick_actions FROM casemis.tick() WHERE settings_name = 'sched_b';
COMMIT;
SELECT status, scheduled_for IN (:'made_up'::timestamptz - interval '2 days', :'made_up'::timestamptz - interval '1 day') AS earlier_slot,
       message LIKE '%was missed%Only the latest missed run (for '
                    || to_char(:'made_up'::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ') was made up.' AS says_so
  FROM casemis.import_run WHERE settings_name = 'sched_b' AND status = 'missed' ORDER BY run_id;
DO $$BEGIN
  FOR i IN 1..30 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM casemis.import_run WHERE settings_name = 'sched_b' AND status <> 'missed');
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
SELECT count(*) AS made_up_runs, bool_and(trigger = 'scheduled') AS scheduled
  FROM casemis.import_run WHERE settings_name = 'sched_b' AND status <> 'missed' AND scheduled_for = :'made_up';
-- down for 9 hours, the slot 8 hours ago: beyond the window, recorded not run
BEGIN;
UPDATE casemis.import_settings
   SET schedule_time = (date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '8 hours')::time
 WHERE name = 'sched_b';
SELECT date_trunc('minute', now()) - interval '8 hours' AS too_late \gset
UPDATE casemis.schedule_state SET last_slot = now() - interval '9 hours' WHERE settings_name = 'sched_b';
SELECT action, scheduled_for = :'too_late' AS the_slot FROM casemis.tick() WHERE settings_name = 'sched_b';
COMMIT;
SELECT status, trigger, scheduled_for = :'too_late' AS the_slot,
       message LIKE 'The scheduled run for ' || to_char(:'too_late'::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
                    || ' (UTC) was missed%8 hours% late, more than the catch-up window (6 hours)%' AS says_which
  FROM casemis.import_run WHERE settings_name = 'sched_b' ORDER BY run_id DESC LIMIT 1;
-- a wider window makes up the same delay
BEGIN;
UPDATE casemis.import_settings SET catch_up_window = '10 hours' WHERE name = 'sched_b';
UPDATE casemis.schedule_state SET last_slot = now() - interval '9 hours' WHERE settings_name = 'sched_b';
SELECT action, scheduled_for = :'too_late' AS the_slot FROM casemis.tick() WHERE settings_name = 'sched_b';
COMMIT;
UPDATE casemis.import_settings SET catch_up_window = DEFAULT WHERE name = 'sched_b';

-- ------------------------------------------------------------ overlap
-- While another run of the setting holds its lock, a due run is started but
-- records itself 'skipped' (and the tick does not retry the slot).
DO $$BEGIN
  FOR i IN 1..30 LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM casemis.import_run WHERE status = 'running');
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
-- (the other run: a manual one held mid-run, its worker waiting for the
-- shared write lock, which a third session holds)
\setenv PGDATABASE :DBNAME
INSERT INTO casemis.run_lock VALUES ('*') ON CONFLICT DO NOTHING;
\! psql -X -q -c "SET application_name = 'sched_holder'" -c "BEGIN" -c "SELECT 1 FROM casemis.run_lock WHERE name = '*' FOR UPDATE" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
DO $$BEGIN
  FOR i IN 1..200 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'sched_holder' AND query ~ 'pg_sleep');
    PERFORM pg_sleep(0.05);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
END$$;
UPDATE casemis.import_settings SET folder_path = current_setting('casemis_test.root') || '/fixtures/basic' WHERE name = 'sched_b';
\! psql -X -q -c "SELECT casemis.casemis_import('sched_b', force => true)" >/dev/null 2>&1 &
\! sh test/wait_for_lock_wait.sh
UPDATE casemis.import_settings SET folder_path = :'folder' WHERE name = 'sched_b';
SELECT count(*) = 1 AS holding_the_lock FROM casemis.import_run WHERE settings_name = 'sched_b' AND status = 'running';
BEGIN;
UPDATE casemis.import_settings
   SET schedule_time = (date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '1 hour')::time
 WHERE name = 'sched_b';
SELECT date_trunc('minute', now()) - interval '1 hour' AS busy_slot \gset
CREATE TEMP TABLE busy AS SELECT :'busy_slot'::timestamptz AS slot;
UPDATE casemis.schedule_state SET last_slot = now() - interval '2 hours' WHERE settings_name = 'sched_b';
SELECT action FROM casemis.tick() WHERE settings_name = 'sched_b';
COMMIT;
DO $$BEGIN
  FOR i IN 1..30 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM casemis.import_run r, busy WHERE r.settings_name = 'sched_b'
                         AND r.status <> 'running' AND r.scheduled_for = busy.slot);
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
SELECT status, trigger FROM casemis.import_run WHERE settings_name = 'sched_b' AND scheduled_for = :'busy_slot';
SELECT pg_terminate_backend(pid) AS released FROM pg_stat_activity WHERE application_name = 'sched_holder';
DO $$BEGIN
  FOR i IN 1..200 LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM casemis.import_run WHERE settings_name = 'sched_b' AND status = 'running');
    PERFORM pg_sleep(0.05);
  END LOOP;
END$$;
SELECT count(*) AS next_tick_actions FROM casemis.tick() WHERE settings_name = 'sched_b';

-- ------------------------------------------------------------ retention
INSERT INTO casemis.import_run (settings_name, status, started_at, finished_at, message)
VALUES ('sched_b', 'failed', now() - interval '3 years', now() - interval '3 years', 'old'),
       ('sched_b', 'failed', now() - interval '1 year', now() - interval '1 year', 'recent'),
       ('gone_setting', 'failed', now() - interval '3 years', now() - interval '3 years', 'old, setting deleted');
INSERT INTO casemis.import_report (run_id, report, line_number)
SELECT run_id, 'CASEMIS_TypeA_ImportedRecords.csv', 2 FROM casemis.import_run WHERE message LIKE 'old%';
UPDATE casemis.scheduler_state SET last_retention_at = NULL;
SELECT count(*) AS sched_b_actions FROM casemis.tick() WHERE settings_name = 'sched_b';
SELECT last_retention_at IS NOT NULL AS retention_applied FROM casemis.scheduler_state;
SELECT message FROM casemis.import_run WHERE message IN ('old', 'recent', 'old, setting deleted') ORDER BY 1;
SELECT count(*) AS orphan_report_rows FROM casemis.import_report r
 WHERE NOT EXISTS (SELECT 1 FROM casemis.import_run i WHERE i.run_id = r.run_id);
UPDATE casemis.import_settings SET history_retention = '6 months' WHERE name = 'sched_b';
UPDATE casemis.scheduler_state SET last_retention_at = NULL;
SELECT count(*) AS sched_b_actions FROM casemis.tick() WHERE settings_name = 'sched_b';
SELECT last_retention_at IS NOT NULL AS retention_applied FROM casemis.scheduler_state;
SELECT count(*) AS recent_left FROM casemis.import_run WHERE message = 'recent';

-- ------------------------------------------------------------ still one run
-- sched_a: after at least one more tick of pg_cron, still exactly one run
DO $$BEGIN
  FOR i IN 1..75 LOOP
    EXIT WHEN (SELECT last_tick_at FROM casemis.scheduler_state) >
              (SELECT max(started_at) FROM casemis.import_run WHERE settings_name = 'sched_a') + interval '5 seconds';
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
SELECT count(*) AS scheduled_runs FROM casemis.import_run WHERE settings_name = 'sched_a' AND trigger = 'scheduled';
SELECT name, enabled, scheduler_ok FROM casemis.status WHERE name LIKE 'sched%' ORDER BY name;

-- ------------------------------------------------------------ DROP EXTENSION
-- Dropped with a schedule enabled: the job's own command removes the job
-- (run here by hand rather than waiting for the next minute).
DO $$BEGIN
  FOR i IN 1..30 LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM casemis.import_run WHERE status = 'running');
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
SELECT command AS tick_command FROM cron.job WHERE jobname = 'casemis_import_tick' \gset
DROP EXTENSION casemis_import;
:tick_command;
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';
-- Dropped and created again at once: the new extension has no enabled
-- setting, and the old job removes itself within a minute or so.
CREATE EXTENSION casemis_import;
INSERT INTO casemis.import_settings (name, folder_path, enabled) VALUES ('sched_d', :'folder', true);
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';
DROP EXTENSION casemis_import;
CREATE EXTENSION casemis_import;
DO $$BEGIN
  FOR i IN 1..75 LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'casemis_import_tick');
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
SELECT count(*) AS tick_jobs FROM cron.job WHERE jobname = 'casemis_import_tick';
SELECT count(*) AS failed_tick_runs FROM cron.job_run_details
 WHERE command LIKE '%casemis_tick%' AND status = 'failed';
