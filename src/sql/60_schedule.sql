-- ---------------------------------------------------------------- schedule
-- pg_cron is only a tick. One named job, casemis_import_tick, fires every
-- minute (pg_cron 1.4 evaluates schedules in GMT only) and calls
-- casemis.tick(), which decides from the settings what is due in each
-- setting's own time zone and starts those runs without waiting for them.
-- The job's command removes the job once casemis_import is gone, so DROP
-- EXTENSION leaves nothing failing every minute. pg_cron objects are only
-- reached through dynamic SQL: CREATE EXTENSION casemis_import works without it.

-- Per enabled setting: the latest slot the scheduler has dealt with (run, or
-- recorded as missed). Engine state, rebuilt when missing: not dumped.
CREATE TABLE casemis.schedule_state (
  settings_name  text PRIMARY KEY
                 REFERENCES casemis.import_settings (name) ON DELETE CASCADE ON UPDATE CASCADE,
  enabled_at     timestamptz NOT NULL,   -- the schedule (re)started here: earlier slots do not count
  last_slot      timestamptz NOT NULL,   -- slots up to here are dealt with
  last_launch_at timestamptz,
  last_error     text,
  last_error_at  timestamptz
);
COMMENT ON TABLE casemis.schedule_state IS 'Scheduler state per enabled setting (last slot dealt with); rebuilt when missing.';

-- The scheduler's heartbeat: one row.
CREATE TABLE casemis.scheduler_state (
  singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_tick_at      timestamptz,
  last_retention_at timestamptz
);
INSERT INTO casemis.scheduler_state DEFAULT VALUES;
COMMENT ON TABLE casemis.scheduler_state IS 'Scheduler heartbeat: when casemis.tick() last ran, when retention was last applied.';

-- ---------------------------------------------------------------- constants
CREATE FUNCTION casemis._tick_job_name() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN 'casemis_import_tick';

-- The tick job's command: call back into the extension while it exists, and
-- remove the job once it does not. (Unscheduling by jobid found in cron.job,
-- not by name: cron.unschedule raises when the job is already gone, and the
-- name's type differs between pg_cron 1.4 and 1.5.)
CREATE FUNCTION casemis._tick_job_command() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN format('DO $casemis_tick$BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = %L) '
              'THEN PERFORM casemis.tick(); ELSE PERFORM cron.unschedule(j.jobid) FROM cron.job j '
              'WHERE j.jobname = %L AND j.database = pg_catalog.current_database(); END IF; END$casemis_tick$',
              'casemis_import', 'casemis_import_tick');

-- A slot still counts as on time this long after it, whatever catch_up_window
-- says: pg_cron's minute tick may come a little late.
CREATE FUNCTION casemis._on_time_grace() RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN interval '5 minutes';

-- An interval as a person says it: '8 hours', '2 days 3 hours', '45 minutes'.
CREATE FUNCTION casemis._human_interval(i interval) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m bigint := floor(extract(epoch FROM i) / 60)::bigint;
  parts text[] := '{}';
BEGIN
  IF m >= 1440 THEN
    parts := parts || format('%s day%s', m / 1440, CASE WHEN m / 1440 = 1 THEN '' ELSE 's' END);
  END IF;
  IF m % 1440 >= 60 THEN
    parts := parts || format('%s hour%s', m % 1440 / 60, CASE WHEN m % 1440 / 60 = 1 THEN '' ELSE 's' END);
  END IF;
  IF m % 60 > 0 OR m = 0 THEN
    parts := parts || format('%s minute%s', m % 60, CASE WHEN m % 60 = 1 THEN '' ELSE 's' END);
  END IF;
  RETURN array_to_string(parts, ' ');
END $$;

-- ---------------------------------------------------------------- arithmetic
-- Pure functions of their arguments (and the time-zone database): the clock is
-- always passed in, so they are tested with fixed clocks.

CREATE FUNCTION casemis._day_name(d date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN ('{mon,tue,wed,thu,fri,sat,sun}'::text[])[extract(isodow FROM d)::int];

-- The instant of the slot on local date `day` at local time `at` in time_zone:
-- the first instant at which the zone's wall clock reaches day + at. So a time
-- in a spring-forward gap runs at the end of the gap (02:30 on 2016-03-13 in
-- America/Los_Angeles is 03:00 PDT), and a time in a fall-back hour runs at
-- its first occurrence (01:30 PDT on 2016-11-06, not 01:30 PST).
CREATE FUNCTION casemis._slot_at(day date, at time, time_zone text) RETURNS timestamptz
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  target timestamp := day + at;
  as_utc timestamptz := target AT TIME ZONE 'UTC';
  cand timestamptz;
  best timestamptz;
  lo bigint;
  hi bigint;
  mid bigint;
BEGIN
  -- Each UTC offset the zone uses around that day gives one candidate; the
  -- candidates whose wall-clock time is the target are its occurrences.
  FOR cand IN
    SELECT DISTINCT as_utc - ((p AT TIME ZONE time_zone) - (p AT TIME ZONE 'UTC'))
      FROM unnest(ARRAY[as_utc - interval '1 day', as_utc, as_utc + interval '1 day']) AS p
  LOOP
    IF cand AT TIME ZONE time_zone = target THEN
      best := least(best, cand);
    END IF;
    lo := least(lo, extract(epoch FROM cand)::bigint);
    hi := greatest(hi, extract(epoch FROM cand)::bigint);
  END LOOP;
  IF best IS NOT NULL THEN
    RETURN best;
  END IF;
  -- No occurrence: the target is in a gap. The wall clock is before it at
  -- the earliest candidate and past it at the latest; find the jump (to the
  -- second) by bisection.
  WHILE hi - lo > 1 LOOP
    mid := lo + (hi - lo) / 2;
    IF to_timestamp(mid) AT TIME ZONE time_zone >= target THEN
      hi := mid;
    ELSE
      lo := mid;
    END IF;
  END LOOP;
  RETURN to_timestamp(hi);
END $$;

CREATE FUNCTION casemis._normalized_days(days text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN ARRAY(SELECT lower(btrim(d)) FROM unnest(days) AS d WHERE d IS NOT NULL);

-- The slots of a schedule in (after, upto], oldest first.
CREATE FUNCTION casemis._slots_between(days text[], at time, time_zone text,
                                       after timestamptz, upto timestamptz)
RETURNS SETOF timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT s
    FROM generate_series((after AT TIME ZONE time_zone)::date - 1,
                         (upto AT TIME ZONE time_zone)::date + 1,
                         interval '1 day') AS g(d),
         LATERAL casemis._slot_at(g.d::date, at, time_zone) AS s
   WHERE casemis._day_name(g.d::date) = ANY (casemis._normalized_days(days))
     AND s > after AND s <= upto
   ORDER BY s
$$;

-- The first slot strictly after `after`: days are three-letter names
-- (mon..sun), `at` the local time, both in time_zone. NULL when no day is chosen.
CREATE FUNCTION casemis.next_run_after(days text[], at time, time_zone text, after timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN (SELECT min(s) FROM casemis._slots_between(days, at, time_zone, after, after + interval '9 days') AS s);
COMMENT ON FUNCTION casemis.next_run_after(text[], time, text, timestamptz) IS
  'First scheduled slot strictly after a given instant, e.g. next_run_after(''{mon,wed,fri}'', ''18:30'', ''America/Los_Angeles'', now()).';

-- The slot that is due at `now`: the latest slot in (last_slot, now], or NULL.
CREATE FUNCTION casemis.due_slot(days text[], at time, time_zone text,
                                 last_slot timestamptz, now timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN (SELECT max(s) FROM casemis._slots_between(days, at, time_zone,
                                                  greatest(last_slot, now - interval '8 days'), now) AS s);
COMMENT ON FUNCTION casemis.due_slot(text[], time, text, timestamptz, timestamptz) IS
  'The latest scheduled slot after last_slot and at or before now (NULL if none): what the scheduler runs.';

-- ---------------------------------------------------------------- pg_cron probe
-- What keeps pg_cron from serving this database, from the facts given (pure,
-- so every case is tested): NULL detail when it can be used.
CREATE FUNCTION casemis._pg_cron_problem(preload_libraries text, cron_database text,
                                         this_database text, pg_cron_installed boolean,
                                         OUT detail text, OUT hint text)
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(preload_libraries, '') !~ '(^|[\s,"/])pg_cron(\.so)?($|[\s,"])' THEN
    detail := 'pg_cron is not loaded: it is not in shared_preload_libraries.';
    hint := format('In postgresql.conf add pg_cron to shared_preload_libraries (shared_preload_libraries = ''pg_cron'') '
                   'and set cron.database_name = ''%s'', restart PostgreSQL, then run CREATE EXTENSION pg_cron '
                   'in database "%s".', this_database, this_database);
  ELSIF coalesce(cron_database, 'postgres') <> this_database THEN
    detail := format('pg_cron schedules jobs only in database "%s" (cron.database_name), not in "%s".',
                     coalesce(cron_database, 'postgres'), this_database);
    hint := format('Set cron.database_name = ''%s'' in postgresql.conf, restart PostgreSQL, then run '
                   'CREATE EXTENSION pg_cron in database "%s"; or install casemis_import in database "%s" instead.',
                   this_database, this_database, coalesce(cron_database, 'postgres'));
  ELSIF NOT coalesce(pg_cron_installed, false) THEN
    detail := format('The pg_cron extension is not installed in database "%s".', this_database);
    hint := format('Run CREATE EXTENSION pg_cron in database "%s" (pg_cron is already preloaded '
                   'and cron.database_name names this database).', this_database);
  END IF;
END $$;

-- The same for this server and database.
CREATE FUNCTION casemis._pg_cron_problem(OUT detail text, OUT hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT p.detail, p.hint
    FROM casemis._pg_cron_problem(current_setting('shared_preload_libraries'),
                                  current_setting('cron.database_name', true),
                                  current_database(),
                                  EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron')
                                    AND to_regclass('cron.job') IS NOT NULL) AS p
$$;

-- ---------------------------------------------------------------- the tick job
-- These run as the extension's owner (SECURITY DEFINER): whoever enables a
-- setting, there is one tick job owned by one role, and cron.job's row-level
-- security does not hide it.

-- The tick job of this database, if any: (jobid, active).
CREATE FUNCTION casemis._tick_job(OUT jobid bigint, OUT active boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF to_regclass('cron.job') IS NULL THEN
    RETURN;
  END IF;
  EXECUTE 'SELECT j.jobid, j.active FROM cron.job j
            WHERE j.jobname = $1 AND j.database = current_database()
            ORDER BY j.active DESC, j.jobid LIMIT 1'
     INTO jobid, active USING casemis._tick_job_name();
END $$;

-- Make sure the tick job exists and is active (a named cron.schedule is an upsert).
CREATE FUNCTION casemis._ensure_tick_job() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  id bigint;
  is_active boolean;
BEGIN
  SELECT j.jobid, j.active INTO id, is_active FROM casemis._tick_job() AS j;
  IF id IS NULL THEN
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO id
      USING casemis._tick_job_name(), '* * * * *', casemis._tick_job_command();
  ELSIF NOT is_active THEN
    EXECUTE 'SELECT cron.alter_job($1, active => true)' USING id;
  END IF;
  RETURN id;
END $$;

-- Remove the tick job if it exists (cron.unschedule raises when it does not).
CREATE FUNCTION casemis._unschedule_tick_job() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  id bigint;
  n int := 0;
BEGIN
  IF to_regclass('cron.job') IS NULL THEN
    RETURN 0;
  END IF;
  FOR id IN EXECUTE 'SELECT j.jobid FROM cron.job j WHERE j.jobname = $1 AND j.database = current_database()'
              USING casemis._tick_job_name() LOOP
    EXECUTE 'SELECT cron.unschedule($1::bigint)' USING id;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- ---------------------------------------------------------------- enabling
-- AFTER trigger on import_settings, in the same transaction as the change.
-- TG_ARGV[0] = 'enabled': INSERT, UPDATE OF enabled, DELETE -- schedule the
-- tick when a setting is enabled (pg_cron required), unschedule it when none is.
-- TG_ARGV[0] = 'schedule': UPDATE OF schedule_days, schedule_time, time_zone --
-- the schedule restarts from now (a slot that already passed is not run).
CREATE FUNCTION casemis._settings_schedule() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  problem record;
  was_enabled boolean;
  is_enabled boolean;
  -- pg_dump restores table data with COPY: an enabled setting restored into a
  -- database without pg_cron must not abort the restore, and the tick job
  -- comes back with cron.job's own data. casemis.status tells if it did not.
  restoring boolean := current_query() ~* '^\s*copy\s';
BEGIN
  IF TG_ARGV[0] = 'schedule' THEN
    IF NEW.enabled AND (NEW.schedule_days IS DISTINCT FROM OLD.schedule_days
                        OR NEW.schedule_time IS DISTINCT FROM OLD.schedule_time
                        OR NEW.time_zone IS DISTINCT FROM OLD.time_zone) THEN
      UPDATE casemis.schedule_state SET enabled_at = now(), last_slot = now(), last_error = NULL
       WHERE settings_name = NEW.name;
    END IF;
    RETURN NULL;
  END IF;

  -- (OLD and NEW are looked at only where they exist: nested IFs, no AND/OR)
  IF TG_OP = 'INSERT' THEN
    was_enabled := false;
  ELSE
    was_enabled := OLD.enabled;
  END IF;
  IF TG_OP = 'DELETE' THEN
    is_enabled := false;
  ELSE
    is_enabled := NEW.enabled;
  END IF;

  IF is_enabled THEN
    IF NOT was_enabled THEN
      INSERT INTO casemis.schedule_state (settings_name, enabled_at, last_slot)
      VALUES (NEW.name, now(), now())
      ON CONFLICT (settings_name) DO UPDATE
        SET enabled_at = excluded.enabled_at, last_slot = excluded.last_slot,
            last_error = NULL, last_error_at = NULL;
    END IF;
    IF NOT restoring THEN
      SELECT * INTO problem FROM casemis._pg_cron_problem();
      IF problem.detail IS NOT NULL THEN
        RAISE EXCEPTION 'cannot enable the schedule of setting "%": pg_cron is not available', NEW.name
          USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL = problem.detail, HINT = problem.hint;
      END IF;
      PERFORM casemis._ensure_tick_job();
    END IF;
  ELSIF was_enabled THEN
    -- disabled or deleted (the state row goes with the setting on DELETE)
    IF TG_OP = 'UPDATE' THEN
      DELETE FROM casemis.schedule_state WHERE settings_name = NEW.name;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM casemis.import_settings WHERE enabled) THEN
      PERFORM casemis._unschedule_tick_job();
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER import_settings_schedule
  AFTER INSERT OR UPDATE OF enabled OR DELETE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_schedule('enabled');
CREATE TRIGGER import_settings_reschedule
  AFTER UPDATE OF schedule_days, schedule_time, time_zone ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_schedule('schedule');

-- ---------------------------------------------------------------- retention
-- Deletes runs (and their report rows) older than their setting's
-- history_retention (with what revert_run would need of them); runs of a
-- deleted setting are kept for the default 2 years. A run still 'running' is
-- never deleted. Returns the runs deleted.
CREATE FUNCTION casemis._apply_retention(at timestamptz) RETURNS bigint
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

-- pg_cron keeps a cron.job_run_details row per run, forever: 1440 a day for
-- the tick. Keep a week of the tick's own rows.
CREATE FUNCTION casemis._trim_tick_history(at timestamptz) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF to_regclass('cron.job_run_details') IS NOT NULL THEN
    EXECUTE 'DELETE FROM cron.job_run_details d USING cron.job j
              WHERE d.jobid = j.jobid AND j.jobname = $1 AND j.database = current_database()
                AND d.end_time < $2'
      USING casemis._tick_job_name(), at - interval '7 days';
  END IF;
END $$;

-- ---------------------------------------------------------------- the tick
-- A scheduled slot that will not run gets a 'missed' run row saying which.
CREATE FUNCTION casemis._record_missed(settings_name text, time_zone text, slot timestamptz,
                                       at timestamptz, why text) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  INSERT INTO casemis.import_run (settings_name, status, started_at, finished_at, message,
                                  trigger, scheduled_for, run_date)
  VALUES (settings_name, 'missed', at, at,
          format('The scheduled run for %s (%s) was missed: the scheduler was not running then '
                 '(server down or pg_cron stopped). %s',
                 to_char(slot AT TIME ZONE time_zone, 'YYYY-MM-DD HH24:MI'), time_zone, why),
          'scheduled', slot, (slot AT TIME ZONE time_zone)::date)
$$;

-- One setting's share of a tick: what is due at `t`, run at most once.
-- Returns what it did: started (state created), launched, missed.
CREATE FUNCTION casemis._tick_setting(name text, t timestamptz)
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

-- Called every minute by the pg_cron job casemis_import_tick. Starts the runs
-- that are due (without waiting for them), records missed ones, applies the
-- history retention hourly. One setting's failure does not stop the others.
CREATE FUNCTION casemis.tick()
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
COMMENT ON FUNCTION casemis.tick() IS
  'The scheduler: run every minute by the pg_cron job casemis_import_tick; starts the runs that are due in each setting''s time zone.';
