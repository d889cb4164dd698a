-- security_schedule: the scheduled side of the holes of 0.1.0 (README.md,
-- "Security"), under the real pg_cron. Each fails on 0.1.0:
--  1. a scheduled run is for the role that enabled the schedule, not the tick
--     job's owner (a superuser), and the roster view's function that would
--     make its owner superuser runs with its owner's rights
--  2. a restored copy of the database (pg_dump / pg_restore into a second
--     database of the same cluster) keeps enabled but runs nothing, even
--     under a real pg_cron tick of its own, and casemis.status says why.
-- Slow: waits for pg_cron (up to ~4 minutes).
SET client_min_messages = warning;
\set regress_db :DBNAME
SELECT current_setting('casemis_test.root') AS root \gset
\setenv PGDATABASE :DBNAME
\setenv CASEMIS_DUMP :root/export/casemis_security_copy.dump
\setenv PGBIN /usr/lib/postgresql/15/bin
DROP DATABASE IF EXISTS casemis_sec_copy WITH (FORCE);
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('casemis_t_eve', 'casemis_t_sched') LOOP
    EXECUTE format('DROP OWNED BY %I', r);
    EXECUTE format('DROP ROLE %I', r);
  END LOOP;
END $$;
DROP SCHEMA IF EXISTS eve CASCADE;
DO $$BEGIN
  FOR i IN 1..20 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher');
    PERFORM pg_sleep(0.5);
  END LOOP;
END$$;
SELECT count(*) AS pg_cron_launchers FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher';
INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1);

-- ---------------------------------------------------------------- eve's roster view
CREATE ROLE casemis_t_eve LOGIN;
CREATE SCHEMA eve AUTHORIZATION casemis_t_eve;
GRANT USAGE ON SCHEMA casemis TO casemis_t_eve;
GRANT SELECT ON casemis.students TO casemis_t_eve;
SET ROLE casemis_t_eve;
CREATE TABLE eve.calls (run_as text, is_superuser boolean);
CREATE FUNCTION eve.promote() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eve.calls VALUES (current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user));
  BEGIN
    EXECUTE 'ALTER ROLE casemis_t_eve SUPERUSER';
  EXCEPTION WHEN insufficient_privilege THEN
    NULL;
  END;
  RETURN true;
END $$;
CREATE VIEW eve.roster AS SELECT s.* FROM casemis.students s WHERE eve.promote();
-- the district's scheduling role may read it
RESET ROLE;
CREATE ROLE casemis_t_sched LOGIN;
SET ROLE casemis_t_eve;
GRANT SELECT ON eve.roster TO casemis_t_sched;
GRANT USAGE ON SCHEMA eve TO casemis_t_sched;
RESET ROLE;
GRANT USAGE ON SCHEMA casemis TO casemis_t_sched;
GRANT SELECT, UPDATE ON casemis.import_settings TO casemis_t_sched;

-- ---------------------------------------------------------------- the slots
-- sec_sched at the next minute; sec_copy three minutes on (the copy's own
-- tick must have started its schedule before that slot). Keep clear of a
-- minute boundary while setting up.
DO $$BEGIN
  IF extract(second FROM clock_timestamp()) > 40 THEN
    PERFORM pg_sleep(61 - extract(second FROM clock_timestamp()));
  END IF;
END$$;
SELECT date_trunc('minute', clock_timestamp()) + interval '1 minute' AS slot,
       date_trunc('minute', clock_timestamp()) + interval '3 minutes' AS copy_slot \gset
INSERT INTO casemis.import_settings (name, folder_path, school_year, include_services, time_zone,
                                     student_relation, schedule_days, schedule_time)
VALUES ('sec_sched', :'root' || '/fixtures/basic', 2017, false, 'UTC', 'eve.roster',
        ARRAY[casemis._day_name((:'slot'::timestamptz AT TIME ZONE 'UTC')::date)],
        (:'slot'::timestamptz AT TIME ZONE 'UTC')::time),
       ('sec_copy', :'root' || '/fixtures/basic', 2017, false, 'UTC', 'casemis.students',
        ARRAY[casemis._day_name((:'copy_slot'::timestamptz AT TIME ZONE 'UTC')::date)],
        (:'copy_slot'::timestamptz AT TIME ZONE 'UTC')::time);
-- the scheduling role enables sec_sched; a superuser enables sec_copy
\! psql -X -q -U casemis_t_sched -c "UPDATE casemis.import_settings SET enabled = true WHERE name = 'sec_sched'"
UPDATE casemis.import_settings SET enabled = true WHERE name = 'sec_copy';
SELECT name, enabled_by = CASE name WHEN 'sec_sched' THEN 'casemis_t_sched' ELSE current_user END AS enabled_by_ok,
       casemis._armed_here(enabled_in) AS armed
  FROM casemis.import_settings WHERE name LIKE 'sec_%' ORDER BY name;

-- ---------------------------------------------------------------- the restored copy
SELECT coalesce(max(run_id), 0) AS last_run_dumped FROM casemis.import_run \gset
\! "$PGBIN/pg_dump" -Fc -e casemis_import -n casemis -n eve -f "$CASEMIS_DUMP" && echo dumped
-- (the original no longer runs sec_copy: only the copy could)
UPDATE casemis.import_settings SET enabled = false WHERE name = 'sec_copy';
CREATE DATABASE casemis_sec_copy;
\! "$PGBIN/pg_restore" -d casemis_sec_copy "$CASEMIS_DUMP" && echo restored
-- a real pg_cron tick in the copy (pg_cron lives in this database; its jobs
-- may run in another)
SELECT cron.schedule_in_database('casemis_sec_copy_tick', '* * * * *', 'SELECT casemis.tick()', 'casemis_sec_copy') > 0
       AS copy_tick_scheduled;
\c casemis_sec_copy
SET client_min_messages = warning;
SELECT name, enabled, casemis._armed_here(enabled_in) AS armed FROM casemis.import_settings
 WHERE name LIKE 'sec_%' ORDER BY name;
SELECT name, enabled, scheduler_ok, next_run_at IS NULL AS no_next_run,
       scheduler_message LIKE 'Enabled, but not armed in this database%' AS says_why
  FROM casemis.status WHERE name = 'sec_copy';
\c :regress_db
SET client_min_messages = warning;

-- ---------------------------------------------------------------- 1. the scheduled run
DO $$BEGIN
  FOR i IN 1..150 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM casemis.import_run WHERE settings_name = 'sec_sched' AND trigger = 'scheduled'
                         AND status <> 'running');
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
SELECT status, run_by, type_a_imported, scheduled_for = :'slot' AS for_the_slot
  FROM casemis.import_run WHERE settings_name = 'sec_sched' AND trigger = 'scheduled';
SELECT run_as, is_superuser FROM eve.calls GROUP BY 1, 2 ORDER BY 1;
SELECT rolsuper AS eve_is_superuser FROM pg_roles WHERE rolname = 'casemis_t_eve';
UPDATE casemis.import_settings SET enabled = false WHERE name = 'sec_sched';

-- ---------------------------------------------------------------- 2. the copy ran nothing
-- wait until the copy's tick has run at least once after its slot
SELECT set_config('casemis_sec.copy_slot', :'copy_slot', false) IS NOT NULL AS noted;
DO $$BEGIN
  FOR i IN 1..240 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                       WHERE j.jobname = 'casemis_sec_copy_tick' AND d.status IN ('succeeded', 'failed')
                         AND d.start_time > current_setting('casemis_sec.copy_slot', true)::timestamptz + interval '5 seconds');
    PERFORM pg_sleep(1);
  END LOOP;
END$$;
SELECT count(*) FILTER (WHERE d.status = 'succeeded') > 0 AS copy_ticked_after_its_slot,
       count(*) FILTER (WHERE d.status = 'failed') AS copy_ticks_failed
  FROM cron.job_run_details d JOIN cron.job j USING (jobid)
 WHERE j.jobname = 'casemis_sec_copy_tick' AND d.start_time > :'copy_slot'::timestamptz;
SELECT cron.unschedule('casemis_sec_copy_tick') AS copy_tick_unscheduled;
\c casemis_sec_copy
SET client_min_messages = warning;
SELECT count(*) AS runs_in_the_copy FROM casemis.import_run WHERE run_id > :last_run_dumped;
SELECT count(*) AS cse_rows_in_the_copy FROM casemis.cse;
SELECT name, enabled, scheduler_ok, scheduler_message LIKE 'Enabled, but not armed in this database%' AS says_why
  FROM casemis.status WHERE name LIKE 'sec_%' ORDER BY name;
\c :regress_db
SET client_min_messages = warning;

-- ---------------------------------------------------------------- clean up
DROP DATABASE casemis_sec_copy WITH (FORCE);
\! rm -f "$CASEMIS_DUMP"
DELETE FROM casemis.import_settings WHERE name IN ('sec_sched', 'sec_copy');
DROP SCHEMA eve CASCADE;
DROP OWNED BY casemis_t_eve, casemis_t_sched;
DROP ROLE casemis_t_eve, casemis_t_sched;
TRUNCATE casemis.students, casemis.cse, casemis.csv;
