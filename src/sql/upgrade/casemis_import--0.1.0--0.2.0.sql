-- casemis_import 0.1.0 -> 0.2.0 (ALTER EXTENSION casemis_import UPDATE)
--
-- Every schema change of 0.2.0, so that an upgraded database equals a fresh
-- 0.2.0 install object for object (test/upgrade checks it with pg_dump).
-- Columns added here are appended to their table in the same order in the
-- fresh install (src/sql/*.sql), since ALTER TABLE ADD COLUMN appends.
-- A function whose body changed in src/sql is re-created here with CREATE OR
-- REPLACE. Each topic has its own section, so that changes merge cleanly.
\echo Use "ALTER EXTENSION casemis_import UPDATE" to load this file. \quit


-- ---------------------------------------------------------------- releases


-- ---------------------------------------------------------------- security
-- README.md, "Security": the roster is read with its owner's rights; a
-- scheduled run is for the role that enabled the schedule, armed for the
-- database where it was enabled; a changed destination clears its secret;
-- runs lock rows of casemis.run_lock (bounded by lock_timeout), not advisory keys.
-- (the columns with a default get it after they are added, so that no
-- "missing value" is stored for them: the same catalog as a fresh install)
ALTER TABLE casemis.import_settings
  ADD COLUMN enabled_by text,
  ADD COLUMN enabled_in text,
  ADD COLUMN cleared_secrets text[],
  ADD COLUMN lock_timeout interval CONSTRAINT lock_timeout_positive CHECK (lock_timeout > '0');
ALTER TABLE casemis.import_settings
  ALTER COLUMN cleared_secrets SET DEFAULT '{}',
  ALTER COLUMN lock_timeout SET DEFAULT '5 minutes';
-- Settings enabled under 0.1.0 keep their schedule: armed here, for the
-- extension's owner (whom 0.1.0 ran them for); enabling one again makes its
-- runs be for the role that does it.
ALTER TABLE casemis.import_settings DISABLE TRIGGER import_settings_validate;
UPDATE casemis.import_settings SET cleared_secrets = DEFAULT, lock_timeout = DEFAULT;
ALTER TABLE casemis.import_settings
  ALTER COLUMN cleared_secrets SET NOT NULL,
  ALTER COLUMN lock_timeout SET NOT NULL;
UPDATE casemis.import_settings
   SET enabled_by = (SELECT r.rolname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_roles r ON r.oid = e.extowner
                      WHERE e.extname = 'casemis_import'),
       enabled_in = (SELECT system_identifier::text FROM pg_catalog.pg_control_system()) || '/' ||
                    (SELECT oid::text FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
 WHERE enabled;
ALTER TABLE casemis.import_settings ENABLE TRIGGER import_settings_validate;

-- What a superuser's restore (pg_dump's COPY) brings is kept as it was dumped:
-- so a restored copy keeps who enabled a setting and where, and is not armed.
CREATE FUNCTION casemis._settings_reset() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF current_query() ~* '^\s*copy\s' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.enabled_by := NULL;
    NEW.enabled_in := NULL;
    NEW.cleared_secrets := '{}';
  ELSE
    NEW.enabled_by := OLD.enabled_by;
    NEW.enabled_in := OLD.enabled_in;
    NEW.cleared_secrets := OLD.cleared_secrets;
  END IF;
  RETURN NEW;
END $$;

-- UPDATE OF <secret>: the statement sets that secret (perhaps to the same
-- value), which import_settings_3_secrets must know; marked in cleared_secrets
-- as '<secret>:set' and removed there.
CREATE FUNCTION casemis._settings_secret_set() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.cleared_secrets := array_append(array_remove(NEW.cleared_secrets, TG_ARGV[0]), TG_ARGV[0] || ':set');
  RETURN NEW;
END $$;

-- Changing where a secret is sent clears it, unless the same statement sets it
-- or a superuser makes the change. A cleared secret is listed in
-- cleared_secrets until it is set again: the run (or its email) then fails
-- saying so, rather than log in without it.
CREATE FUNCTION casemis._settings_secrets() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  su boolean := coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false);
  smtp_moved boolean := false;
  sftp_moved boolean := false;
  moved boolean;
  secret text;
  was_set boolean;
  old_value text;
BEGIN
  IF NEW.smtp_url ~ '^smtps?://[^/@\s]*@' THEN
    RAISE EXCEPTION 'smtp_url may not carry a user or password'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give the user in smtp_user and the password in smtp_password; smtp_url is smtp://host:port or smtps://host:port.';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    smtp_moved := (NEW.smtp_url, NEW.smtp_user) IS DISTINCT FROM (OLD.smtp_url, OLD.smtp_user);
    sftp_moved := (NEW.sftp_host, NEW.sftp_port, NEW.sftp_user, NEW.sftp_host_key)
                  IS DISTINCT FROM (OLD.sftp_host, OLD.sftp_port, OLD.sftp_user, OLD.sftp_host_key);
  END IF;
  FOREACH secret IN ARRAY '{smtp_password,sftp_password,sftp_private_key}'::text[] LOOP
    was_set := (secret || ':set') = ANY (NEW.cleared_secrets);
    NEW.cleared_secrets := array_remove(NEW.cleared_secrets, secret || ':set');
    IF was_set THEN
      NEW.cleared_secrets := array_remove(NEW.cleared_secrets, secret);
      CONTINUE;
    END IF;
    moved := (secret = 'smtp_password' AND smtp_moved) OR (secret <> 'smtp_password' AND sftp_moved);
    IF TG_OP = 'INSERT' OR su OR NOT moved THEN
      CONTINUE;
    END IF;
    old_value := CASE secret WHEN 'smtp_password' THEN OLD.smtp_password WHEN 'sftp_password' THEN OLD.sftp_password
                             ELSE OLD.sftp_private_key END;
    IF old_value IS NULL THEN
      CONTINUE;
    END IF;
    CASE secret
      WHEN 'smtp_password' THEN NEW.smtp_password := NULL;
      WHEN 'sftp_password' THEN NEW.sftp_password := NULL;
      ELSE NEW.sftp_private_key := NULL;
    END CASE;
    IF NOT secret = ANY (NEW.cleared_secrets) THEN
      NEW.cleared_secrets := array_append(NEW.cleared_secrets, secret);
    END IF;
    RAISE WARNING 'setting "%": % was cleared, because where it is sent changed', NEW.name, secret
      USING DETAIL = CASE WHEN secret = 'smtp_password' THEN 'smtp_url or smtp_user changed.'
                          ELSE 'sftp_host, sftp_port, sftp_user or sftp_host_key changed.' END,
            HINT = format('Set it again (UPDATE casemis.import_settings SET %I = ... WHERE name = %L), in the same '
                          'statement as the change or afterwards; until then runs fail saying so.', secret, NEW.name);
  END LOOP;
  RETURN NEW;
END $$;

-- Enabling a setting arms its schedule for this database (its cluster's system
-- identifier and the database's oid) and records the role that enabled it: a
-- scheduled run is for that role. A restored or cloned copy keeps enabled but
-- enabled_in names the original, so the scheduler runs nothing there until a
-- DBA enables it again (UPDATE ... SET enabled = true, which fires this).
CREATE FUNCTION casemis._settings_arm() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF current_query() ~* '^\s*copy\s' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RETURN NEW;
  END IF;
  IF NOT NEW.enabled THEN
    NEW.enabled_by := NULL;
    NEW.enabled_in := NULL;
    RETURN NEW;
  END IF;
  IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'role "%" cannot enable the schedule of setting "%": it is not permitted to log in', current_user, NEW.name
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A scheduled run is for the role that enabled the schedule, and runs in a background worker connected as that role.',
            HINT = 'Enable it as a role with LOGIN (RESET ROLE first).';
  END IF;
  NEW.enabled_by := current_user;
  NEW.enabled_in := (SELECT system_identifier::text FROM pg_control_system()) || '/' ||
                    (SELECT oid::text FROM pg_database WHERE datname = current_database());
  RETURN NEW;
END $$;

CREATE TRIGGER import_settings_1_reset BEFORE INSERT OR UPDATE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_reset();
CREATE TRIGGER import_settings_2_set_sftp_password BEFORE UPDATE OF sftp_password ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_secret_set('sftp_password');
CREATE TRIGGER import_settings_2_set_sftp_private_key BEFORE UPDATE OF sftp_private_key ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_secret_set('sftp_private_key');
CREATE TRIGGER import_settings_2_set_smtp_password BEFORE UPDATE OF smtp_password ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_secret_set('smtp_password');
CREATE TRIGGER import_settings_3_secrets BEFORE INSERT OR UPDATE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_secrets();
CREATE TRIGGER import_settings_4_arm BEFORE INSERT OR UPDATE OF enabled ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_arm();

COMMENT ON COLUMN casemis.import_settings.enabled_by IS 'The role that enabled the schedule (set on enabling): a scheduled run is for this role.';
COMMENT ON COLUMN casemis.import_settings.enabled_in IS 'Where the schedule was enabled (system identifier/database oid): a restored or cloned copy runs nothing until enabled again there.';
COMMENT ON COLUMN casemis.import_settings.cleared_secrets IS 'Secrets cleared because their destination changed (smtp_url/smtp_user, sftp_host/port/user/host_key); runs fail until they are set again.';
COMMENT ON COLUMN casemis.import_settings.lock_timeout IS 'How long a run waits for a lock (its setting''s, the shared write lock, rows of cse/csv) before it fails.';

-- The schedule of a setting is armed in this database.
CREATE FUNCTION casemis._armed_here(enabled_in text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN enabled_in IS NOT DISTINCT FROM (SELECT system_identifier::text FROM pg_control_system()) || '/' ||
                                       (SELECT oid::text FROM pg_database WHERE datname = current_database());

-- ---------------------------------------------------------------- run locks
-- Runs serialize on rows of this table, which no one outside the extension
-- may lock (advisory-lock keys can be taken by any role): a row per setting
-- (one run of a setting at a time) and the row '*' (one writer of cse/csv at a
-- time). Engine state, not dumped: the rows follow the settings (a trigger),
-- so a restored database has the same ones; a missing row is made when needed.
CREATE TABLE casemis.run_lock (
  name text PRIMARY KEY
);
INSERT INTO casemis.run_lock VALUES ('*');

CREATE FUNCTION casemis._settings_run_lock() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM casemis.run_lock WHERE name = OLD.name;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO casemis.run_lock VALUES (NEW.name) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER import_settings_run_lock AFTER INSERT OR DELETE OR UPDATE OF name ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_run_lock();
COMMENT ON TABLE casemis.run_lock IS 'Lock rows of the runs: one per setting, and ''*'' for writing cse/csv; a run waits at most its setting''s lock_timeout.';

-- no advisory-lock keys any more (any role could take them)
DROP FUNCTION casemis._run_lock_key(text);
DROP FUNCTION casemis._tick_lock_key();
CREATE FUNCTION casemis._run_in_progress(worker_pid int, started_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN EXISTS (SELECT 1 FROM pg_stat_activity a
                WHERE a.pid = worker_pid AND a.backend_type = 'casemis_import' AND a.backend_start <= started_at);
CREATE OR REPLACE FUNCTION casemis.reap_interrupted_runs() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n int;
BEGIN
  UPDATE casemis.import_run r
     SET status = 'failed', finished_at = clock_timestamp(),
         message = 'interrupted: the run''s worker ended before finishing (server crash, restart or kill); nothing of it was applied'
   WHERE r.status = 'running' AND NOT casemis._run_in_progress(r.worker_pid, r.started_at);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
CREATE OR REPLACE FUNCTION casemis._tick_setting(name text, t timestamptz)
RETURNS TABLE (action text, scheduled_for timestamptz)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s record;
  st casemis.schedule_state;
  due timestamptz;
  oldest timestamptz;
  m timestamptz;
  late interval;
  allowed interval;
BEGIN
  SELECT i.name, i.schedule_days, i.schedule_time, i.time_zone, i.catch_up_window INTO s
    FROM casemis.import_settings i WHERE i.name = _tick_setting.name AND i.enabled;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- a restored or cloned copy runs nothing until enabled again here (casemis.status says so)
  IF NOT casemis._armed_here((SELECT i.enabled_in FROM casemis.import_settings i WHERE i.name = s.name)) THEN
    RETURN;
  END IF;
  SELECT * INTO st FROM casemis.schedule_state ss WHERE ss.settings_name = s.name FOR UPDATE;
  IF NOT FOUND THEN
    -- enabled without the trigger (restored data): the schedule starts now
    INSERT INTO casemis.schedule_state (settings_name, enabled_at, last_slot) VALUES (s.name, t, t);
    RETURN QUERY SELECT 'started'::text, NULL::timestamptz;
    RETURN;
  END IF;

  due := casemis.due_slot(s.schedule_days, s.schedule_time, s.time_zone, st.last_slot, t);
  IF due IS NULL THEN
    RETURN;
  END IF;
  allowed := greatest(s.catch_up_window, casemis._on_time_grace());
  late := t - due;

  -- Slots before the due one were missed (the server was down): a missed run
  -- is made up once, so only the latest slot may run. Older than 100 days
  -- they are summed up in one row rather than listed.
  oldest := greatest(st.last_slot, t - interval '100 days');
  IF st.last_slot < oldest THEN
    INSERT INTO casemis.import_run (settings_name, status, started_at, finished_at, message, trigger)
    VALUES (s.name, 'missed', t, t,
            format('The scheduled runs between %s and %s (%s) were missed: the scheduler was not running then.',
                   to_char(st.last_slot AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),
                   to_char(oldest AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'), s.time_zone),
            'scheduled');
    RETURN QUERY SELECT 'missed'::text, NULL::timestamptz;
  END IF;
  FOR m IN SELECT x FROM casemis._slots_between(s.schedule_days, s.schedule_time, s.time_zone, oldest, due) AS x
            WHERE x < due LOOP
    PERFORM casemis._record_missed(s.name, s.time_zone, m, t,
      CASE WHEN late <= allowed
           THEN format('Only the latest missed run (for %s) was made up.',
                       to_char(due AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'))
           ELSE 'A later scheduled run was missed as well.' END);
    RETURN QUERY SELECT 'missed'::text, m;
  END LOOP;

  -- The slot is dealt with in the same transaction that launches it: a
  -- second tick never launches it again.
  UPDATE casemis.schedule_state
     SET last_slot = due, last_error = NULL, last_error_at = NULL,
         last_launch_at = CASE WHEN late <= allowed THEN t ELSE last_launch_at END
   WHERE settings_name = s.name;
  IF late <= allowed THEN
    -- last: once the worker is started nothing here may fail
    PERFORM casemis._launch_run(s.name, due);
    RETURN QUERY SELECT 'launched'::text, due;
  ELSE
    PERFORM casemis._record_missed(s.name, s.time_zone, due, t,
      format('When the scheduler came back it was %s late, more than the catch-up window (%s), so it was not run; '
             'run it by hand with SELECT casemis.casemis_import(%L) if needed.',
             casemis._human_interval(late), casemis._human_interval(s.catch_up_window), s.name));
    RETURN QUERY SELECT 'missed'::text, due;
  END IF;
END $$;
CREATE OR REPLACE FUNCTION casemis.tick()
RETURNS TABLE (settings_name text, action text, scheduled_for timestamptz)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY' AS $$
DECLARE
  t timestamptz;
  last_retention timestamptz;
  sname text;
  actions text[];
  slots timestamptz[];
  msg text;
BEGIN
  -- one tick at a time: a second one waits for the heartbeat row (no
  -- advisory lock, which any role could hold), then sees what the first did
  PERFORM 1 FROM casemis.scheduler_state FOR UPDATE;
  t := clock_timestamp();
  UPDATE casemis.scheduler_state SET last_tick_at = t RETURNING last_retention_at INTO last_retention;

  BEGIN
    PERFORM casemis.reap_interrupted_runs();
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    RAISE WARNING 'casemis scheduler: could not check for interrupted runs: %', msg;
  END;

  IF last_retention IS NULL OR last_retention < t - interval '1 hour' THEN
    BEGIN
      PERFORM casemis._apply_retention(t);
      PERFORM casemis._trim_tick_history(t);
      UPDATE casemis.scheduler_state SET last_retention_at = t;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
      RAISE WARNING 'casemis scheduler: could not apply the history retention: %', msg;
    END;
  END IF;

  -- Nothing enabled (say, the extension was dropped and created again): the
  -- job has no reason to exist.
  IF NOT EXISTS (SELECT 1 FROM casemis.import_settings WHERE enabled) THEN
    PERFORM casemis._unschedule_tick_job();
    RETURN;
  END IF;

  FOR sname IN SELECT i.name FROM casemis.import_settings i WHERE i.enabled ORDER BY i.name LOOP
    BEGIN
      SELECT array_agg(x.action), array_agg(x.scheduled_for) INTO actions, slots
        FROM casemis._tick_setting(sname, t) AS x;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
      RAISE WARNING 'casemis scheduler: setting "%": %', sname, msg;
      UPDATE casemis.schedule_state SET last_error = msg, last_error_at = t WHERE schedule_state.settings_name = sname;
      actions := '{error}';
      slots := '{NULL}';
    END;
    RETURN QUERY SELECT sname, a.action, a.slot FROM unnest(actions, slots) AS a(action, slot);
  END LOOP;
END $$;
CREATE OR REPLACE FUNCTION casemis._status_rows()
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
INSERT INTO casemis.run_lock SELECT name FROM casemis.import_settings;
REVOKE ALL ON casemis.run_lock FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION casemis._settings_reset(), casemis._settings_secret_set(), casemis._settings_secrets(),
  casemis._settings_arm(), casemis._settings_run_lock(), casemis._armed_here(text), casemis._run_in_progress(int, timestamptz) FROM PUBLIC;


-- ---------------------------------------------------------------- what a DBA sees
-- time_zone: a region name PostgreSQL knows, matched case-insensitively and
-- stored as PostgreSQL spells it (america/los_angeles -> America/Los_Angeles).
-- An abbreviation such as PST is a fixed UTC offset with no daylight-saving
-- time (a 6:30 pm schedule would drift to 7:30 pm in summer): refused. A
-- trigger of its own, fired before import_settings_validate (name order).
CREATE FUNCTION casemis._settings_time_zone() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  tz text;
  tz_offset interval;
BEGIN
  IF NEW.time_zone IS NULL THEN
    RETURN NEW;   -- NOT NULL says so
  END IF;
  SELECT min(z.name) INTO tz FROM pg_timezone_names z WHERE lower(z.name) = lower(btrim(NEW.time_zone));
  IF tz IS NOT NULL THEN
    NEW.time_zone := tz;
    RETURN NEW;
  END IF;
  SELECT min(a.utc_offset) INTO tz_offset FROM pg_timezone_abbrevs a WHERE lower(a.abbrev) = lower(btrim(NEW.time_zone));
  IF tz_offset IS NOT NULL THEN
    RAISE EXCEPTION 'time zone "%" is an abbreviation: a fixed UTC offset (%) with no daylight-saving time',
                    NEW.time_zone, to_char(tz_offset, 'HH24:MI')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use a region name from pg_timezone_names, such as America/Los_Angeles, so that the schedule '
                   'and the run''s date follow daylight-saving time.';
  END IF;
  RAISE EXCEPTION 'unknown time zone "%"', NEW.time_zone
    USING ERRCODE = 'invalid_parameter_value',
          HINT = 'Use a region name from pg_timezone_names, such as America/Los_Angeles.';
END $$;
CREATE TRIGGER import_settings_time_zone BEFORE INSERT OR UPDATE OF time_zone ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_time_zone();
-- 0.1.0 accepted abbreviations. A setting that holds one would be refused
-- when a dump of the database is restored (the trigger above), so it gets the
-- region name of the same fixed offset (PST, -08:00 -> Etc/GMT+8: the same
-- local times as before); a WARNING names it with the UPDATE that makes it
-- follow daylight-saving time. An offset with no such name (+05:30) is kept,
-- with the same WARNING.
DO $$
DECLARE
  s record;
  region text;
BEGIN
  FOR s IN SELECT i.name, i.time_zone, min(a.utc_offset) AS utc_offset
             FROM casemis.import_settings i
             LEFT JOIN pg_timezone_abbrevs a ON lower(a.abbrev) = lower(btrim(i.time_zone))
            WHERE NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = i.time_zone)
            GROUP BY i.name, i.time_zone ORDER BY i.name
  LOOP
    -- whole hours only (Etc/GMT+N counts west of Greenwich as plus); else, or
    -- when there is no such name, NULL
    SELECT z.name INTO region FROM pg_timezone_names z
     WHERE date_trunc('hour', s.utc_offset) = s.utc_offset
       AND z.name = 'Etc/GMT' || CASE WHEN s.utc_offset < interval '0' THEN '+' ELSE '-' END
                              || abs(extract(hour FROM s.utc_offset))::int;
    IF region IS NOT NULL THEN
      BEGIN   -- the settings' other checks still apply (a roster dropped since, say): then keep it
        UPDATE casemis.import_settings SET time_zone = region WHERE name = s.name;
      EXCEPTION WHEN OTHERS THEN
        region := NULL;
      END;
    END IF;
    RAISE WARNING 'import setting "%" had time_zone "%", an abbreviation: a fixed UTC offset with no daylight-saving time%',
                  s.name, s.time_zone,
                  CASE WHEN region IS NOT NULL THEN format('; it is now %s, the same offset', region) ELSE '' END
      USING HINT = format('To follow daylight-saving time: UPDATE casemis.import_settings SET time_zone = %L WHERE name = %L;',
                          'America/Los_Angeles', s.name);
  END LOOP;
END $$;

-- For a shell or cron wrapper: psql exits 0 after a failed run (the run does
-- not raise), so wrap the call in check_run(), which raises for a run that
-- did not do its job (failed, skipped, missed, still running) and returns the
-- run id otherwise:
--   psql -X -v ON_ERROR_STOP=1 -c "SELECT casemis.check_run(casemis.casemis_import('default'))"
-- exits 1 (psql's status for a failed statement) when the run failed.
-- VOLATILE: it must see the run row that the call in its own argument list
-- committed (a STABLE function reads with the statement's older snapshot).
CREATE FUNCTION casemis.check_run(run_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  SELECT i.status, i.settings_name, i.message, i.hint INTO r FROM casemis.import_run i WHERE i.run_id = check_run.run_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'import run % does not exist', run_id USING ERRCODE = 'no_data_found';
  END IF;
  IF r.status NOT IN ('succeeded', 'unchanged', 'dry_run', 'reverted') THEN
    RAISE EXCEPTION 'import run % of setting "%" has status %', run_id, r.settings_name, r.status
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = coalesce(r.message, ''),
            HINT = concat_ws(' ', r.hint, format('SELECT * FROM casemis.runs WHERE run_id = %s shows the run.', run_id));
  END IF;
  RETURN run_id;
END $$;
COMMENT ON FUNCTION casemis.check_run(bigint) IS 'Raise an error unless the run succeeded, was unchanged or a dry run; returns the run id. For shell and cron wrappers: psql -c "SELECT casemis.check_run(casemis.casemis_import(''default''))" exits non-zero on a failed run.';

-- casemis.runs (the run history for reporting): in the code health section,
-- once import_run has all its 0.2.0 columns.

-- nothing to PUBLIC (the fresh install's REVOKE ... ON ALL ... covers these)
REVOKE EXECUTE ON FUNCTION casemis._settings_time_zone() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION casemis.check_run(bigint) FROM PUBLIC;

-- COMMENTs on the schema and every column a DBA sets or reads (src/sql/95_comments.sql)
COMMENT ON SCHEMA casemis IS 'casemis_import: CASEMIS Table A/B files imported into cse and csv, with settings (import_settings), run history (import_run, runs), reports (import_report, report_csv) and schedule (status). See the README.';

COMMENT ON COLUMN casemis.students.student_id IS 'The district''s student id (the roster key; cse.student_id and csv.student_id refer to it).';
COMMENT ON COLUMN casemis.students.ssid IS 'Statewide Student Identifier; a Table A record with an SSID is matched by it alone.';
COMMENT ON COLUMN casemis.students.last_name IS 'Last name; its first 15 characters match a Table A record without an SSID (with first_name and birthdate).';
COMMENT ON COLUMN casemis.students.first_name IS 'First name; its first 15 characters match a Table A record without an SSID.';
COMMENT ON COLUMN casemis.students.birthdate IS 'Birth date; matches a Table A record without an SSID (with the names).';
COMMENT ON COLUMN casemis.students.grade IS 'Grade, as text (leading zeros kept: 01); shown in the reports.';
COMMENT ON COLUMN casemis.students.school_code IS 'School of the student (informative).';

COMMENT ON COLUMN casemis.cse.student_id IS 'The roster''s student_id of the matched student.';
COMMENT ON COLUMN casemis.cse.selpa_student_id IS 'Table A STUDENT_ID: the SELPA''s id of the student, as in the file.';
COMMENT ON COLUMN casemis.cse.last_updated IS 'Date of the run that last wrote this row, in the setting''s time_zone.';
COMMENT ON COLUMN casemis.cse.test_participation_1 IS 'Table A FILLER1 (state-test participation up to 2014-15); kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_2 IS 'Table A FILLER2; kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_3 IS 'Table A FILLER3; kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_4 IS 'Table A FILLER4; kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_5 IS 'Table A FILLER5; kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_6 IS 'Table A FILLER6; kept when FILLER1..6 are all blank.';

COMMENT ON COLUMN casemis.csv.student_id IS 'The roster''s student_id of the student the service belongs to.';
COMMENT ON COLUMN casemis.csv.service_start_date IS 'First day of school of school_year (school_calendar, school 0), or July 1 of that year.';
COMMENT ON COLUMN casemis.csv.selpa_student_id IS 'Table B STUDENT_ID, as in the file.';
COMMENT ON COLUMN casemis.csv.service IS 'Table B service code (SERVICE, SERV_CODE or SERVICE_CODE).';
COMMENT ON COLUMN casemis.csv.run_id IS 'The import run that wrote this row.';

COMMENT ON COLUMN casemis.school_calendar.school_code IS 'School code; 0 is the district calendar.';
COMMENT ON COLUMN casemis.school_calendar.school_year IS 'Calendar year in which the school year starts (2016 for 2016-17).';
COMMENT ON COLUMN casemis.school_calendar.first_day IS 'First day of school of that school year.';



-- settings: every column
COMMENT ON COLUMN casemis.import_settings.name IS 'Name of the setting (casemis_import(''name'')); ''default'' when omitted.';
COMMENT ON COLUMN casemis.import_settings.source IS 'Where the files are: ''folder'' (folder_path on the database server) or ''sftp''.';
COMMENT ON COLUMN casemis.import_settings.folder_path IS 'Server folder (absolute path) holding the files; only superusers or members of pg_read_server_files may set it.';
COMMENT ON COLUMN casemis.import_settings.sftp_host IS 'SFTP server host name or address.';
COMMENT ON COLUMN casemis.import_settings.sftp_port IS 'SFTP server port (22).';
COMMENT ON COLUMN casemis.import_settings.sftp_directory IS 'Directory on the SFTP server; relative to the login directory unless it starts with /.';
COMMENT ON COLUMN casemis.import_settings.sftp_user IS 'SFTP user name.';
COMMENT ON COLUMN casemis.import_settings.sftp_password IS 'Secret: SFTP password. Never shown by a view, an error, a log line or an email.';
COMMENT ON COLUMN casemis.import_settings.sftp_private_key IS 'Secret: SFTP private key (OpenSSH text, ed25519). Never shown.';
COMMENT ON COLUMN casemis.import_settings.sftp_host_key IS 'Pinned SHA-256 fingerprint of the SFTP server''s host key, as OpenSSH prints it (SHA256:...); see sftp_host_fingerprint().';
COMMENT ON COLUMN casemis.import_settings.students_file IS 'File name of Table A (Student Data) in the folder or SFTP directory.';
COMMENT ON COLUMN casemis.import_settings.services_file IS 'File name of Table B (Student Services) in the folder or SFTP directory.';
COMMENT ON COLUMN casemis.import_settings.include_services IS 'Import Table B too (services into csv).';
COMMENT ON COLUMN casemis.import_settings.school_year IS 'School year processed, as the calendar year it starts in (2016 for 2016-17); NULL = the school year (July 1 - June 30) holding the run''s date.';
COMMENT ON COLUMN casemis.import_settings.schedule_days IS 'Days to run: any of mon, tue, wed, thu, fri, sat, sun.';
COMMENT ON COLUMN casemis.import_settings.schedule_time IS 'Local time to run, in time_zone.';
COMMENT ON COLUMN casemis.import_settings.time_zone IS 'Region name (America/Los_Angeles) of schedule_time and of the run''s date; abbreviations such as PST are refused.';
COMMENT ON COLUMN casemis.import_settings.email_to IS 'Addresses that receive the completion email of every run.';
COMMENT ON COLUMN casemis.import_settings.email_from IS 'Sender address of the completion email.';
COMMENT ON COLUMN casemis.import_settings.smtp_url IS 'Mail server, smtp://host:port or smtps://host:port; NULL = no email is sent.';
COMMENT ON COLUMN casemis.import_settings.smtp_user IS 'Mail server user name.';
COMMENT ON COLUMN casemis.import_settings.smtp_password IS 'Secret: mail server password. Never shown.';
COMMENT ON COLUMN casemis.import_settings.enabled IS 'true: scheduled with pg_cron (set in the same transaction); false: not scheduled.';
COMMENT ON COLUMN casemis.import_settings.student_relation IS 'Roster table or view matched against (casemis.students); the calling role must be allowed to SELECT it.';
COMMENT ON COLUMN casemis.import_settings.smtp_require_tls IS 'Refuse to send the email over an unencrypted connection.';
COMMENT ON COLUMN casemis.import_settings.connect_timeout IS 'Time allowed to connect to the SFTP or mail server.';
COMMENT ON COLUMN casemis.import_settings.transfer_timeout IS 'Time allowed to transfer one file from the SFTP server.';
COMMENT ON COLUMN casemis.import_settings.catch_up_window IS 'A scheduled run missed while the server was down is made up when it comes back within this window (else recorded missed).';
COMMENT ON COLUMN casemis.import_settings.history_retention IS 'Runs and their report rows older than this are deleted by the scheduler.';
COMMENT ON COLUMN casemis.import_settings.max_file_size IS 'Largest file accepted, in bytes; a larger one fails the run.';
COMMENT ON COLUMN casemis.import_settings.max_line_length IS 'Longest record accepted, in bytes; a longer one fails the run.';
COMMENT ON COLUMN casemis.import_settings.max_columns IS 'Most fields accepted in a record; more fail the run.';
COMMENT ON COLUMN casemis.import_settings.created_at IS 'When the setting was created.';
COMMENT ON COLUMN casemis.import_settings.updated_at IS 'When the setting was last changed.';

-- runs: every column
COMMENT ON COLUMN casemis.import_run.run_id IS 'Run id, returned by casemis_import and casemis_import_files; higher is later.';
COMMENT ON COLUMN casemis.import_run.settings_name IS 'The setting the run used (import_settings.name).';
COMMENT ON COLUMN casemis.import_run.status IS 'running, succeeded, failed, unchanged (same files as the last succeeded run), skipped (another run of the setting was in progress), dry_run, missed (a scheduled slot passed while the server was down) or reverted (its changes were undone by casemis.revert_run).';
COMMENT ON COLUMN casemis.import_run.started_at IS 'When the run started.';
COMMENT ON COLUMN casemis.import_run.finished_at IS 'When the run''s outcome was recorded; NULL while running.';
COMMENT ON COLUMN casemis.import_run.message IS 'What happened, in plain English; for a failed run the reason (what to do about it: hint).';
COMMENT ON COLUMN casemis.import_run.type_a_imported IS 'Table A records written to cse.';
COMMENT ON COLUMN casemis.import_run.type_a_unmatched IS 'Table A records that matched no student (report CASEMIS_TypeA_UnmatchedRecords.csv).';
COMMENT ON COLUMN casemis.import_run.type_a_duplicates IS 'Table A records sharing an SSID or a student with another record; none of them imported.';
COMMENT ON COLUMN casemis.import_run.type_a_errors IS 'Table A records not imported because of a bad value (report CASEMIS_TypeA_Errors.csv).';
COMMENT ON COLUMN casemis.import_run.type_a_not_in_file IS 'Students with a cse row and a primary disability, not exited, absent from the file.';
COMMENT ON COLUMN casemis.import_run.type_b_imported IS 'Table B records written to csv.';
COMMENT ON COLUMN casemis.import_run.type_b_unmatched IS 'Table B records that belong to no imported student.';
COMMENT ON COLUMN casemis.import_run.type_b_errors IS 'Table B records not imported because of a bad value.';
COMMENT ON COLUMN casemis.import_run.email_status IS 'Outcome of the completion email (sent, failed: ..., not configured); resend_email(run_id) sends it again.';
COMMENT ON COLUMN casemis.import_run.trigger IS 'What started the run: manual (casemis_import), upload (casemis_import_files), scheduled, or revert (casemis.revert_run; revert_of names the run undone).';
COMMENT ON COLUMN casemis.import_run.dry_run IS 'Called with dry_run => true: every report, no cse/csv change.';
COMMENT ON COLUMN casemis.import_run.forced IS 'Called with force => true: imported even if the files were unchanged.';
COMMENT ON COLUMN casemis.import_run.run_date IS 'The run''s date in the setting''s time_zone (cse.last_updated, NotInFile).';
COMMENT ON COLUMN casemis.import_run.school_year IS 'School year processed (2016 for 2016-17).';
COMMENT ON COLUMN casemis.import_run.run_by IS 'The role the run was for (the caller, or the role that enabled the schedule).';
COMMENT ON COLUMN casemis.import_run.notify IS 'The extra address given with notify => (uploads).';
COMMENT ON COLUMN casemis.import_run.worker_pid IS 'Process id of the run''s background worker (in pg_stat_activity while it runs).';
COMMENT ON COLUMN casemis.import_run.warnings IS 'Header warnings and per-field counts of values outside a known code set.';
COMMENT ON COLUMN casemis.import_run.students_file IS 'Table A file read (name, or "uploaded Table A"); kept when the run failed after fetching.';
COMMENT ON COLUMN casemis.import_run.students_size IS 'Size of the Table A file in bytes.';
COMMENT ON COLUMN casemis.import_run.students_sha256 IS 'SHA-256 of the Table A file (hex); the unchanged check compares it.';
COMMENT ON COLUMN casemis.import_run.services_file IS 'Table B file read; NULL when services were not included.';
COMMENT ON COLUMN casemis.import_run.services_size IS 'Size of the Table B file in bytes.';
COMMENT ON COLUMN casemis.import_run.services_sha256 IS 'SHA-256 of the Table B file (hex).';
COMMENT ON COLUMN casemis.import_run.email_sent_at IS 'When the completion email was last sent.';
COMMENT ON COLUMN casemis.import_run.scheduled_for IS 'Scheduled runs: the slot (instant) the run was for.';


COMMENT ON COLUMN casemis.status.name IS 'The setting (import_settings.name).';
COMMENT ON COLUMN casemis.status.enabled IS 'Whether the setting is scheduled.';
COMMENT ON COLUMN casemis.status.schedule_days IS 'Days to run.';
COMMENT ON COLUMN casemis.status.schedule_time IS 'Local time to run, in time_zone.';
COMMENT ON COLUMN casemis.status.time_zone IS 'Time zone of the schedule.';
COMMENT ON COLUMN casemis.status.last_run_id IS 'The setting''s latest run (highest run_id).';
COMMENT ON COLUMN casemis.status.last_status IS 'Status of that run.';
COMMENT ON COLUMN casemis.status.last_finished_at IS 'When that run finished.';
COMMENT ON COLUMN casemis.status.scheduler_message IS 'Why the schedule is or is not in working order, and what to do.';


-- ---------------------------------------------------------------- CALPADS files
-- SPED/SSRV columns of cse and csv (appended, in the fresh install's order).
ALTER TABLE casemis.cse
  ADD COLUMN reporting_lea text,
  ADD COLUMN school_nps text,
  ADD COLUMN academic_year text,
  ADD COLUMN district_accountability text,
  ADD COLUMN meeting_type text,
  ADD COLUMN meeting_date date,
  ADD COLUMN meeting_id text,
  ADD COLUMN meeting_delay text,
  ADD COLUMN plan_amendment_date date,
  ADD COLUMN infant_rc_eligible text,
  ADD COLUMN program_setting text,
  ADD COLUMN preschool_location text,
  ADD COLUMN ten_weekly_hours text,
  ADD COLUMN gened_percent_range text,
  ADD COLUMN program_type text,
  ADD COLUMN postsecondary_goals text,
  ADD COLUMN postsecondary_goals_updated text,
  ADD COLUMN transition_assessment text,
  ADD COLUMN transition_services text,
  ADD COLUMN supportive_services text,
  ADD COLUMN transition_services_goals text,
  ADD COLUMN student_iep_participation text,
  ADD COLUMN agency_iep_participation text,
  ADD COLUMN workability_completion text,
  ADD COLUMN dor_completion text;
ALTER TABLE casemis.csv
  ADD COLUMN reporting_lea text,
  ADD COLUMN npa_id text,
  ADD COLUMN meeting_id text;
ALTER TABLE casemis.import_settings
  ADD COLUMN file_format text NOT NULL DEFAULT 'auto' CHECK (file_format IN ('auto', 'casemis', 'calpads'));
COMMENT ON COLUMN casemis.import_settings.file_format IS 'Which files to read: auto (decided per run from the Student Data file: CALPADS SPED, positional or with a header, else CASEMIS Table A), casemis or calpads.';
ALTER TABLE casemis.import_run
  ADD COLUMN file_format text CHECK (file_format IN ('casemis', 'calpads'));
COMMENT ON COLUMN casemis.import_run.file_format IS 'Which family of files the run read: casemis (Table A/B) or calpads (SPED/SSRV); NULL before the files were read.';
-- The layout tables take the CALPADS layouts.
ALTER TABLE casemis.layout_field
  DROP CONSTRAINT layout_field_layout_check,
  DROP CONSTRAINT layout_field_header_check,
  DROP CONSTRAINT layout_field_data_type_check,
  DROP CONSTRAINT layout_field_role_check,
  ADD CONSTRAINT layout_field_layout_check CHECK (layout IN ('A', 'B', 'SPED', 'SSRV')),
  ADD CONSTRAINT layout_field_header_check
    CHECK (header <> '' AND header = btrim(header) AND (header = upper(header) OR layout IN ('SPED', 'SSRV'))),
  ADD CONSTRAINT layout_field_data_type_check CHECK (data_type IN ('text', 'date', 'percent', 'code')),
  ADD CONSTRAINT layout_field_role_check
    CHECK (role IN ('ssid', 'student_id', 'last_name', 'first_name', 'birthdate',
                    'grade', 'selpa_code', 'service', 'filler', 'record_type',
                    'transaction_type', 'local_student_id', 'meeting_id',
                    'meeting_date', 'amendment_date'));
COMMENT ON TABLE casemis.layout_field IS 'Fields of the CASEMIS Table A and Table B and the CALPADS SPED and SSRV layouts: header, position, type, target column, role, key or not, known codes.';
COMMENT ON COLUMN casemis.layout_field.position IS 'Field number: informative for Table A and B; in a CALPADS file without a header row, the field at this position (SPED 14.01 is 1).';
COMMENT ON COLUMN casemis.layout_field.data_type IS 'text: trimmed, blank is NULL; date: YYYYMMDD (CCYYMMDD), MMDDYYYY, M/D/YYYY or YYYY-MM-DD; percent: whole number 0-100; code: blank or one of codes, anything else makes the record an error.';
COMMENT ON COLUMN casemis.layout_field.target_column IS 'Column of casemis.cse (layouts A, SPED) or casemis.csv (layouts B, SSRV); NULL = not stored in a column.';
COMMENT ON COLUMN casemis.layout_field.codes IS 'Known code set; a value outside it is a warning (counted per field), not an error, except for data_type code, whose codes are the only values imported.';
-- Headers and aliases are compared in upper case: store them so. CALPADS
-- headers keep their public names as published ("Reporting LEA"): they are
-- compared ignoring case, spaces, underscores, hyphens and periods, and an
-- alias may name its field in any such spelling.
CREATE OR REPLACE FUNCTION casemis._layout_upper() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'layout_field' THEN
    NEW.header := CASE WHEN NEW.layout IN ('SPED', 'SSRV') THEN btrim(NEW.header) ELSE upper(btrim(NEW.header)) END;
  ELSE
    NEW.alias := upper(btrim(NEW.alias));
    IF NEW.layout IN ('SPED', 'SSRV') THEN
      NEW.header := coalesce((SELECT f.header FROM casemis.layout_field f
                               WHERE f.layout = NEW.layout
                                 AND upper(translate(f.header, ' _-.', '')) = upper(translate(NEW.header, ' _-.', ''))
                               LIMIT 1), btrim(NEW.header));
    ELSE
      NEW.header := upper(btrim(NEW.header));
    END IF;
  END IF;
  RETURN NEW;
END $$;

-- pg_dump keeps only the rows a DBA added (shipped = false): a shipped row a DBA
-- changes (a fixed position, a code set) becomes the DBA's row, so the dump
-- keeps the change; restoring it into a fresh install, whose shipped row of the
-- same field is already there, updates that row instead of failing on the key.
CREATE FUNCTION casemis._layout_field_local() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.shipped AND NEW.shipped AND (NEW.position, NEW.data_type, NEW.target_column, NEW.role, NEW.is_key, NEW.codes)
         IS DISTINCT FROM (OLD.position, OLD.data_type, OLD.target_column, OLD.role, OLD.is_key, OLD.codes) THEN
      NEW.shipped := false;
    END IF;
    RETURN NEW;
  END IF;
  IF NOT NEW.shipped AND EXISTS (SELECT 1 FROM casemis.layout_field f
                                  WHERE f.layout = NEW.layout AND f.header = NEW.header AND f.shipped) THEN
    UPDATE casemis.layout_field f
       SET position = NEW.position, data_type = NEW.data_type, target_column = NEW.target_column,
           role = NEW.role, is_key = NEW.is_key, codes = NEW.codes, shipped = false
     WHERE f.layout = NEW.layout AND f.header = NEW.header;
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER layout_field_write_local BEFORE INSERT OR UPDATE ON casemis.layout_field
  FOR EACH ROW EXECUTE FUNCTION casemis._layout_field_local();

-- CALPADS SPED (file 14, 2018-19 to 2022-23; 49 fields) and SSRV (file 15;
-- 18 fields): position = field number (14.01 is 1), header = the public name.
-- Codes of data_type 'code' are the only values imported (the Record and
-- Transaction Type Codes); codes of 'text' fields are known codes (warnings).
INSERT INTO casemis.layout_field (layout, position, header, data_type, target_column, role, is_key, codes, shipped) VALUES
  ('SPED',  1, 'Record Type Code',                                        'code', NULL,                        'record_type',      false, '{SPED}', true),
  ('SPED',  2, 'Transaction Type Code',                                   'code', NULL,                        'transaction_type', false, '{A}', true),
  ('SPED',  3, 'Local Record ID',                                         'text', NULL,                        NULL,               false, NULL, true),
  ('SPED',  4, 'Reporting LEA',                                           'text', 'reporting_lea',             NULL,               false, NULL, true),
  ('SPED',  5, 'School of Attendance',                                    'text', 'sch_code',                  NULL,               false, NULL, true),
  ('SPED',  6, 'School of Attendance NPS',                                'text', 'school_nps',                NULL,               false, NULL, true),
  ('SPED',  7, 'Academic Year ID',                                        'text', 'academic_year',             NULL,               false, NULL, true),
  ('SPED',  8, 'SSID',                                                    'text', NULL,                        'ssid',             true,  NULL, true),
  ('SPED',  9, 'Local Student ID',                                        'text', NULL,                        'local_student_id', true,  NULL, true),
  ('SPED', 10, 'Local Special Education Student ID',                      'text', 'selpa_student_id',          'student_id',       false, NULL, true),
  ('SPED', 11, 'Student Legal First Name',                                'text', NULL,                        'first_name',       true,  NULL, true),
  ('SPED', 12, 'Student Legal Last Name',                                 'text', NULL,                        'last_name',        true,  NULL, true),
  ('SPED', 13, 'Student Birth Date',                                      'date', NULL,                        'birthdate',        true,  NULL, true),
  ('SPED', 14, 'Student Gender Code',                                     'text', 'gender',                    NULL,               false, NULL, true),
  ('SPED', 15, 'Reporting SELPA',                                         'text', 'selpa_code',                NULL,               false, NULL, true),
  ('SPED', 16, 'District of Special Education Accountability',            'text', 'district_accountability',   NULL,               false, NULL, true),
  ('SPED', 17, 'Special Education Referral Date',                         'date', 'rfrdate',                   NULL,               false, NULL, true),
  ('SPED', 18, 'Referring Party Code',                                    'text', 'refr_by',                   NULL,               false, '{10,20,30,40,90}', true),
  ('SPED', 19, 'Initial Evaluation Parental Consent Date',                'date', 'prnt_csnt',                 NULL,               false, NULL, true),
  ('SPED', 20, 'Special Education Meeting Type Code',                     'text', 'meeting_type',              NULL,               false, '{10,15,20,30,40}', true),
  ('SPED', 21, 'Special Education Meeting Date',                          'date', 'meeting_date',              'meeting_date',     false, NULL, true),
  ('SPED', 22, 'Student Special Education Meeting or Amendment Identifier', 'text', 'meeting_id',              'meeting_id',       false, NULL, true),
  ('SPED', 23, 'Meeting Delay Code',                                      'text', 'meeting_delay',             NULL,               false, '{10,20,30,40,50,60,70,75,80,85,90}', true),
  ('SPED', 24, 'Education Plan Type Code',                                'text', 'plan_type',                 NULL,               false, '{100,150,200,300,700,800,900}', true),
  ('SPED', 25, 'Education Plan Amendment Date',                           'date', 'plan_amendment_date',       'amendment_date',   false, NULL, true),
  ('SPED', 26, 'Primary Residence Code',                                  'text', 'resid_stat',                NULL,               false, NULL, true),
  ('SPED', 27, 'Special Education Initial Entry Start Date',              'date', 'entry_date',                NULL,               false, NULL, true),
  ('SPED', 28, 'Disability 1 Code',                                       'text', 'disabilit1',                NULL,               false, '{210,220,230,240,250,260,270,280,281,290,300,310,320,330}', true),
  ('SPED', 29, 'Disability 2 Code',                                       'text', 'disabilit2',                NULL,               false, '{210,220,230,240,250,260,270,280,281,290,300,310,320,330}', true),
  ('SPED', 30, 'Infant Regional Center Services Eligibility Indicator',   'text', 'infant_rc_eligible',        NULL,               false, '{Y,N}', true),
  ('SPED', 31, 'Special Education Program Setting Code',                  'text', 'program_setting',           NULL,               false, '{103,104,200,201,203,204,300,301,400,401,402,403,500}', true),
  ('SPED', 32, 'Preschool Program Setting Service Location Code',         'text', 'preschool_location',        NULL,               false, '{1,2}', true),
  ('SPED', 33, 'Ten or More Weekly Hours in Setting Indicator',           'text', 'ten_weekly_hours',          NULL,               false, '{Y,N}', true),
  ('SPED', 34, 'General Education Participation Percentage Range Code',   'text', 'gened_percent_range',       NULL,               false, '{1,2,3}', true),
  ('SPED', 35, 'Special Education Program Type Code',                     'text', 'program_type',              NULL,               false, '{100,200,300}', true),
  ('SPED', 36, 'IEP Includes Postsecondary Goals Indicator',              'text', 'postsecondary_goals',       NULL,               false, '{Y,N}', true),
  ('SPED', 37, 'Postsecondary Goals Updated Annually Indicator',          'text', 'postsecondary_goals_updated', NULL,             false, '{Y,N}', true),
  ('SPED', 38, 'Postsecondary Goals Age Appropriate Transition Assessment Indicator', 'text', 'transition_assessment', NULL,   false, '{Y,N}', true),
  ('SPED', 39, 'Transition Services in IEP Indicator',                    'text', 'transition_services',       NULL,               false, '{Y,N}', true),
  ('SPED', 40, 'Supportive Services Indicator',                           'text', 'supportive_services',       NULL,               false, '{Y,N}', true),
  ('SPED', 41, 'Transition Services Goals in IEP Indicator',              'text', 'transition_services_goals', NULL,               false, '{Y,N}', true),
  ('SPED', 42, 'Student IEP Participation Indicator',                     'text', 'student_iep_participation', NULL,               false, '{Y,N}', true),
  ('SPED', 43, 'Agency Representative IEP Participation Code',            'text', 'agency_iep_participation',  NULL,               false, '{Y,N}', true),
  ('SPED', 44, 'Special Transportation Indicator',                        'text', 'spec_trans',                NULL,               false, '{Y,N}', true),
  ('SPED', 45, 'Parental Involvement Facilitation Code',                  'text', 'parinput',                  NULL,               false, NULL, true),
  ('SPED', 46, 'Special Education Program Exit Date',                     'date', 'exit_date',                 NULL,               false, NULL, true),
  ('SPED', 47, 'Workability I Work-Based Learning Program Completion Indicator', 'text', 'workability_completion', NULL,        false, '{Y,N}', true),
  ('SPED', 48, 'Department of Rehabilitation Student Services Work-based Learning Program Completion Indicator', 'text', 'dor_completion', NULL, false, '{Y,N}', true),
  ('SPED', 49, 'Special Education Program Exit Reason Code',              'text', 'exit_reson',                NULL,               false, '{70,71,73,74,77,78,84}', true),
  ('SSRV',  1, 'Record Type Code',                                        'code', NULL,                        'record_type',      false, '{SSRV}', true),
  ('SSRV',  2, 'Transaction Type Code',                                   'code', NULL,                        'transaction_type', false, '{A,R}', true),
  ('SSRV',  3, 'Local Record ID',                                         'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV',  4, 'Reporting LEA',                                           'text', 'reporting_lea',             NULL,               false, NULL, true),
  ('SSRV',  5, 'School of Attendance',                                    'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV',  6, 'School of Attendance NPS',                                'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV',  7, 'Nonpublic Agency Identifier',                             'text', 'npa_id',                    NULL,               false, NULL, true),
  ('SSRV',  8, 'Academic Year ID',                                        'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV',  9, 'SSID',                                                    'text', 'ssid',                      'ssid',             true,  NULL, true),
  ('SSRV', 10, 'Reporting SELPA',                                         'text', 'selpa_code',                NULL,               false, NULL, true),
  ('SSRV', 11, 'District of Special Education Accountability',            'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV', 12, 'Student Special Education Meeting or Amendment Identifier', 'text', 'meeting_id',              'meeting_id',       false, NULL, true),
  ('SSRV', 13, 'Special Education Service Code',                          'text', 'service',                   'service',          true,  NULL, true),
  ('SSRV', 14, 'Special Education Service Provider Code',                 'text', 'provider',                  NULL,               false, NULL, true),
  ('SSRV', 15, 'Special Education Service Location Code',                 'text', 'location',                  NULL,               false, NULL, true),
  ('SSRV', 16, 'Service Frequency Code',                                  'text', 'frequency',                 NULL,               false, '{10,20,30,40,90}', true),
  ('SSRV', 17, 'Service Duration',                                        'text', 'duration',                  NULL,               false, NULL, true),
  ('SSRV', 18, 'Local Special Education Student ID',                      'text', 'selpa_student_id',          'student_id',       true,  NULL, true);

INSERT INTO casemis.layout_alias (layout, alias, header, shipped) VALUES
  ('SPED', 'MEETING OR AMENDMENT IDENTIFIER',                                  'Student Special Education Meeting or Amendment Identifier', true),
  ('SPED', 'STUDENT SPECIAL EDUCATION EVALUATION OR AMENDMENT IDENTIFIER',     'Student Special Education Meeting or Amendment Identifier', true),
  ('SPED', 'SPECIAL EDUCATION INITIAL SERVICE START DATE',                     'Special Education Initial Entry Start Date', true),
  ('SPED', 'SPECIAL EDUCATION INFANT PROGRAM TYPE CODE',                       'Special Education Program Type Code', true),
  ('SPED', 'LOCSTUDID',                                                        'Local Student ID', true),
  ('SSRV', 'MEETING OR AMENDMENT IDENTIFIER',                                  'Student Special Education Meeting or Amendment Identifier', true),
  ('SSRV', 'NONPUBLIC AGENCY IDENTIFIER (NPA)',                                'Nonpublic Agency Identifier', true),
  ('SSRV', 'SPECIAL EDUCATION SERVICE PROVIDER',                               'Special Education Service Provider Code', true),
  ('SSRV', 'SPECIAL EDUCATION SERVICE LOCATION',                               'Special Education Service Location Code', true);
REVOKE EXECUTE ON FUNCTION casemis._layout_field_local() FROM PUBLIC;

-- ---------------------------------------------------------------- safety nets
-- The record-count guard and revert_run (README: "Safety nets").
ALTER TABLE casemis.import_settings
  ADD COLUMN min_record_ratio real NOT NULL DEFAULT 0.5 CHECK (min_record_ratio >= 0 AND min_record_ratio <= 1);
COMMENT ON COLUMN casemis.import_settings.min_record_ratio IS 'Record-count guard: a run whose Student Data (or Services) file holds fewer records than this fraction of the same file''s records in the last successful run fails before writing (force => true imports it anyway); 0 turns it off.';

ALTER TABLE casemis.import_run
  DROP CONSTRAINT import_run_status_check,
  ADD CONSTRAINT import_run_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'unchanged',
                                                           'skipped', 'dry_run', 'missed', 'reverted')),
  DROP CONSTRAINT import_run_trigger_check,
  ADD CONSTRAINT import_run_trigger_check CHECK (trigger IN ('manual', 'upload', 'scheduled', 'revert')),
  ADD COLUMN students_records bigint,
  ADD COLUMN services_records bigint,
  ADD COLUMN revert_of bigint;
COMMENT ON COLUMN casemis.import_run.students_records IS 'Records in the Student Data file (the record-count guard compares with the last successful run''s).';
COMMENT ON COLUMN casemis.import_run.services_records IS 'Records in the Services file (NULL when the run read none).';
COMMENT ON COLUMN casemis.import_run.revert_of IS 'A revert run (trigger ''revert''): the run whose changes it undid (that run''s status is then ''reverted'').';

-- "The last successful run" of a setting, for the unchanged check, the
-- record-count guard and revert_run: the succeeded import (not a revert, not
-- a dry run) with the highest run_id -- compared as a number.
CREATE FUNCTION casemis._last_successful_run(settings_name text) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN (SELECT r.run_id FROM casemis.import_run r
         WHERE r.settings_name = _last_successful_run.settings_name
           AND r.status = 'succeeded' AND r.trigger <> 'revert'
         ORDER BY r.run_id DESC LIMIT 1);
COMMENT ON FUNCTION casemis._last_successful_run(text) IS 'The run_id of the setting''s last successful run (status succeeded, not a revert), or NULL.';

-- The same with force => true: past the record-count guard (README: "Safety
-- nets"). No defaults, so that a call without force is never ambiguous.
CREATE FUNCTION casemis.casemis_import_files(students bytea, services bytea, settings_name text, notify text,
                                             dry_run boolean, force boolean)
RETURNS bigint
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_import_files';
COMMENT ON FUNCTION casemis.casemis_import_files(bytea, bytea, text, text, boolean, boolean) IS 'One-time import of files sent from the client, with force => true past the record-count guard; returns the run id.';

-- ---------------------------------------------------------------- run history (revert_run)
-- What casemis.revert_run needs, written by each run itself in bulk, in the
-- transaction that writes cse and csv (src/apply/run_history.cpp):
-- * run_history_cse: the cse rows the run updated, as they were before it;
-- * run_history_cse_stamp: the cse rows whose values the run left alone but
--   stamped (last_updated, last_run_id): their former stamps, students grouped
--   by stamp, at most 10000 ids a row (CseStampHistory, src/apply/run_history.hpp);
-- * run_history_csv: the csv rows the run deleted.
-- Rows the run inserted need nothing: they carry its id (cse.last_run_id,
-- csv.run_id). Kept as long as the run's row (history_retention).
-- The images are of the tables' own row types (compact, exact, and "(before).*"
-- is a row of the table). So a later ALTER of cse or csv that rewrites rows
-- (ADD COLUMN ... NOT NULL DEFAULT, ALTER COLUMN TYPE) is refused while these
-- tables exist; an upgrade script that needs one converts them first. Adding
-- a nullable column is fine (older images read NULL there).
CREATE TABLE casemis.run_history_cse (
  run_id bigint      NOT NULL,
  before casemis.cse NOT NULL
);
CREATE INDEX run_history_cse_run_idx ON casemis.run_history_cse (run_id);
COMMENT ON TABLE casemis.run_history_cse IS 'Before-images of the cse rows each run updated, for casemis.revert_run (kept for history_retention).';

CREATE TABLE casemis.run_history_cse_stamp (
  run_id       bigint   NOT NULL,
  last_updated date,
  last_run_id  bigint,
  student_ids  bigint[] NOT NULL
);
CREATE INDEX run_history_cse_stamp_run_idx ON casemis.run_history_cse_stamp (run_id);
COMMENT ON TABLE casemis.run_history_cse_stamp IS 'The cse rows each run only stamped (last_updated, last_run_id; values unchanged): their former stamps, students grouped by stamp (ids sorted, at most 10000 a row: a stamp may take several rows), for casemis.revert_run.';

CREATE TABLE casemis.run_history_csv (
  run_id bigint      NOT NULL,
  before casemis.csv NOT NULL
);
CREATE INDEX run_history_csv_run_idx ON casemis.run_history_csv (run_id);
COMMENT ON TABLE casemis.run_history_csv IS 'The csv rows each run deleted, for casemis.revert_run (kept for history_retention).';

-- Raises, with an errcode, a message naming the run and a hint, unless the run
-- can be reverted now: a succeeded, non-dry import whose history is kept, and
-- no later run of any setting (that was not itself reverted) changed the
-- students it wrote. Called by revert_run before it starts the revert, and by
-- the revert under the setting's lock.
CREATE FUNCTION casemis._check_revertible(run_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET intervalstyle = 'postgres' AS $$
DECLARE
  r casemis.import_run;
  keep interval;
  later bigint;
  later_setting text;
  by_revert bigint;
BEGIN
  SELECT * INTO r FROM casemis.import_run i WHERE i.run_id = _check_revertible.run_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'import run % does not exist', run_id
      USING ERRCODE = 'no_data_found',
            HINT = 'casemis.import_run lists the runs; a run older than its setting''s history_retention is deleted.';
  END IF;
  IF r.status = 'reverted' THEN
    SELECT i.run_id INTO by_revert FROM casemis.import_run i
     WHERE i.revert_of = r.run_id AND i.status = 'succeeded' ORDER BY i.run_id DESC LIMIT 1;
    RAISE EXCEPTION 'run % was already reverted (by run %)', r.run_id, coalesce(by_revert::text, '?')
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'To apply its files again, import them again (force => true if they are unchanged).';
  END IF;
  IF r.trigger = 'revert' THEN
    RAISE EXCEPTION 'run % is a revert (of run %) and cannot itself be reverted', r.run_id, r.revert_of
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = format('To apply run %s''s files again, import them again.', r.revert_of);
  END IF;
  IF r.status <> 'succeeded' OR r.dry_run THEN
    RAISE EXCEPTION 'run % cannot be reverted: its status is ''%'' (only a succeeded run that was not a dry run changed cse and csv)',
                    r.run_id, r.status
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'A failed, skipped, unchanged or dry run wrote nothing, so there is nothing to undo.';
  END IF;
  SELECT s.history_retention INTO keep FROM casemis.import_settings s WHERE s.name = r.settings_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % cannot be reverted: its setting "%" no longer exists', r.run_id, r.settings_name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'A revert is a run of the setting (under its lock, emailed to its addresses): re-create the setting first.';
  END IF;
  IF r.started_at < now() - keep THEN
    RAISE EXCEPTION 'run % cannot be reverted: it started on %, longer ago than the setting''s history_retention (%)',
                    r.run_id, r.started_at::date, keep
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'What a revert needs is kept only as long as the run''s history; import corrected files instead.';
  END IF;

  -- a row the run wrote that no longer holds what the run left: the run that
  -- changed it since (the latest), or none (changed outside casemis_import)
  SELECT c.last_run_id INTO later
    FROM (SELECT (h.before).student_id AS student_id FROM casemis.run_history_cse h WHERE h.run_id = r.run_id
          UNION ALL
          SELECT unnest(st.student_ids) FROM casemis.run_history_cse_stamp st WHERE st.run_id = r.run_id) w
    LEFT JOIN casemis.cse c ON c.student_id = w.student_id
   WHERE c.last_run_id IS DISTINCT FROM r.run_id
   ORDER BY c.last_run_id DESC NULLS LAST LIMIT 1;
  IF NOT FOUND THEN
    -- a later run's before-images that hold a row as this run left it
    -- (cse rows this run inserted, csv rows it inserted)
    SELECT min(x.run_id) INTO later FROM (
      (SELECT h.run_id FROM casemis.run_history_cse h JOIN casemis.import_run l ON l.run_id = h.run_id
        WHERE h.run_id > r.run_id AND l.status <> 'reverted' AND (h.before).last_run_id = r.run_id
        ORDER BY h.run_id LIMIT 1)
      UNION ALL
      (SELECT st.run_id FROM casemis.run_history_cse_stamp st JOIN casemis.import_run l ON l.run_id = st.run_id
        WHERE st.run_id > r.run_id AND l.status <> 'reverted' AND st.last_run_id = r.run_id
        ORDER BY st.run_id LIMIT 1)
      UNION ALL
      (SELECT h.run_id FROM casemis.run_history_csv h JOIN casemis.import_run l ON l.run_id = h.run_id
        WHERE h.run_id > r.run_id AND l.status <> 'reverted' AND (h.before).run_id = r.run_id
        ORDER BY h.run_id LIMIT 1)) x;
    IF later IS NULL THEN
      RETURN r.settings_name;
    END IF;
  END IF;
  SELECT l.settings_name INTO later_setting FROM casemis.import_run l WHERE l.run_id = later;
  IF later IS NULL OR later_setting IS NULL THEN
    RAISE EXCEPTION 'run % cannot be reverted: cse rows it wrote were changed since, outside casemis_import', r.run_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Reverting would overwrite those changes; correct the data with an import instead.';
  END IF;
  RAISE EXCEPTION 'run % cannot be reverted: a later run, run % (setting "%"), changed the same students', r.run_id, later, later_setting
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = format('Revert the later runs first, newest first (SELECT casemis.revert_run(%s);), or import corrected files instead.', later);
END $$;

-- The revert proper, in the revert run's transaction (under the setting's
-- lock, after _check_revertible): cse and csv back to what they held before
-- run_id, set-based. Returns what it did, for the revert run's message.
-- No nested loops: every statement here is a bulk join, and the estimates it
-- would be planned from are often wrong -- cse's statistics seldom know the
-- run's id in last_run_id yet (the run just stamped it, or a revert of a later
-- run just put it back), so "last_run_id = run" looks like one row, and a nested
-- loop anti join then scans the unindexed stamp table once per cse row: over
-- ten minutes at 400k students (cancelled) instead of 4 s (bench/RESULTS.md,
-- 2026-12-02 evening).
CREATE FUNCTION casemis._revert_apply(run_id bigint,
                                      OUT cse_removed bigint, OUT cse_stamped bigint, OUT cse_restored bigint,
                                      OUT csv_removed bigint, OUT csv_restored bigint)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET enable_nestloop = off AS $$
BEGIN
  -- cse: rows the run inserted go; rows it stamped get their stamps back; rows
  -- it updated get their before-image back
  CREATE TEMP TABLE casemis_revert_stamp ON COMMIT DROP AS
  SELECT st.last_updated, st.last_run_id, unnest(st.student_ids) AS student_id
    FROM casemis.run_history_cse_stamp st WHERE st.run_id = _revert_apply.run_id;
  DELETE FROM casemis.cse c
   WHERE c.last_run_id = _revert_apply.run_id
     AND NOT EXISTS (SELECT 1 FROM casemis.run_history_cse h
                      WHERE h.run_id = _revert_apply.run_id AND (h.before).student_id = c.student_id)
     AND NOT EXISTS (SELECT 1 FROM pg_temp.casemis_revert_stamp st WHERE st.student_id = c.student_id);
  GET DIAGNOSTICS cse_removed = ROW_COUNT;
  UPDATE casemis.cse c SET last_updated = st.last_updated, last_run_id = st.last_run_id
    FROM pg_temp.casemis_revert_stamp st WHERE c.student_id = st.student_id;
  GET DIAGNOSTICS cse_stamped = ROW_COUNT;
  DELETE FROM casemis.cse c USING casemis.run_history_cse h
   WHERE h.run_id = _revert_apply.run_id AND c.student_id = (h.before).student_id;
  INSERT INTO casemis.cse SELECT (h.before).* FROM casemis.run_history_cse h WHERE h.run_id = _revert_apply.run_id;
  GET DIAGNOSTICS cse_restored = ROW_COUNT;
  -- csv: rows the run inserted go; rows it deleted come back
  DELETE FROM casemis.csv c WHERE c.run_id = _revert_apply.run_id;
  GET DIAGNOSTICS csv_removed = ROW_COUNT;
  INSERT INTO casemis.csv SELECT (h.before).* FROM casemis.run_history_csv h WHERE h.run_id = _revert_apply.run_id;
  GET DIAGNOSTICS csv_restored = ROW_COUNT;
  UPDATE casemis.import_run i SET status = 'reverted' WHERE i.run_id = _revert_apply.run_id;
END $$;

-- Undo a run's changes to cse and csv, as a run of its own (trigger 'revert')
-- under the setting's lock, atomic, emailed; returns the revert run's id.
CREATE FUNCTION casemis.revert_run(run_id bigint) RETURNS bigint
LANGUAGE c VOLATILE STRICT
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_revert_run';
COMMENT ON FUNCTION casemis.revert_run(bigint) IS 'Undo a succeeded run''s changes to cse and csv (refused if a later run changed the same students); returns the revert run''s id.';

SELECT pg_catalog.pg_extension_config_dump('casemis.run_history_cse', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.run_history_cse_stamp', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.run_history_csv', '');
REVOKE ALL ON TABLE casemis.run_history_cse, casemis.run_history_cse_stamp, casemis.run_history_csv FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION casemis._last_successful_run(text),
                           casemis.casemis_import_files(bytea, bytea, text, text, boolean, boolean),
                           casemis._check_revertible(bigint), casemis._revert_apply(bigint),
                           casemis.revert_run(bigint) FROM PUBLIC;


-- ---------------------------------------------------------------- completion email
ALTER TABLE casemis.import_settings
  ADD COLUMN max_email_bytes bigint NOT NULL DEFAULT 10485760
             CONSTRAINT max_email_bytes_positive CHECK (max_email_bytes > 0);
COMMENT ON COLUMN casemis.import_settings.max_email_bytes IS 'Largest completion email (bytes, as sent); attachments that would pass it are left out, ImportedRecords first, and the email says how to get them.';

CREATE FUNCTION casemis.report_xlsx(run_id bigint) RETURNS bytea
LANGUAGE c STABLE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_report_xlsx';
COMMENT ON FUNCTION casemis.report_xlsx(bigint) IS 'A run''s reports as one Excel workbook (.xlsx): a worksheet per non-empty report, every value text.';
REVOKE EXECUTE ON FUNCTION casemis.report_xlsx(bigint) FROM PUBLIC;


-- ---------------------------------------------------------------- run storage
-- Report rows move from one wide row per report row (import_report, a table)
-- to chunks of up to 10000 rows with an array per column (report_chunk); the
-- view import_report shows them as before, with the same columns, so old runs'
-- reports stay readable through the same SQL. Existing rows are converted.
CREATE TABLE casemis.report_chunk (
  run_id      bigint NOT NULL,
  report      text   NOT NULL,
  chunk       int    NOT NULL,
  line_number int[],
  position    int[],
  ssid        text[],
  student_id  text[],
  first_name  text[],
  last_name   text[],
  birthdate   text[],
  grade       text[],
  service     text[],
  field       text[],
  value       text[],
  problem     text[],
  reason      text[],
  PRIMARY KEY (run_id, report, chunk)
);
COMMENT ON TABLE casemis.report_chunk IS 'Report rows of each run, stored compactly (up to 10000 rows of one report per row, an array per column); read them through casemis.import_report.';

INSERT INTO casemis.report_chunk
SELECT run_id, report, (n - 1) / 10000,
       array_agg(line_number ORDER BY n), array_agg(position ORDER BY n), array_agg(ssid ORDER BY n),
       array_agg(student_id ORDER BY n), array_agg(first_name ORDER BY n), array_agg(last_name ORDER BY n),
       array_agg(birthdate ORDER BY n), array_agg(grade ORDER BY n), array_agg(service ORDER BY n),
       array_agg(field ORDER BY n), array_agg(value ORDER BY n), array_agg(problem ORDER BY n),
       array_agg(reason ORDER BY n)
  FROM (SELECT r.*, row_number() OVER (PARTITION BY r.run_id, r.report
                                       ORDER BY r.line_number, r.position, r.student_id) AS n
          FROM casemis.import_report r) s
 GROUP BY run_id, report, (n - 1) / 10000;

ALTER EXTENSION casemis_import DROP TABLE casemis.import_report;
DROP TABLE casemis.import_report;

CREATE VIEW casemis.import_report AS
SELECT c.run_id, c.report, u.line_number, u.position, u.ssid, u.student_id, u.first_name, u.last_name,
       u.birthdate, u.grade, u.service, u.field, u.value, u.problem, u.reason
  FROM casemis.report_chunk c,
       LATERAL unnest(c.line_number, c.position, c.ssid, c.student_id, c.first_name, c.last_name, c.birthdate,
                      c.grade, c.service, c.field, c.value, c.problem, c.reason)
         AS u(line_number, position, ssid, student_id, first_name, last_name, birthdate, grade, service,
              field, value, problem, reason);
COMMENT ON VIEW casemis.import_report IS 'Report rows of each run (imported, unmatched, duplicates, errors, not in file).';
COMMENT ON COLUMN casemis.import_report.student_id IS 'Imported and NotInFile reports: the roster''s student_id; Unmatched and Errors reports: the file''s STUDENT_ID.';
COMMENT ON COLUMN casemis.import_report.position IS 'Column position in the file of an Errors row (orders several problems on one line).';
-- (the columns a DBA reads, as commented in "what a DBA sees" for the table this view replaces)
COMMENT ON COLUMN casemis.import_report.run_id IS 'The run the row belongs to (import_run.run_id).';
COMMENT ON COLUMN casemis.import_report.report IS 'The report file the row belongs to (report_kind.report), e.g. CASEMIS_TypeA_UnmatchedRecords.csv.';
COMMENT ON COLUMN casemis.import_report.line_number IS 'Line of the file on which the record starts (the header is line 1); NULL in NotInFile.';
COMMENT ON COLUMN casemis.import_report.reason IS 'Unmatched reports: why the record matched no student.';
COMMENT ON COLUMN casemis.import_report.problem IS 'Errors reports: what is wrong with the value (or the whole record when field is empty).';
COMMENT ON COLUMN casemis.import_report.field IS 'Errors reports: the column''s header as it appears in the file; empty for a problem with the whole record.';
COMMENT ON COLUMN casemis.import_report.ssid IS 'SSID: the file''s (Unmatched, Duplicates, Errors) or the roster''s (Imported, NotInFile).';
COMMENT ON COLUMN casemis.import_report.first_name IS 'First name, as in the file (or the roster''s, NotInFile).';
COMMENT ON COLUMN casemis.import_report.last_name IS 'Last name, as in the file (or the roster''s, NotInFile).';
COMMENT ON COLUMN casemis.import_report.birthdate IS 'Birth date as text, as in the file (or the roster''s, YYYY-MM-DD, NotInFile).';
COMMENT ON COLUMN casemis.import_report.grade IS 'Grade, as in the file (or the roster''s, NotInFile).';
COMMENT ON COLUMN casemis.import_report.service IS 'Table B reports: the service code.';
COMMENT ON COLUMN casemis.import_report.value IS 'Errors reports: the value as it appears in the file.';

CREATE FUNCTION casemis._import_report_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO casemis.report_chunk
  SELECT NEW.run_id, NEW.report,
         coalesce((SELECT max(c.chunk) + 1 FROM casemis.report_chunk c
                    WHERE c.run_id = NEW.run_id AND c.report = NEW.report), 0),
         ARRAY[NEW.line_number], ARRAY[NEW.position], ARRAY[NEW.ssid], ARRAY[NEW.student_id],
         ARRAY[NEW.first_name], ARRAY[NEW.last_name], ARRAY[NEW.birthdate], ARRAY[NEW.grade],
         ARRAY[NEW.service], ARRAY[NEW.field], ARRAY[NEW.value], ARRAY[NEW.problem], ARRAY[NEW.reason];
  RETURN NEW;
END $$;
CREATE TRIGGER import_report_insert INSTEAD OF INSERT ON casemis.import_report
  FOR EACH ROW EXECUTE FUNCTION casemis._import_report_insert();

-- Rows are kept per run in chunks: an UPDATE or DELETE through the view is refused.
CREATE FUNCTION casemis._import_report_refuse() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'report rows cannot be changed one by one through casemis.import_report'
    USING ERRCODE = 'feature_not_supported',
          HINT = 'A run''s report rows are kept together in casemis.report_chunk; delete them all with DELETE FROM casemis.report_chunk WHERE run_id = ...';
END $$;
CREATE TRIGGER import_report_refuse INSTEAD OF UPDATE OR DELETE ON casemis.import_report
  FOR EACH ROW EXECUTE FUNCTION casemis._import_report_refuse();

-- Retention deletes a run's report chunks and its history (run history
-- section) with it: defined once, here, where both exist.
CREATE OR REPLACE FUNCTION casemis._apply_retention(at timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  expired bigint[];
BEGIN
  SELECT coalesce(array_agg(r.run_id), '{}') INTO expired
    FROM casemis.import_run r
    LEFT JOIN casemis.import_settings s ON s.name = r.settings_name
   WHERE r.status <> 'running'
     AND r.started_at < at - coalesce(s.history_retention, interval '2 years');
  IF cardinality(expired) > 0 THEN
    DELETE FROM casemis.report_chunk WHERE run_id = ANY (expired);
    DELETE FROM casemis.run_history_cse WHERE run_id = ANY (expired);
    DELETE FROM casemis.run_history_cse_stamp WHERE run_id = ANY (expired);
    DELETE FROM casemis.run_history_csv WHERE run_id = ANY (expired);
    DELETE FROM casemis.import_run WHERE run_id = ANY (expired);
  END IF;
  RETURN cardinality(expired);
END $$;

SELECT pg_catalog.pg_extension_config_dump('casemis.import_report', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.report_chunk', '');
REVOKE ALL ON casemis.report_chunk, casemis.import_report FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION casemis._import_report_insert(), casemis._import_report_refuse() FROM PUBLIC;


-- ---------------------------------------------------------------- code health
-- A failed run keeps the SQLSTATE of its error.
ALTER TABLE casemis.import_run ADD COLUMN errcode text CHECK (errcode ~ '^[0-9A-Z]{5}$');
COMMENT ON COLUMN casemis.import_run.errcode IS 'For a failed run, the SQLSTATE of the error it failed with (e.g. 22P04 for a file it cannot read, 57014 for a cancel); NULL otherwise.';
-- ... and the error's advice (HINT) in a column of its own, no longer pasted
-- into the message after "Hint:"; casemis.runs shows it too.
ALTER TABLE casemis.import_run ADD COLUMN hint text;
COMMENT ON COLUMN casemis.import_run.hint IS 'For a failed run, what to do about it (the error''s HINT: the same advice the caller''s WARNING and the email give); NULL when the error gave none.';
-- casemis.runs: import_run for reporting queries, with the duration and the
-- files read on one line (SELECT * FROM casemis.runs ORDER BY run_id DESC LIMIT 10).
CREATE VIEW casemis.runs AS
SELECT r.run_id, r.settings_name, r.status, r.trigger, r.dry_run, r.started_at, r.finished_at,
       r.finished_at - r.started_at AS duration,
       r.type_a_imported, r.type_a_unmatched, r.type_a_duplicates, r.type_a_errors, r.type_a_not_in_file,
       r.type_b_imported, r.type_b_unmatched, r.type_b_errors,
       concat_ws(', ', r.students_file || ' (' || r.students_size || ' bytes)',
                       r.services_file || ' (' || r.services_size || ' bytes)') AS files,
       r.email_status, r.message, r.errcode, r.hint
  FROM casemis.import_run r;
COMMENT ON VIEW casemis.runs IS 'The run history for reporting: one row per run with its duration, counts and files (from import_run).';
COMMENT ON COLUMN casemis.runs.duration IS 'finished_at - started_at; NULL while running.';
COMMENT ON COLUMN casemis.runs.files IS 'The files read, name (size in bytes); empty when the run stopped before reading one.';
COMMENT ON COLUMN casemis.runs.run_id IS 'The run id (import_run.run_id).';
COMMENT ON COLUMN casemis.runs.settings_name IS 'The setting the run used.';
COMMENT ON COLUMN casemis.runs.status IS 'running, succeeded, failed, unchanged, skipped, dry_run, missed or reverted (see import_run.status).';
COMMENT ON COLUMN casemis.runs.trigger IS 'manual, upload, scheduled or revert.';
COMMENT ON COLUMN casemis.runs.dry_run IS 'A dry run: no cse/csv change.';
COMMENT ON COLUMN casemis.runs.started_at IS 'When the run started.';
COMMENT ON COLUMN casemis.runs.finished_at IS 'When the run''s outcome was recorded.';
COMMENT ON COLUMN casemis.runs.type_a_imported IS 'Table A records written to cse.';
COMMENT ON COLUMN casemis.runs.type_a_unmatched IS 'Table A records that matched no student.';
COMMENT ON COLUMN casemis.runs.type_a_duplicates IS 'Table A duplicate records (none imported).';
COMMENT ON COLUMN casemis.runs.type_a_errors IS 'Table A error records.';
COMMENT ON COLUMN casemis.runs.type_a_not_in_file IS 'Students with a cse row absent from the file.';
COMMENT ON COLUMN casemis.runs.type_b_imported IS 'Table B records written to csv.';
COMMENT ON COLUMN casemis.runs.type_b_unmatched IS 'Table B records that belong to no imported student.';
COMMENT ON COLUMN casemis.runs.type_b_errors IS 'Table B error records.';
COMMENT ON COLUMN casemis.runs.email_status IS 'Outcome of the completion email.';
COMMENT ON COLUMN casemis.runs.message IS 'What happened; for a failed run the reason.';
COMMENT ON COLUMN casemis.runs.errcode IS 'For a failed run, the SQLSTATE of its error (import_run.errcode).';
COMMENT ON COLUMN casemis.runs.hint IS 'For a failed run, what to do about it (import_run.hint).';
REVOKE ALL ON casemis.runs FROM PUBLIC;

-- One home for the email address rule: the settings trigger no longer has a
-- pattern of its own (0.1.0's let through addresses the email then refused).
-- Validation that CHECKs cannot express, with errors a DBA can act on.
CREATE OR REPLACE FUNCTION casemis._settings_validate() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rel regclass;
  missing text;
BEGIN
  -- days: accept Mon/MON, store lower case
  NEW.schedule_days := ARRAY(SELECT lower(btrim(d)) FROM unnest(NEW.schedule_days) AS d);
  IF NOT NEW.schedule_days <@ '{mon,tue,wed,thu,fri,sat,sun}'::text[] THEN
    RAISE EXCEPTION 'invalid schedule_days %', NEW.schedule_days
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use three-letter day names: {mon,tue,wed,thu,fri,sat,sun}.';
  END IF;

  -- time zone: must be one PostgreSQL knows
  IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = NEW.time_zone)
     AND NOT EXISTS (SELECT 1 FROM pg_timezone_abbrevs WHERE abbrev = NEW.time_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', NEW.time_zone
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use a name from pg_timezone_names, such as America/Los_Angeles.';
  END IF;

  -- a server folder: an absolute path, set only by those who may read server files
  IF NEW.folder_path IS NOT NULL THEN
    IF NEW.folder_path !~ '^/' OR NEW.folder_path ~ '(^|/)\.\.(/|$)' OR position(E'\n' in NEW.folder_path) > 0 THEN
      RAISE EXCEPTION 'folder_path must be an absolute path without ".." components: %', NEW.folder_path
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (TG_OP = 'INSERT' OR NEW.folder_path IS DISTINCT FROM OLD.folder_path)
       AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') THEN
      RAISE EXCEPTION 'permission denied to set folder_path'
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'Pointing a setting at a server folder lets imports read files on the database server.',
              HINT = 'Only a superuser or a member of pg_read_server_files may set folder_path.';
    END IF;
  END IF;

  -- the roster: a relation with the roster's columns
  rel := to_regclass(NEW.student_relation);
  IF rel IS NULL THEN
    RAISE EXCEPTION 'student_relation "%" does not exist', NEW.student_relation
      USING ERRCODE = 'undefined_table',
            HINT = 'Name a table or view with columns student_id, ssid, last_name, first_name, birthdate, grade, school_code.';
  END IF;
  SELECT string_agg(c, ', ') INTO missing
    FROM unnest('{student_id,ssid,last_name,first_name,birthdate,grade}'::text[]) AS c
   WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = rel AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'student_relation % lacks column(s) %', rel, missing
      USING ERRCODE = 'undefined_column';
  END IF;
  NEW.student_relation := rel::text;

  -- email addresses: import_settings_validate_email (below)

  IF NEW.source = 'sftp' AND (NEW.sftp_host IS NULL OR NEW.sftp_host ~ '[\s/]') THEN
    IF NEW.sftp_host IS NOT NULL THEN
      RAISE EXCEPTION 'invalid sftp_host "%"', NEW.sftp_host USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  IF NEW.sftp_directory ~ E'[\\n\\r\\x01-\\x1f]' THEN
    RAISE EXCEPTION 'invalid sftp_directory' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  IF TG_OP = 'UPDATE' THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;
-- email_to and email_from: one plain address each (no header injection, no
-- extra recipient), by the rule the email code applies when it sends (C++,
-- notify::valid_address), so that the two cannot disagree. A C trigger, fired
-- after import_settings_validate (name order): a trigger function needs no
-- EXECUTE privilege of the role changing the setting, a function it called would.
CREATE FUNCTION casemis._settings_validate_email() RETURNS trigger
LANGUAGE c SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'casemis_settings_validate_email';
CREATE TRIGGER import_settings_validate_email BEFORE INSERT OR UPDATE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_validate_email();
REVOKE EXECUTE ON FUNCTION casemis._settings_validate_email() FROM PUBLIC;

-- ---------------------------------------------------------------- csv digests
-- A cache that spares a run re-reading every stored service to learn which
-- students' services the file changes (README, "What a run writes"). Per
-- school year and student: the count and the two hash sums of the csv rows a
-- run wrote or found equal to its file, and the transaction whose rows they
-- are. A digest is used only while every csv row of the student and year still
-- has that xmin and their count is row_count, so any later change (a DBA's
-- UPDATE, DELETE or INSERT, a revert, a restore) makes the run hash the stored
-- rows again; columns_key names the column list hashed, so a layout change
-- does the same. Unlogged and not dumped: it costs no WAL (a nightly run's
-- digests are scattered over the table, so a logged one would write a
-- full-page image of nearly every page), a crash or a restore empties it, and
-- the next run rebuilds it (hashing the rows, as without it).
CREATE UNLOGGED TABLE casemis.csv_digest (
  student_id  bigint  NOT NULL,
  columns_key bigint  NOT NULL,
  sum_a       bigint  NOT NULL,
  sum_b       bigint  NOT NULL,
  school_year integer NOT NULL,
  row_count   integer NOT NULL,
  written_xid xid     NOT NULL,
  PRIMARY KEY (school_year, student_id)
);
COMMENT ON TABLE casemis.csv_digest IS 'Cache of each student''s csv rows per school year (count, hash sums, writing transaction), so that a run rewrites only the services its file changes; safe to TRUNCATE.';
REVOKE ALL ON TABLE casemis.csv_digest FROM PUBLIC;

-- cse keeps half of each page free, so that a run's stamp of an unchanged row
-- is a HOT update (src/sql/00_schema.sql says why). Rows already stored move
-- once, at the next run's stamp (or at a VACUUM FULL casemis.cse by hand).
ALTER TABLE casemis.cse SET (fillfactor = 50);
