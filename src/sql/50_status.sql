-- ---------------------------------------------------------------- status
-- casemis.status: one row per setting -- its schedule, next run (local and
-- UTC), last run and outcome, and whether the scheduler is in place. Never a
-- secret column. It first marks failed the runs whose worker died, so a
-- 'running' it shows is really running. (The schedule functions and state
-- tables it reads are in 60_schedule.sql; plpgsql resolves them at run time.)

CREATE FUNCTION casemis._status_rows()
RETURNS TABLE (name text, enabled boolean, schedule_days text[], schedule_time time,
               time_zone text, next_run_local timestamp, next_run_at timestamptz,
               last_run_id bigint, last_status text, last_finished_at timestamptz,
               scheduler_ok boolean, scheduler_message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY' AS $$
DECLARE
  s record;
  st record;
  cron_problem record;
  job record;
  job_problem text;       -- NULL when the tick job is present and active
  last_tick timestamptz;
  tick_failure text := '';
  bad_setting text;
  stale interval := interval '3 minutes';
BEGIN
  -- Not in a read-only transaction (a standby): status must still work there.
  IF current_setting('transaction_read_only') = 'off' THEN
    BEGIN
      PERFORM casemis.reap_interrupted_runs();
    EXCEPTION WHEN OTHERS THEN
      NULL;  -- the reaper is a courtesy here; the scheduler and every run reap too
    END;
  END IF;

  SELECT * INTO cron_problem FROM casemis._pg_cron_problem();
  SELECT * INTO job FROM casemis._tick_job();
  SELECT ss.last_tick_at INTO last_tick FROM casemis.scheduler_state ss;
  IF cron_problem.detail IS NOT NULL THEN
    job_problem := cron_problem.detail || ' ' || cron_problem.hint;
  ELSIF job.jobid IS NULL THEN
    job_problem := 'The pg_cron job casemis_import_tick is missing: nothing runs the schedule. '
                   'Re-create it with UPDATE casemis.import_settings SET enabled = true WHERE enabled;';
  ELSIF NOT job.active THEN
    job_problem := 'The pg_cron job casemis_import_tick is inactive (cron.job.active = false). '
                   'Activate it with UPDATE casemis.import_settings SET enabled = true WHERE enabled;';
  ELSIF NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.backend_type = 'pg_cron launcher') THEN
    job_problem := 'The pg_cron launcher (its scheduler process) is not running, so nothing runs the schedule. '
                   'Once terminated (for instance by DROP DATABASE ... WITH (FORCE) of its database) it only '
                   'comes back when PostgreSQL restarts: restart PostgreSQL.';
  ELSIF last_tick IS NULL OR last_tick < now() - stale THEN
    BEGIN
      EXECUTE 'SELECT '' Its last run failed: '' || d.return_message || ''.''
                 FROM cron.job_run_details d WHERE d.jobid = $1 AND d.status = ''failed''
                ORDER BY d.runid DESC LIMIT 1'
         INTO tick_failure USING job.jobid;
      tick_failure := coalesce(tick_failure, '');
    EXCEPTION WHEN OTHERS THEN
      tick_failure := '';
    END;
  END IF;

  FOR s IN SELECT i.name, i.enabled, i.schedule_days, i.schedule_time, i.time_zone, i.catch_up_window,
                  casemis._armed_here(i.enabled_in) AS armed
             FROM casemis.import_settings i ORDER BY i.name LOOP
    name := s.name;
    enabled := s.enabled;
    schedule_days := s.schedule_days;
    schedule_time := s.schedule_time;
    time_zone := s.time_zone;
    SELECT * INTO st FROM casemis.schedule_state ss WHERE ss.settings_name = s.name;
    SELECT r.run_id, r.status, r.finished_at INTO last_run_id, last_status, last_finished_at
      FROM casemis.import_run r WHERE r.settings_name = s.name ORDER BY r.run_id DESC LIMIT 1;

    next_run_at := NULL;
    next_run_local := NULL;
    bad_setting := NULL;
    IF s.enabled AND s.armed THEN
      -- a slot not yet dealt with and still inside the catch-up window is
      -- next (the coming tick runs it); otherwise the first slot after now
      BEGIN
        next_run_at := casemis.next_run_after(
                         s.schedule_days, s.schedule_time, s.time_zone,
                         greatest(coalesce(st.last_slot, now()),
                                  now() - greatest(s.catch_up_window, casemis._on_time_grace())));
        next_run_local := next_run_at AT TIME ZONE s.time_zone;
      EXCEPTION WHEN OTHERS THEN
        -- one broken setting (say, a time zone no longer known) must not hide the others
        GET STACKED DIAGNOSTICS bad_setting = MESSAGE_TEXT;
      END;
    END IF;

    IF NOT s.enabled THEN
      scheduler_ok := NULL;
      scheduler_message := format('Not enabled: no scheduled runs. Enable with UPDATE casemis.import_settings '
                                  'SET enabled = true WHERE name = %L;', s.name);
    ELSIF NOT s.armed THEN
      scheduler_ok := false;
      scheduler_message := format('Enabled, but not armed in this database: the schedule was enabled in another '
                                  'database or cluster, so this is a restored or cloned copy, and it runs nothing '
                                  'on its own. To run the schedule here, enable it again: UPDATE '
                                  'casemis.import_settings SET enabled = true WHERE name = %L;', s.name);
    ELSIF job_problem IS NOT NULL THEN
      scheduler_ok := false;
      scheduler_message := job_problem;
    ELSIF bad_setting IS NOT NULL THEN
      scheduler_ok := false;
      scheduler_message := format('The schedule of this setting cannot be computed: %s', bad_setting);
    ELSIF cardinality(s.schedule_days) = 0 THEN
      scheduler_ok := false;
      scheduler_message := 'schedule_days is empty: this setting never runs.';
    ELSIF st.last_error IS NOT NULL THEN
      scheduler_ok := false;
      scheduler_message := format('The scheduler failed on this setting at %s UTC: %s',
                                  to_char(st.last_error_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                                  st.last_error);
    ELSIF last_tick >= now() - stale THEN
      scheduler_ok := true;
      scheduler_message := format('OK: the scheduler last ran at %s UTC.',
                                  to_char(last_tick AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'));
    ELSIF st.enabled_at >= now() - stale THEN
      scheduler_ok := true;
      scheduler_message := 'OK: enabled just now; waiting for the first tick of pg_cron (every minute).';
    ELSE
      scheduler_ok := false;
      scheduler_message := format('No scheduler tick since %s: the pg_cron job casemis_import_tick exists '
                                  'but has not run.%s Check that the pg_cron launcher is running (SELECT * FROM '
                                  'pg_stat_activity WHERE backend_type = ''pg_cron launcher''); see cron.job_run_details.',
                                  coalesce(to_char(last_tick AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC',
                                           'it was installed'),
                                  tick_failure);
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;

CREATE VIEW casemis.status AS
SELECT name, enabled, schedule_days, schedule_time, time_zone,
       next_run_local, next_run_at, last_run_id, last_status, last_finished_at,
       scheduler_ok, scheduler_message
  FROM casemis._status_rows();
COMMENT ON VIEW casemis.status IS 'One row per setting: schedule, next run (local and UTC), last run and outcome, scheduler health. No secrets.';
COMMENT ON COLUMN casemis.status.next_run_local IS 'Next scheduled run, wall-clock time in time_zone; NULL when not enabled.';
COMMENT ON COLUMN casemis.status.next_run_at IS 'Next scheduled run as an instant; NULL when not enabled.';
COMMENT ON COLUMN casemis.status.scheduler_ok IS 'Enabled settings: the pg_cron tick job is present and active and ran in the last 3 minutes. NULL when not enabled.';
