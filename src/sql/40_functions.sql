-- ---------------------------------------------------------------- the run
-- Each run is a job in a background worker of its own (connected to this
-- database as the calling role): the caller's ROLLBACK does not undo it, and
-- cancelling the call cancels the run. A failed run does not raise: it returns
-- its run id with a WARNING; errors in the call itself raise.
CREATE FUNCTION casemis.casemis_import(settings_name text DEFAULT 'default',
                                       dry_run boolean DEFAULT false,
                                       force boolean DEFAULT false)
RETURNS bigint
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_import_run';
COMMENT ON FUNCTION casemis.casemis_import(text, boolean, boolean) IS 'Run the import of a setting now (folder or SFTP); returns the run id.';

CREATE FUNCTION casemis.casemis_import_files(students bytea,
                                             services bytea DEFAULT NULL,
                                             settings_name text DEFAULT 'default',
                                             notify text DEFAULT NULL,
                                             dry_run boolean DEFAULT false)
RETURNS bigint
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_import_files';
COMMENT ON FUNCTION casemis.casemis_import_files(bytea, bytea, text, text, boolean) IS 'One-time import of Table A (and B) files sent from the client; returns the run id.';

-- The same with force => true: past the record-count guard (README: "Safety
-- nets"). No defaults, so that a call without force is never ambiguous.
CREATE FUNCTION casemis.casemis_import_files(students bytea, services bytea, settings_name text, notify text,
                                             dry_run boolean, force boolean)
RETURNS bigint
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_import_files';
COMMENT ON FUNCTION casemis.casemis_import_files(bytea, bytea, text, text, boolean, boolean) IS 'One-time import of files sent from the client, with force => true past the record-count guard; returns the run id.';

-- Writes each report of a run that has rows (and always the Imported ones)
-- into a server directory. Superusers and pg_write_server_files only.
CREATE FUNCTION casemis.export_reports(run_id bigint, directory text)
RETURNS SETOF text
LANGUAGE c VOLATILE STRICT
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_export_reports';
COMMENT ON FUNCTION casemis.export_reports(bigint, text) IS 'Write a run''s report CSV files into a server directory; returns the paths written.';

-- Internal: start a scheduled run in its own worker and return its pid
-- without waiting (the scheduler's tick must not block on a long import).
CREATE FUNCTION casemis._launch_run(settings_name text, scheduled_for timestamptz DEFAULT NULL)
RETURNS int
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'casemis_launch_run';

-- A run is in progress while its worker lives: a casemis_import background
-- worker with that pid, started before the run's row was. (Runs lock rows of
-- casemis.run_lock, which end with their transactions: see run/run_lock.hpp.)
CREATE FUNCTION casemis._run_in_progress(worker_pid int, started_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN EXISTS (SELECT 1 FROM pg_stat_activity a
                WHERE a.pid = worker_pid AND a.backend_type = 'casemis_import' AND a.backend_start <= started_at);

-- Runs left 'running' by a worker that died (crash, kill): mark them failed. Called by every run, by the scheduler and
-- by casemis.status; returns how many it marked.
CREATE FUNCTION casemis.reap_interrupted_runs() RETURNS int
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
COMMENT ON FUNCTION casemis.reap_interrupted_runs() IS 'Mark failed ("interrupted") the runs whose worker is gone; returns how many.';

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
